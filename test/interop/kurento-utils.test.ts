/**
 * Interoperability: a client built on kurento-utils (npm), driven the way the Kurento
 * group-call tutorial's browser client drives it, joins the same room of the reference
 * server as two RoomClients (in the demo page). All three see each other's video.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import sirv from 'sirv';
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { demoUrl, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Bundles kurento-utils (CommonJS) into a browser script exposing `kurentoUtils`, as its bower build did. */
async function serveTutorialClient(): Promise<{ server: Server; url: string }> {
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
  copyFileSync(join(HERE, 'tutorial-page.html'), join(dir, 'index.html'));
  copyFileSync(join(HERE, 'tutorial-client.js'), join(dir, 'tutorial-client.js'));
  const server = createServer(sirv(dir, { dev: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('kurento-utils tutorial client and RoomClient in one room', () => {
  let server: ServerProcess;
  let pageServer: Server;
  let browser: Browser;
  let tutorial: Page & { errors: string[] };
  const sdkPages = new Map<string, Page & { errors: string[] }>();

  before(async () => {
    server = await startServerProcess();
    const served = await serveTutorialClient();
    pageServer = served.server;
    browser = await launchBrowser();
    sdkPages.set('ana', await openPage(browser, demoUrl(server.url, 'interop', 'ana')));
    const url = new URL(served.url);
    url.search = new URLSearchParams({
      ws: server.wsUrl,
      room: 'interop',
      name: 'kurento-utils',
    }).toString();
    tutorial = await openPage(browser, url.href);
    sdkPages.set('ben', await openPage(browser, demoUrl(server.url, 'interop', 'ben')));
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    await server?.stop();
  });

  it('the kurento-utils client plays video from both RoomClients', async () => {
    const playing = await waitUntil(
      () =>
        tutorial.evaluate(() => {
          const videos = [...document.querySelectorAll<HTMLVideoElement>('video[data-name]')];
          const remote = videos.filter((v) => v.dataset.name !== 'kurento-utils');
          return (
            remote.length === 2 &&
            remote.every((v) => v.videoWidth > 0) &&
            remote.map((v) => v.dataset.name!)
          );
        }),
      { message: 'kurento-utils client playing two remote videos', timeoutMs: 20000 },
    );
    assert.deepEqual(playing.sort(), ['ana', 'ben']);
  });

  it('each RoomClient plays video from the kurento-utils client and the other RoomClient', async () => {
    for (const [name, page] of sdkPages) {
      const remote = await waitUntil(
        async () => {
          const list = (await tiles(page)).filter((t) => !t.local);
          return list.length === 2 && list.every((t) => t.videoWidth > 0) && list;
        },
        { message: `${name} playing two remote tiles` },
      );
      assert.deepEqual(
        remote.map((t) => t.name).sort(),
        ['kurento-utils', name === 'ana' ? 'ben' : 'ana'].sort(),
      );
    }
  });

  it('no page threw an uncaught exception', () => {
    assert.deepEqual(tutorial.errors, []);
    for (const page of sdkPages.values()) assert.deepEqual(page.errors, []);
  });
});
