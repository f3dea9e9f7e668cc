/**
 * The HTTP side of the server: the demo page's static files and `/config.json`.
 *
 * @packageDocumentation
 */

import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import type { IceServer, IceTransportPolicy } from './ice-servers.js';
import type { Logger } from './logger.js';
import { checkTurnRestConfig, turnCredentials, type TurnRestConfig } from './turn-credentials.js';

/** What {@link createHttpHandler} serves. */
export interface HttpHandlerOptions {
  /** The folder of static files; missing or not a folder: every file is a 404. */
  staticDir: string;
  /** Development mode: files are read on every request and sent with `Cache-Control: no-store`. */
  dev: boolean;
  /** Served as `GET /config.json` → `{"iceServers": [...]}`: these as given (static ones). */
  iceServers: IceServer[];
  /**
   * When given, every `GET /config.json` adds one entry after {@link iceServers}: these
   * TURN URLs with credentials signed for that response (`turn-credentials.ts`).
   */
  turn?: TurnRestConfig | undefined;
  /** When given, `/config.json` carries it as `iceTransportPolicy`. */
  iceTransportPolicy?: IceTransportPolicy | undefined;
  /**
   * When given, `GET /stats` serves what it returns as JSON (uncached), for tests and
   * monitoring; otherwise `/stats` is a static path like any other.
   */
  stats?: (() => unknown) | undefined;
  logger: Logger;
}

/** A Node HTTP request listener. */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => void;

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found');
}

/**
 * Serves `GET /config.json` (`{iceServers, iceTransportPolicy?}`, what the page hands to
 * `RTCPeerConnection`; made per request, so TURN credentials are fresh), `GET /stats`
 * when enabled, and the static files of `staticDir` (sirv). Only GET and HEAD are
 * allowed (405 otherwise).
 *
 * @throws TypeError or RangeError for an invalid `turn` (see `checkTurnRestConfig`).
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { turn, iceTransportPolicy } = options;
  if (turn) checkTurnRestConfig(turn);
  const config = (): string =>
    JSON.stringify({
      iceServers: turn ? [...options.iceServers, turnCredentials(turn)] : options.iceServers,
      ...(iceTransportPolicy && { iceTransportPolicy }),
    });
  const hasFiles = existsSync(options.staticDir) && statSync(options.staticDir).isDirectory();
  if (!hasFiles) {
    options.logger.warn(
      { staticDir: options.staticDir },
      'no static files folder: run the build first',
    );
  }
  const files = hasFiles
    ? sirv(options.staticDir, {
        dev: options.dev,
        etag: true,
        ...(options.dev
          ? {
              setHeaders: (response: ServerResponse) =>
                response.setHeader('Cache-Control', 'no-store'),
            }
          : {}),
      })
    : undefined;

  // The JSON documents, by path, rendered per request.
  const documents = new Map<string, () => string>([['/config.json', config]]);
  const { stats } = options;
  if (stats) documents.set('/stats', () => JSON.stringify(stats()));

  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const json = documents.get(path)?.();
    if (json !== undefined) {
      response
        .writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        })
        .end(request.method === 'HEAD' ? undefined : json);
      return;
    }
    if (!files) {
      notFound(response);
      return;
    }
    files(request, response, () => notFound(response));
  };
}
