/**
 * The entry point of `npm start`: the reference server with its embedded SFU,
 * configured from the environment (read by `env-config.ts`).
 *
 * | variable                       | default        | what                                                        |
 * | ------------------------------ | -------------- | ----------------------------------------------------------- |
 * | `HOST`                         | `127.0.0.1`    | interface to listen on (`0.0.0.0` for all)                  |
 * | `PORT`                         | `8443`         | HTTP and WebSocket port (`0`: any free port)                |
 * | `LOG_LEVEL`                    | `info`         | `fatal` `error` `warn` `info` `debug` `trace` `silent`      |
 * | `ICE_SERVERS`                  | none           | JSON array of `RTCIceServer`, for the SFU and the browsers  |
 * | `ANNOUNCED_IP`                 | none           | the address the SFU announces in its ICE candidates         |
 * | `RTC_MIN_PORT`, `RTC_MAX_PORT` | any            | UDP port range of the SFU (both or neither)                 |
 * | `ALLOWED_ORIGINS`              | own origins    | comma-separated origins whose pages may connect; `*`: any   |
 * | `ALLOW_NO_ORIGIN`              | `true`         | accept WebSocket upgrades without an `Origin` header        |
 * | `MAX_ROOMS`                    | `100`          | open rooms; one more gets `TOO_MANY_ROOMS`                  |
 * | `MAX_PARTICIPANTS_PER_ROOM`    | `16`           | participants per room; one more gets `ROOM_FULL`            |
 * | `RATE_LIMIT_PER_SECOND`        | `50`           | messages per second per connection, sustained               |
 * | `RATE_LIMIT_BURST`             | `200`          | messages per connection at once (ICE candidates burst)      |
 * | `HEARTBEAT_INTERVAL_MS`        | `30000`        | ms between WebSocket pings; no pong by the next: closed     |
 * | `EXPOSE_STATS`                 | `false`        | serve `GET /stats`: counts and memory as JSON               |
 *
 * The `Origin` check: browsers always send `Origin` on a WebSocket upgrade, and an
 * upgrade whose origin is not allowed gets HTTP 403 (a warning is logged). The
 * default, "own origins", is `http://HOST:PORT`, plus `http://localhost:PORT` when
 * `HOST` is 127.0.0.1, or every local interface address when it is `0.0.0.0`; a
 * loopback `HOST` also accepts any loopback origin (pages from other local ports). A
 * page served elsewhere (a TLS proxy, a DNS name) needs `ALLOWED_ORIGINS`, e.g.
 * `https://meet.example.com`. Upgrades without `Origin` come from non-browser clients
 * (bots, tests, command-line tools) and are accepted unless `ALLOW_NO_ORIGIN=false`.
 *
 * Messages beyond the rate limit are dropped with one `error RATE_LIMITED` reply per
 * second; a connection sending over ten times the sustained rate for five seconds in a
 * row is closed with 1008 (policy violation). Frames over 64 KiB close the socket
 * with 1009.
 *
 * Prints exactly one line to stdout once listening,
 * `kurento-room server listening on http://HOST:PORT/` (the actual port when
 * `PORT=0`); logs (pino JSON lines) go to stderr. SIGINT and SIGTERM close it
 * gracefully: no new connections, every socket closed with 1001 ("server shutting
 * down"), all media released, exit 0; after 5 s it exits 1 anyway, and a second
 * signal exits 1 at once. An invalid variable exits 2 and names it.
 *
 * @packageDocumentation
 */

import { readConfig, type ServerConfig } from './env-config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { WeriftBackend } from './media/werift/werift-backend.js';

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
    allowedOrigins: config.allowedOrigins,
    allowNoOrigin: config.allowNoOrigin,
    maxRooms: config.maxRooms,
    maxParticipantsPerRoom: config.maxParticipantsPerRoom,
    rateLimit: config.rateLimit,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    exposeStats: config.exposeStats,
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
