/**
 * The reference signaling server: one HTTP server with the demo page, `/config.json`
 * and the Kurento group-call WebSocket at `/groupcall`, over a media backend.
 *
 * @packageDocumentation
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { GROUPCALL_PATH } from '../../src/protocol.js';
import { SignalingConnection } from './connection.js';
import { createHttpHandler } from './http-handler.js';
import type { IceServer } from './ice-servers.js';
import { createLogger, type LevelWithSilent, type Logger } from './logger.js';
import type { MediaBackend } from './media-backend.js';
import { RoomRegistry } from './rooms.js';
import { WeriftBackend } from './werift-backend.js';

/** The largest signaling frame accepted, in bytes (the tutorial server caps at 32768). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The default interval between WebSocket pings, in ms; a socket silent for two is dropped. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/** The folder the lead's rollup build writes the demo page to. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/demo', import.meta.url));

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** TCP port; `0` picks a free one. Default 8443. */
  port?: number;
  /** Static files of the demo page. Default `<repo>/dist/demo`; a missing folder only means 404s. */
  staticDir?: string;
  /** Development mode: static files re-read per request and not cached. Default true. */
  dev?: boolean;
  /**
   * The media backend. Default: the embedded werift SFU, loopback-only when `host` is
   * a loopback address, else announcing every local interface. A backend passed here
   * is not closed by {@link RunningServer.close} (its pipelines are released).
   */
  backend?: MediaBackend;
  /** STUN/TURN servers for the browser (`/config.json`) and the default backend. Default none. */
  iceServers?: IceServer[];
  /** The logger. Default: pino at `logLevel` on stderr. */
  logger?: Logger;
  /** Level of the default logger. Default `'info'`; tests use `'silent'`. */
  logLevel?: LevelWithSilent;
  /** Interval between WebSocket pings, in ms. Default {@link HEARTBEAT_INTERVAL_MS}. */
  heartbeatIntervalMs?: number;
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

/** A listening server. */
export interface RunningServer {
  /** The page, e.g. `http://127.0.0.1:8443/`. */
  url: string;
  /** The signaling WebSocket, e.g. `ws://127.0.0.1:8443/groupcall`. */
  wsUrl: string;
  /** The TCP port actually bound. */
  port: number;
  /** Live counts. */
  stats(): ServerStats;
  /**
   * Closes every socket (code 1001), releases every endpoint and pipeline, and stops
   * listening. Safe to call twice.
   */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function rejectUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Starts the server and resolves once it listens.
 *
 * @throws (rejects) the `listen` error, e.g. `EADDRINUSE`.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const iceServers = options.iceServers ?? [];
  const ownBackend = options.backend === undefined;
  const backend =
    options.backend ??
    new WeriftBackend({
      network: LOOPBACK_HOSTS.has(host) ? { mode: 'loopback' } : { mode: 'public' },
      iceServers,
      logger,
    });
  const rooms = new RoomRegistry(backend, logger);
  const connections = new Set<SignalingConnection>();
  const alive = new WeakMap<WebSocket, boolean>();
  let nextConnection = 1;
  let closing: Promise<void> | undefined;

  const httpServer = createServer(
    createHttpHandler({
      staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
      dev: options.dev ?? true,
      iceServers,
      logger,
    }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug({ err: error }, 'upgrade socket error'));
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (closing) return rejectUpgrade(socket, '503 Service Unavailable');
    if (path !== GROUPCALL_PATH) return rejectUpgrade(socket, '404 Not Found');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    const log = logger.child({ connection: nextConnection++ });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const connection = new SignalingConnection(ws, rooms, log);
    connections.add(connection);
    ws.on('close', () => {
      void connection.settled().then(() => connections.delete(connection));
    });
    log.debug('connected');
  });

  // Ping every socket; one that did not answer the previous ping is dead (ws heartbeat).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  try {
    httpServer.listen(options.port ?? 8443, host);
    await once(httpServer, 'listening');
  } catch (error) {
    clearInterval(heartbeat);
    wss.close();
    if (ownBackend) await backend.close();
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${hostForUrl(host)}:${port}/`;

  async function shutdown(): Promise<void> {
    clearInterval(heartbeat);
    const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    const sockets = [...wss.clients];
    for (const ws of sockets) ws.close(1001, 'server shutting down');
    // Sockets that do not finish the closing handshake in time are cut.
    const cut = setTimeout(() => sockets.forEach((ws) => ws.terminate()), 1000);
    await Promise.all(
      sockets.map((ws) => (ws.readyState === ws.CLOSED ? undefined : once(ws, 'close'))),
    );
    clearTimeout(cut);
    await Promise.all([...connections].map((connection) => connection.settled()));
    await rooms.close();
    if (ownBackend) await backend.close();
    wss.close();
    httpServer.closeAllConnections();
    await stopped;
    logger.info('server closed');
  }

  return {
    url,
    wsUrl: `ws://${hostForUrl(host)}:${port}${GROUPCALL_PATH}`,
    port,
    stats: () => ({
      rooms: rooms.size,
      participants: rooms.participantCount,
      endpoints: backend.stats().endpoints,
    }),
    close: () => (closing ??= shutdown()),
  };
}
