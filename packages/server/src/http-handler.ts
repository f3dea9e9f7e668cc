/**
 * The HTTP side of the server: the demo page's static files and `/config.json`.
 *
 * @packageDocumentation
 */

import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import type { IceServer } from './ice-servers.js';
import type { Logger } from './logger.js';

/** What {@link createHttpHandler} serves. */
export interface HttpHandlerOptions {
  /** The folder of static files; missing or not a folder: every file is a 404. */
  staticDir: string;
  /** Development mode: files are read on every request and sent with `Cache-Control: no-store`. */
  dev: boolean;
  /** Served as `GET /config.json` → `{"iceServers": [...]}`. */
  iceServers: IceServer[];
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
 * Serves `GET /config.json` (the STUN/TURN list the page hands to
 * `RTCPeerConnection`), `GET /stats` when enabled, and the static files of `staticDir`
 * (sirv). Only GET and HEAD are allowed (405 otherwise).
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const config = JSON.stringify({ iceServers: options.iceServers });
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
  const documents = new Map<string, () => string>([['/config.json', () => config]]);
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
