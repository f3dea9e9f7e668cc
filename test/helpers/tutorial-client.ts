/**
 * Serves the foreign client of the interoperability test: kurento-utils (npm, CommonJS)
 * bundled into a browser script exposing `kurentoUtils` as its bower build did, and a
 * page driving it the way the Kurento group-call tutorial's client does
 * (test/interop/tutorial-client.js).
 */
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import sirv from 'sirv';

const INTEROP = fileURLToPath(new URL('../interop/', import.meta.url));

/** A static server for the tutorial-style client page. */
export interface TutorialClientServer {
  /** The page's URL without a query. */
  url: string;
  /** The page URL joining `room` as `name` through the signaling server at `wsUrl`. */
  pageUrl(wsUrl: string, room: string, name: string): string;
  close(): Promise<void>;
}

/** Builds kurento-utils for the browser and serves the page on 127.0.0.1 and a free port. */
export async function serveTutorialClient(): Promise<TutorialClientServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kurento-utils-page-'));
  await build({
    entryPoints: ['kurento-utils'],
    bundle: true,
    format: 'iife',
    globalName: 'kurentoUtils',
    platform: 'browser',
    outfile: join(dir, 'kurento-utils.js'),
    logLevel: 'silent',
  });
  copyFileSync(join(INTEROP, 'tutorial-page.html'), join(dir, 'index.html'));
  copyFileSync(join(INTEROP, 'tutorial-client.js'), join(dir, 'tutorial-client.js'));
  const server: Server = createServer(sirv(dir, { dev: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    pageUrl(wsUrl, room, name) {
      const page = new URL(url);
      page.search = new URLSearchParams({ ws: wsUrl, room, name }).toString();
      return page.href;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
