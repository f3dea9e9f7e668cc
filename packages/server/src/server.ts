/**
 * The reference signaling server: one HTTP server with the demo page, `/config.json`
 * and the Kurento group-call WebSocket at `/groupcall`, over a media backend that the
 * caller chooses (`main.ts` starts the embedded werift SFU); nothing here knows which.
 *
 * @packageDocumentation
 */

import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, GROUPCALL_PATH } from 'kurento-room/protocol';
import { SignalingConnection } from './signaling/connection.js';
import { HEARTBEAT_INTERVAL_MS, Heartbeat } from './signaling/heartbeat.js';
import { createHttpHandler } from './http-handler.js';
import type { IceServer, IceTransportPolicy } from './ice-servers.js';
import { createLogger, type LevelWithSilent, type Logger } from './logger.js';
import type { MediaBackend } from './media/media-backend.js';
import { createOriginPolicy, ownHosts, type OriginPolicy } from './origin-policy.js';
import { RateLimiter, type RateLimit } from './signaling/rate-limiter.js';
import { checkMediaTimeout } from './signaling/media-deadline.js';
import { RoomRegistry } from './signaling/rooms.js';
import { createSelfSignedCertificate, spkiSha256, type TlsCredentials } from './tls.js';
import { checkTurnRestConfig, type TurnRestConfig } from './turn-credentials.js';

/** Re-exported from `heartbeat.ts`: the default ping interval, in ms. */
export { HEARTBEAT_INTERVAL_MS };

/**
 * The largest signaling frame accepted, in bytes; a larger one closes the socket with
 * 1009 (the tutorial server caps at 32768).
 */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The demo page and the SDK's drop-in bundle, as the server package's build writes them. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** Options of {@link startServer}. */
export interface ServerOptions {
  /**
   * The media backend the rooms create their pipelines on (`main.ts` passes the embedded
   * werift SFU, tests a scripted one). The caller owns it: {@link RunningServer.close}
   * releases the rooms' pipelines but does not close the backend.
   */
  backend: MediaBackend;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** TCP port; `0` picks a free one. Default 8443. */
  port?: number;
  /**
   * Static files of the demo page. Default {@link DEFAULT_STATIC_DIR}, the package's
   * `public/` (beside `src/` and `dist/`, written by its rollup config); a missing folder
   * only means 404s.
   */
  staticDir?: string;
  /** Development mode: static files re-read per request and not cached. Default true. */
  dev?: boolean;
  /** STUN/TURN servers for the browser (`/config.json`). Default none. */
  iceServers?: IceServer[];
  /**
   * coturn servers sharing a secret (`use-auth-secret`): `/config.json` adds them with
   * credentials signed per request (`turn-credentials.ts`). Default none.
   */
  turn?: TurnRestConfig;
  /** Carried in `/config.json` as `iceTransportPolicy` (`'relay'`: TURN only). Default absent. */
  iceTransportPolicy?: IceTransportPolicy;
  /** The logger. Default: pino at `logLevel` on stderr. */
  logger?: Logger;
  /** Level of the default logger. Default `'info'`; tests use `'silent'`. */
  logLevel?: LevelWithSilent;
  /**
   * Interval between WebSocket pings, in ms. Default {@link HEARTBEAT_INTERVAL_MS}. A
   * socket that has not answered a ping by the next one is closed with
   * `CloseCode.HEARTBEAT_TIMEOUT` (cut after a second if the peer does not answer the
   * close either) and its participant leaves as on any close.
   */
  heartbeatIntervalMs?: number;
  /**
   * Origins whose pages may open the WebSocket (`'*'`: any); an upgrade from another
   * gets HTTP 403. Default: the server's own origins, `http://HOST:PORT` (see
   * `ownOrigins` in `origin-policy.ts`), and any loopback origin when `host` is a
   * loopback address.
   */
  allowedOrigins?: string[];
  /**
   * Whether an upgrade without an `Origin` header (not a browser: bots, tests, tools)
   * is accepted. Default true.
   */
  allowNoOrigin?: boolean;
  /**
   * HTTPS and WSS on the one port: a certificate and its key (PEM, see `readTlsFiles` in
   * `tls.ts`), or `'self-signed'` to make a certificate for the names the server is
   * reached by (`ownHosts` in `origin-policy.ts`) at start-up; a warning logs its SHA-256
   * fingerprint. The own origins are then `https:`. Default: plain HTTP.
   *
   * @throws (rejects) the TLS error when the certificate or key is unusable.
   */
  tls?: TlsCredentials | 'self-signed';
  /**
   * Behind a TLS-terminating reverse proxy: trust its `X-Forwarded-Proto` and
   * `X-Forwarded-Host` for the `Origin` check (`trustProxy` in `origin-policy.ts`).
   * Default false.
   */
  trustProxy?: boolean;
  /** The per-connection message rate limit. Default `DEFAULT_RATE_LIMIT` (50/s, bursts of 200). */
  rateLimit?: Partial<RateLimit>;
  /** Open rooms at once; a join that would open one more gets `TOO_MANY_ROOMS`. Default 100. */
  maxRooms?: number;
  /** Participants per room; one more gets `ROOM_FULL`. Default 16. */
  maxParticipantsPerRoom?: number;
  /**
   * The deadline of each media-backend call (pipeline and endpoint creation,
   * `processOffer`, `addIceCandidate`, release), in ms: a call that misses it fails its
   * request with a `MEDIA_ERROR` reply, and what it produces later is released. Default
   * 10 000 (`DEFAULT_MEDIA_TIMEOUT_MS`); a value that is not positive throws a `RangeError`.
   */
  mediaTimeoutMs?: number;
  /**
   * Serve `GET /stats`: {@link ServerStats} plus `memory: {rss, heapUsed}` (bytes,
   * `process.memoryUsage()`, after a full garbage collection when Node runs with
   * `--expose-gc`), for tests and monitoring. Default false: it tells anyone how busy the
   * server is.
   */
  exposeStats?: boolean;
}

/** Live counts of a running server. */
export interface ServerStats {
  /** Open rooms. */
  rooms: number;
  /** Participants over all rooms. */
  participants: number;
  /** Live media endpoints, as the backend counts them. */
  endpoints: number;
}

/** The certificate a server with `tls` serves. */
export interface ServedCertificate {
  /** The certificate (PEM), e.g. for a client's `ca:` when it is self-signed. */
  pem: string;
  /** Its SHA-256 fingerprint, colon-separated upper-case hex (`keytool -list`'s format). */
  fingerprint256: string;
  /** Base64 SHA-256 of its public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  spkiSha256: string;
  /** Whether the server made it (`tls: 'self-signed'`). */
  selfSigned: boolean;
}

/** A listening server. */
export interface RunningServer {
  /** The page, e.g. `http://127.0.0.1:8443/` (`https:` with `tls`). */
  url: string;
  /** The signaling WebSocket, e.g. `ws://127.0.0.1:8443/groupcall` (`wss:` with `tls`). */
  wsUrl: string;
  /** With `tls`: the certificate served. */
  certificate?: ServedCertificate;
  /** The TCP port actually bound. */
  port: number;
  /** Live counts. */
  stats(): ServerStats;
  /**
   * Stops accepting (upgrades get 503), closes every socket with `CloseCode.GOING_AWAY`
   * ("server shutting down"; a socket that does not finish the closing handshake
   * within a second is cut), releases every endpoint and pipeline, and stops listening.
   * Safe to call twice.
   */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function rejectUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The certificate of `tls`: the given one, or a self-signed one made now for the names of
 * `host` (announced with a warning that carries its fingerprints, as the Kurento
 * tutorials' demo keystore comes with its fingerprint); undefined without `tls`.
 */
async function servedCertificate(
  tls: ServerOptions['tls'],
  host: string,
  logger: Logger,
): Promise<(ServedCertificate & { cert: string; key: string }) | undefined> {
  if (tls === undefined) return undefined;
  if (tls !== 'self-signed') {
    createSecureContext(tls); // throws what https.createServer would: a bad PEM, a foreign key
    const first = new X509Certificate(tls.cert);
    return {
      ...tls,
      pem: first.toString(),
      fingerprint256: first.fingerprint256,
      spkiSha256: spkiSha256(first),
      selfSigned: false,
    };
  }
  const made = await createSelfSignedCertificate(ownHosts(host));
  logger.warn(
    {
      fingerprint256: made.fingerprint256,
      spkiSha256: made.spkiSha256,
      names: made.names,
      notAfter: made.notAfter.toISOString(),
    },
    `HTTPS with a self-signed certificate (no TLS_CERT and TLS_KEY given): browsers warn ` +
      `until it is accepted; check its SHA-256 fingerprint ${made.fingerprint256}`,
  );
  return { ...made, pem: made.cert, selfSigned: true };
}

/**
 * Starts the server and resolves once it listens.
 *
 * @throws (rejects) the `listen` error, e.g. `EADDRINUSE`; a `TypeError` for an
 *   invalid `allowedOrigins` entry or `turn` URL or secret; a `RangeError` for an
 *   invalid rate limit, heartbeat interval or `turn` lifetime.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const iceServers = options.iceServers ?? [];
  new RateLimiter(options.rateLimit); // invalid limits throw here, before anything is opened
  if (options.turn) checkTurnRestConfig(options.turn);
  if (options.mediaTimeoutMs !== undefined) checkMediaTimeout(options.mediaTimeoutMs);
  const certificate = await servedCertificate(options.tls, host, logger); // or throws
  const connections = new Map<WebSocket, SignalingConnection>();
  const heartbeat = new Heartbeat(options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, (ws) => {
    const connection = connections.get(ws);
    if (!connection) return ws.terminate();
    void connection.close(CloseCode.HEARTBEAT_TIMEOUT, 'no pong to the heartbeat ping');
  });
  const backend = options.backend;
  const rooms = new RoomRegistry(backend, logger, {
    maxRooms: options.maxRooms,
    maxParticipantsPerRoom: options.maxParticipantsPerRoom,
    mediaTimeoutMs: options.mediaTimeoutMs,
  });
  let nextConnection = 1;
  let closing: Promise<void> | undefined;
  let originAllowed: OriginPolicy = () => false; // set once the port is known

  const stats = (): ServerStats => ({
    rooms: rooms.size,
    participants: rooms.participantCount,
    endpoints: backend.stats().endpoints,
  });
  const handler = createHttpHandler({
    staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
    dev: options.dev ?? true,
    iceServers,
    turn: options.turn,
    iceTransportPolicy: options.iceTransportPolicy,
    stats: options.exposeStats
      ? () => {
          // Started with --expose-gc (tests do), the figures follow a full collection.
          (globalThis as { gc?: () => void }).gc?.();
          const { rss, heapUsed } = process.memoryUsage();
          return { ...stats(), memory: { rss, heapUsed } };
        }
      : undefined,
    logger,
  });
  const httpServer = certificate
    ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler)
    : createServer(handler);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  // Step 1: the upgrade, where a connection is refused before it costs anything.
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug({ err: error }, 'upgrade socket error'));
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (closing) return rejectUpgrade(socket, '503 Service Unavailable');
    if (path !== GROUPCALL_PATH) return rejectUpgrade(socket, '404 Not Found');
    const origin = request.headers.origin;
    if (!originAllowed(origin, request.headers)) {
      logger.warn(
        { origin: origin ?? null, remote: request.socket.remoteAddress },
        'WebSocket upgrade refused: origin not allowed',
      );
      return rejectUpgrade(socket, '403 Forbidden');
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  // Step 2: a connection per socket, watched by the heartbeat.
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const log = logger.child({ connection: nextConnection++ });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));
    if (closing) return ws.close(CloseCode.GOING_AWAY, 'server shutting down'); // upgraded meanwhile
    const connection = new SignalingConnection(ws, rooms, log, options.rateLimit);
    connections.set(ws, connection);
    heartbeat.watch(ws);
    ws.on('close', () => {
      void connection.settled().then(() => connections.delete(ws));
    });
    log.info(
      { remote: request.socket.remoteAddress, origin: request.headers.origin ?? null },
      'connection open',
    );
  });

  // Step 3: listen, then allow the origins of the actual port.
  let port: number;
  try {
    httpServer.listen(options.port ?? 8443, host);
    await once(httpServer, 'listening');
    port = (httpServer.address() as AddressInfo).port;
    originAllowed = createOriginPolicy({
      allowedOrigins: options.allowedOrigins,
      allowNoOrigin: options.allowNoOrigin,
      secure: certificate !== undefined,
      trustProxy: options.trustProxy,
      host,
      port,
    });
  } catch (error) {
    heartbeat.stop();
    wss.close();
    httpServer.close();
    throw error;
  }
  const secure = certificate !== undefined;
  const url = `${secure ? 'https' : 'http'}://${hostForUrl(host)}:${port}/`;

  async function shutdown(): Promise<void> {
    heartbeat.stop();
    const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await Promise.all(
      [...connections.values()].map((connection) =>
        connection.close(CloseCode.GOING_AWAY, 'server shutting down'),
      ),
    );
    await Promise.all([...connections.values()].map((connection) => connection.settled()));
    await rooms.close();
    wss.close();
    httpServer.closeAllConnections();
    await stopped;
    logger.info('server closed');
  }

  return {
    url,
    wsUrl: `${secure ? 'wss' : 'ws'}://${hostForUrl(host)}:${port}${GROUPCALL_PATH}`,
    ...(certificate && {
      certificate: {
        pem: certificate.cert,
        fingerprint256: certificate.fingerprint256,
        spkiSha256: certificate.spkiSha256,
        selfSigned: certificate.selfSigned,
      },
    }),
    port,
    stats,
    close: () => (closing ??= shutdown()),
  };
}
