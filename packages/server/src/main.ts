/**
 * The entry point of `npm start` and of the `kurento-room-server` command: the
 * reference server with its embedded SFU, or with Kurento Media Server when `KMS_URL`
 * is set (a comma-separated list: a pool), configured from the environment. The
 * variables, their defaults and meanings are one table, `ENV_VARIABLES` in
 * `env-variables.ts` (`--help` prints it); `env-config.ts` reads them.
 *
 * The `Origin` check: browsers always send `Origin` on a WebSocket upgrade, and an
 * upgrade whose origin is not allowed gets HTTP 403 (a warning is logged). The
 * default, "own origins", is `http://HOST:PORT`, plus `http://localhost:PORT` when
 * `HOST` is 127.0.0.1, or every local interface address when it is `0.0.0.0`; a
 * loopback `HOST` also accepts any loopback origin (pages from other local ports). A
 * page served elsewhere (a DNS name) needs `ALLOWED_ORIGINS`, e.g.
 * `https://meet.example.com`; behind a TLS-terminating proxy, `TRUST_PROXY=true` takes
 * the page's origin from the proxy's `X-Forwarded-Proto` and `X-Forwarded-Host`. Upgrades without `Origin` come from non-browser clients
 * (bots, tests, command-line tools) and are accepted unless `ALLOW_NO_ORIGIN=false`.
 *
 * Messages beyond the rate limit are dropped with one `error RATE_LIMITED` reply per
 * second; a connection sending over ten times the sustained rate for five seconds in a
 * row is closed with 1008 (policy violation). Frames over 64 KiB close the socket
 * with 1009.
 *
 * HTTPS and WSS: with `TLS_CERT` and `TLS_KEY` (PEM files; unreadable ones exit 2),
 * or, on a non-loopback `HOST` without them (or with `TLS=self-signed`), a self-signed
 * certificate made at start-up, announced by a warning with its SHA-256 fingerprint;
 * the own origins are then `https:`. A loopback `HOST` stays plain HTTP (`TLS=off`
 * keeps any `HOST` so, e.g. behind a proxy).
 *
 * Prints exactly one line to stdout once listening,
 * `kurento-room server listening on http://HOST:PORT/` (`https://` with TLS; the actual
 * port when `PORT=0`); logs (pino JSON lines) go to stderr. SIGINT and SIGTERM close it
 * gracefully: no new connections, every socket closed with 1001 ("server shutting
 * down"), all media released, exit 0; after 5 s it exits 1 anyway, and a second
 * signal exits 1 at once. An invalid variable exits 2 and names it.
 *
 * The command line takes only `--help` (the usage and the variables, exit 0) and
 * `--version` (exit 0); anything else exits 2 and names it.
 *
 * @packageDocumentation
 */

import { helpText, packageVersion, readCommandLine, type Command } from './command-line.js';
import { readConfig, tlsFor, type ServerConfig } from './env-config.js';
import { createLogger } from './logger.js';
import { startServer, type ServerOptions } from './server.js';
import { readTlsFiles } from './tls.js';
import { WeriftBackend, type WeriftNetwork } from './media/werift/werift-backend.js';
import { KurentoBackend } from './media/kurento/kurento-backend.js';
import type { MediaBackend } from './media/media-backend.js';

/** The longest a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_TIMEOUT_MS = 5000;

async function main(): Promise<void> {
  // Step 1: the command line (--help, --version).
  let command: Command;
  try {
    command = readCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`kurento-room: ${(error as Error).message}\n`);
    process.stderr.write('Try --help.\n');
    process.exit(2);
  }
  if (command === 'help') return void process.stdout.write(helpText());
  if (command === 'version') return void process.stdout.write(`${packageVersion()}\n`);

  // Step 2: configuration, with the TLS files read and checked.
  let config: ServerConfig;
  let tls: ServerOptions['tls'];
  try {
    config = readConfig(process.env);
    const tlsMode = tlsFor(config);
    if (tlsMode.mode === 'files') {
      tls = await readTlsFiles(tlsMode.certFile, tlsMode.keyFile);
    } else if (tlsMode.mode === 'self-signed') {
      tls = 'self-signed';
    }
  } catch (error) {
    process.stderr.write(`kurento-room: ${(error as Error).message}\n`);
    process.exit(2);
  }

  // Step 3: logging.
  const logger = createLogger(config.logLevel);

  // Step 4: the media backend. On a loopback HOST the SFU also announces this machine's
  // interface addresses: Firefox never offers a 127.0.0.1 candidate (FIELD-NOTES section 4).
  const network: WeriftNetwork =
    config.network.mode === 'loopback' ? { ...config.network, interfaces: true } : config.network;
  // With KMS_URL, Kurento Media Server (one, or a pool) does the media instead.
  const backend: MediaBackend = config.kmsUrls
    ? new KurentoBackend({ urls: config.kmsUrls, logger })
    : new WeriftBackend({ network, iceServers: config.iceServers, logger });
  logger.info(
    config.kmsUrls ? { kms: config.kmsUrls } : { network },
    config.kmsUrls ? 'media backend: Kurento Media Server' : 'media backend ready',
  );

  // Step 5: HTTP and WebSocket.
  const server = await startServer({
    host: config.host,
    port: config.port,
    iceServers: config.iceServers,
    turn: config.turn,
    iceTransportPolicy: config.iceTransportPolicy,
    backend,
    logger,
    dev: process.env.NODE_ENV !== 'production',
    allowedOrigins: config.allowedOrigins,
    allowNoOrigin: config.allowNoOrigin,
    tls,
    trustProxy: config.trustProxy,
    maxRooms: config.maxRooms,
    maxParticipantsPerRoom: config.maxParticipantsPerRoom,
    rateLimit: config.rateLimit,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    exposeStats: config.exposeStats,
  });

  // Step 6: tell the world (tests parse this line).
  process.stdout.write(`kurento-room server listening on ${server.url}\n`);

  // Step 7: graceful shutdown.
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
