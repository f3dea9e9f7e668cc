/**
 * Serves `bench/pages/room-client-page.ts`, bundled with the SDK by esbuild (minified, as an
 * app's bundler would ship it), on 127.0.0.1 and a free port.
 *
 * @packageDocumentation
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import sirv from 'sirv';

/** A served page that joins as its script runs. */
export interface ServedPage {
  /** The page joining `room` as `name` over `wsUrl`. */
  pageUrl(wsUrl: string, room: string, name: string): string;
  /** Stops serving and removes the built files. */
  close(): Promise<void>;
}

/** Builds and serves the `RoomClient`-alone page. */
export async function serveRoomClientPage(): Promise<ServedPage> {
  const dir = mkdtempSync(join(tmpdir(), 'room-client-page-'));
  await build({
    entryPoints: [fileURLToPath(new URL('./room-client-page.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(dir, 'page.js'),
    logLevel: 'silent',
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>RoomClient alone</title></head>' +
      '<body><div id="participants"></div><script type="module" src="./page.js"></script></body></html>',
  );
  const server: Server = createServer(sirv(dir, { dev: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    pageUrl(wsUrl, room, name) {
      const page = new URL(url);
      page.search = new URLSearchParams({ ws: wsUrl, room, name }).toString();
      return page.href;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
