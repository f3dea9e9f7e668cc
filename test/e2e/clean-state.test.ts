/**
 * Failures that leave a clean state to try again from, in a real browser against real
 * servers: a camera the browser denies, a name the server refuses, and a server that
 * accepts the socket but never answers. Each gives the app a typed error, leaves no
 * peer connection open and no track live, and a second try works.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { WebSocketServer } from 'ws';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { demoUrl, statusText, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';

const VIDEO = '320x240@15';

/** What a page's RoomClient saw, as plain data. */
interface Attempt {
  error?: { name: string; reason: string; code?: string };
  state: string;
  openPeers: number;
  liveTracks: number;
}

type AttemptFn = (
  url: string,
  room: string,
  name: string,
  joinTimeoutMs: number,
) => Promise<Attempt>;

/**
 * Opens the SDK bundle the server serves in a blank page of that origin and exposes
 * `window.attempt(url, room, name, timeoutMs)`, which joins with a fresh RoomClient and
 * reports the outcome; a successful client stays joined on `window.client`.
 */
async function sdkPage(browser: Browser, server: ServerProcess): Promise<Page> {
  const page = await openPage(browser, new URL('config.json', server.url).href);
  await page.evaluate(async () => {
    const sdk = await import('/kurento-room.bundle.js' as string);
    const tracks: MediaStreamTrack[] = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
    const w = window as unknown as Record<string, unknown> & { __peers: RTCPeerConnection[] };
    w.attempt = async (url: string, room: string, name: string, joinTimeoutMs: number) => {
      const client = new sdk.RoomClient({
        url,
        joinTimeoutMs,
        media: { audio: true, video: { width: 320, height: 240 } },
      });
      let error: { name: string; reason: string; code?: string } | undefined;
      try {
        await client.join(room, name);
        w.client = client;
      } catch (e) {
        const err = e as { name: string; reason: string; code?: string };
        error = { name: err.name, reason: err.reason, code: err.code };
      }
      return {
        error,
        state: client.state,
        openPeers: w.__peers.filter((pc) => pc.connectionState !== 'closed').length,
        liveTracks: tracks.filter((t) => t.readyState === 'live').length,
      };
    };
  });
  return page;
}

/** Runs the page's `attempt` (see {@link sdkPage}) and returns what it saw. */
function attempt(page: Page, url: string, room: string, name: string, timeoutMs: number) {
  return page.evaluate(
    (...args: Parameters<AttemptFn>) =>
      (window as unknown as { attempt: AttemptFn }).attempt(...args),
    url,
    room,
    name,
    timeoutMs,
  );
}

describe('failures leave a clean state to try again from', () => {
  let server: ServerProcess;
  let browser: Browser;
  let silent: WebSocketServer;
  let silentUrl: string;

  before(async () => {
    server = await startServerProcess();
    browser = await launchBrowser();
    silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    silentUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/groupcall`;
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => silent?.close(resolve));
    await server?.stop();
  });

  it('a server that never answers: join rejects with a timeout, then joining a real one works', async () => {
    const page = await sdkPage(browser, server);
    const failed = await attempt(page, silentUrl, 'quiet', 'ida', 1500);
    assert.deepEqual(failed, {
      error: { name: 'SignalingError', reason: 'timeout' },
      state: 'disconnected',
      openPeers: 0,
      liveTracks: 0,
    });
    const joined = await attempt(page, server.wsUrl, 'quiet', 'ida', 5000);
    assert.equal(joined.error, undefined);
    assert.equal(joined.state, 'connected');
  });

  it('a refused name: join rejects with NAME_TAKEN and nothing open, then another name works', async () => {
    const holder = await openPage(browser, demoUrl(server.url, 'names', 'jo', VIDEO));
    await waitUntil(async () => (await tiles(holder)).some((t) => t.local && t.videoWidth > 0), {
      message: 'jo in the room',
    });
    const page = await sdkPage(browser, server);
    const refused = await attempt(page, server.wsUrl, 'names', 'jo', 5000);
    assert.deepEqual(refused, {
      error: { name: 'SignalingError', reason: 'server', code: 'NAME_TAKEN' },
      state: 'disconnected',
      openPeers: 0,
      liveTracks: 0,
    });
    const joined = await attempt(page, server.wsUrl, 'names', 'jo2', 5000);
    assert.equal(joined.state, 'connected');
    await waitUntil(async () => (await tiles(holder)).some((t) => t.name === 'jo2'), {
      message: "jo2's tile in jo's page",
    });
  });

  it('a camera the browser denies: the page says so in words, still joins and sees the others', async () => {
    const other = await openPage(browser, demoUrl(server.url, 'denied', 'kim', VIDEO));
    const denying = await launchBrowser({ denyMedia: true });
    try {
      const page = await openPage(denying, demoUrl(server.url, 'denied', 'lee', VIDEO));
      const status = await waitUntil(
        async () => {
          const text = await statusText(page);
          return /blocked/i.test(text) && text;
        },
        { message: 'the camera-blocked message' },
      );
      assert.match(status, /allow access/i);
      await waitUntil(
        async () => (await tiles(page)).some((t) => t.name === 'kim' && t.videoWidth > 0),
        { message: "kim's video in lee's page" },
      );
      await waitUntil(async () => (await tiles(other)).some((t) => t.name === 'lee'), {
        message: "lee's tile in kim's page",
      });
    } finally {
      await denying.close();
    }
  });
});
