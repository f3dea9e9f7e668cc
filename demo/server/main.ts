/**
 * The entry point of `npm start`: the reference server with its embedded SFU,
 * configured from the environment (see `env-config.ts`).
 *
 * Prints exactly one line to stdout once listening,
 * `kurento-room server listening on http://HOST:PORT/` (the actual port when
 * `PORT=0`); logs go to stderr. SIGINT and SIGTERM close it gracefully; a second
 * signal exits at once.
 *
 * @packageDocumentation
 */

import { readConfig, type ServerConfig } from './env-config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { WeriftBackend } from './werift-backend.js';

/** The longest a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_TIMEOUT_MS = 5000;

async function main(): Promise<void> {
  // Step 1: configuration.
  let config: ServerConfig;
  try {
    config = readConfig(process.env);
  } catch (error) {
    process.stderr.write(`kurento-room: ${(error as Error).message}\n`);
    process.exit(2);
  }

  // Step 2: logging.
  const logger = createLogger(config.logLevel);

  // Step 3: the media backend.
  const backend = new WeriftBackend({
    network: config.network,
    iceServers: config.iceServers,
    logger,
  });
  logger.info({ network: config.network }, 'media backend ready');

  // Step 4: HTTP and WebSocket.
  const server = await startServer({
    host: config.host,
    port: config.port,
    iceServers: config.iceServers,
    backend,
    logger,
    dev: process.env.NODE_ENV !== 'production',
  });

  // Step 5: tell the world (tests parse this line).
  process.stdout.write(`kurento-room server listening on ${server.url}\n`);

  // Step 6: graceful shutdown.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    server
      .close()
      .then(() => backend.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kurento-room: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
