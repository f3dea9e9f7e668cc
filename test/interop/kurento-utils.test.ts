/**
 * Interoperability: a client built on kurento-utils (npm), driven the way the Kurento
 * group-call tutorial's browser client drives it, joins the same room of the reference
 * server as two RoomClients (in the demo page). All three see each other's video. With
 * `E2E_BROWSERS=chromium,firefox` the three pages are dealt to the browsers in turn (the
 * kurento-utils client in Firefox).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { e2eBrowsers, launchBrowser, openPage } from '../helpers/browser.js';
import { demoUrl, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';
import { serveTutorialClient, type TutorialClientServer } from '../helpers/tutorial-client.js';

describe('kurento-utils tutorial client and RoomClient in one room', () => {
  let server: ServerProcess;
  let pageServer: TutorialClientServer;
  const browsers: Browser[] = [];
  let tutorial: Page & { errors: string[] };
  const sdkPages = new Map<string, Page & { errors: string[] }>();

  before(async () => {
    server = await startServerProcess();
    pageServer = await serveTutorialClient();
    for (const name of e2eBrowsers()) browsers.push(await launchBrowser({ browser: name }));
    const dealt = (i: number) => browsers[i % browsers.length]!;
    sdkPages.set('ana', await openPage(dealt(0), demoUrl(server.url, 'interop', 'ana')));
    tutorial = await openPage(
      dealt(1),
      pageServer.pageUrl(server.wsUrl, 'interop', 'kurento-utils'),
    );
    sdkPages.set('ben', await openPage(dealt(2), demoUrl(server.url, 'interop', 'ben')));
  });

  after(async () => {
    for (const browser of browsers) await browser.close();
    await pageServer?.close();
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
