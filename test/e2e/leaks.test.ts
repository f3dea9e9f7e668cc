/**
 * No leaks: one page joins and leaves a room 30 times through `<kurento-room>`'s
 * join/leave button, against the real server, while another participant stays; and a page
 * takes `<kurento-room>` off the page in the middle of a call, 10 times. Every
 * RTCPeerConnection the page created is closed, every camera track stopped, no video
 * element keeps a stream, the page's long-lived listeners and JS heap do not grow, and
 * the server releases every endpoint and room, its RSS near where it started.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { clickJoinLeave, demoUrl, statusText, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';

const CYCLES = 30;
const VIDEO = '320x240@15';

interface ServerStats {
  rooms: number;
  participants: number;
  endpoints: number;
  memory: { rss: number; heapUsed: number };
}

interface PageLedger {
  peers: { created: number; open: number };
  tracks: { created: number; live: number };
  videosWithStream: number;
  /** Media elements given a stream that are still alive after a full GC, in the DOM or not, and still hold one. */
  mediaWithStream: number;
  listeners: number;
  heapUsed: number;
}

/** Records tracks from getUserMedia and listeners on long-lived targets, before any page script. */
async function instrument(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const tracks: MediaStreamTrack[] = [];
    const media: WeakRef<HTMLMediaElement>[] = [];
    const ledger = { tracks, media, listeners: 0 };
    // Every media element given a stream, attached to the document or not (weakly: one that
    // nothing keeps is no leak, whatever it held).
    const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      ...srcObject,
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        if (value) media.push(new WeakRef(this));
        srcObject.set!.call(this, value);
      },
    });
    (window as unknown as { __ledger: typeof ledger }).__ledger = ledger;
    const getUserMedia = MediaDevices.prototype.getUserMedia;
    MediaDevices.prototype.getUserMedia = async function (constraints) {
      const stream = await getUserMedia.call(this, constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
    // Listeners on targets that outlive a call: the window, the document, the media
    // devices and the element. (Peer connections and sockets die with the call.)
    const longLived = (target: EventTarget) =>
      target === window ||
      target === document ||
      target === navigator.mediaDevices ||
      (target instanceof Element && target.localName === 'kurento-room');
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (longLived(this) && listener) ledger.listeners += 1;
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      if (longLived(this) && listener) ledger.listeners -= 1;
      return remove.call(this, type, listener, options);
    };
  });
}

async function ledger(page: Page): Promise<PageLedger> {
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  const seen = await page.evaluate(() => {
    const w = window as unknown as {
      __peers: RTCPeerConnection[];
      __ledger: {
        tracks: MediaStreamTrack[];
        media: WeakRef<HTMLMediaElement>[];
        listeners: number;
      };
    };
    const root = document.querySelector('kurento-room')?.shadowRoot;
    const videos = [
      ...document.querySelectorAll('video'),
      ...(root?.querySelectorAll('video') ?? []),
    ];
    return {
      peers: {
        created: w.__peers.length,
        open: w.__peers.filter((pc) => pc.connectionState !== 'closed').length,
      },
      tracks: {
        created: w.__ledger.tracks.length,
        live: w.__ledger.tracks.filter((t) => t.readyState === 'live').length,
      },
      videosWithStream: videos.filter((v) => v.srcObject).length,
      mediaWithStream: w.__ledger.media.filter((m) => m.deref()?.srcObject).length,
      listeners: w.__ledger.listeners,
    };
  });
  return { ...seen, heapUsed: usedSize };
}

async function serverStats(server: ServerProcess): Promise<ServerStats> {
  const response = await fetch(new URL('stats', server.url));
  return (await response.json()) as ServerStats;
}

describe(`${CYCLES} join/leave cycles in one page`, () => {
  let server: ServerProcess;
  let browser: Browser;
  let stayer: Page;
  let cycler: Page;

  before(async () => {
    // --expose-gc: /stats then reports memory after a full collection.
    server = await startServerProcess({ EXPOSE_STATS: 'true', NODE_OPTIONS: '--expose-gc' });
    browser = await launchBrowser();
    stayer = await openPage(browser, demoUrl(server.url, 'leaks', 'stayer', VIDEO));
    cycler = await openPage(browser, 'about:blank');
    await instrument(cycler);
    await cycler.goto(demoUrl(server.url, 'leaks', 'cycler', VIDEO));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Waits for a joined call with the other's video playing, then leaves and waits for the end. */
  async function cycle(first: boolean): Promise<void> {
    if (!first) await clickJoinLeave(cycler);
    await waitUntil(async () => (await tiles(cycler)).some((t) => !t.local && t.videoWidth > 0), {
      message: "the stayer's video in the cycler's page",
    });
    await clickJoinLeave(cycler);
    await waitUntil(
      async () =>
        (await tiles(cycler)).length === 0 && /not connected/i.test(await statusText(cycler)),
      {
        message: 'the cycler out of the room',
      },
    );
    await waitUntil(async () => (await tiles(stayer)).length === 1, {
      message: "the cycler's tile gone from the stayer's page",
    });
  }

  it('releases every peer connection, track, media element and listener, in the page and on the server', async () => {
    await cycle(true);
    const warm = await ledger(cycler);
    const serverWarm = await serverStats(server);
    for (let i = 2; i <= CYCLES; i++) await cycle(false);
    const end = await ledger(cycler);
    const serverEnd = await serverStats(server);
    const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
    console.log(
      `# page: ${end.peers.created} peer connections, ${end.tracks.created} tracks; JS heap ${mb(warm.heapUsed)} -> ${mb(end.heapUsed)} MB; ` +
        `server RSS ${mb(serverWarm.memory.rss)} -> ${mb(serverEnd.memory.rss)} MB, heap ${mb(serverWarm.memory.heapUsed)} -> ${mb(serverEnd.memory.heapUsed)} MB`,
    );

    assert.ok(
      end.peers.created >= CYCLES * 2,
      `a publisher and a subscriber per cycle: ${end.peers.created}`,
    );
    assert.equal(end.peers.open, 0, 'every peer connection closed');
    assert.ok(end.tracks.created >= CYCLES * 2, `audio and video per cycle: ${end.tracks.created}`);
    assert.equal(end.tracks.live, 0, 'every local track stopped');
    assert.equal(end.videosWithStream, 0, 'no video element holds a stream');
    assert.equal(end.mediaWithStream, 0, 'no media element, in the page or not, holds a stream');
    assert.equal(end.listeners, warm.listeners, 'no listener left behind on long-lived targets');
    assert.ok(
      end.heapUsed < warm.heapUsed + 4 * 1048576,
      `page heap stays flat: ${mb(warm.heapUsed)} -> ${mb(end.heapUsed)} MB`,
    );

    // On the server: only the stayer remains, with its publisher endpoint.
    assert.deepEqual(
      {
        rooms: serverEnd.rooms,
        participants: serverEnd.participants,
        endpoints: serverEnd.endpoints,
      },
      {
        rooms: serverWarm.rooms,
        participants: serverWarm.participants,
        endpoints: serverWarm.endpoints,
      },
    );
    assert.ok(
      serverEnd.memory.heapUsed < serverWarm.memory.heapUsed + 8 * 1048576,
      `server heap after GC near its baseline: ${mb(serverWarm.memory.heapUsed)} -> ${mb(serverEnd.memory.heapUsed)} MB`,
    );
    assert.ok(
      serverEnd.memory.rss < serverWarm.memory.rss + 40 * 1048576,
      `server RSS near its baseline: ${mb(serverWarm.memory.rss)} -> ${mb(serverEnd.memory.rss)} MB`,
    );
  });

  it('when the last participant leaves, the server frees the room and every endpoint', async () => {
    await clickJoinLeave(stayer);
    const stats = await waitUntil(
      async () => {
        const now = await serverStats(server);
        return now.rooms === 0 && now.participants === 0 && now.endpoints === 0 && now;
      },
      { message: 'an empty server' },
    );
    assert.equal(stats.endpoints, 0);
  });
});

const REMOVALS = 10;

describe(`<kurento-room> removed from the page during a call, ${REMOVALS} times`, () => {
  let server: ServerProcess;
  let browser: Browser;
  let stayer: Page;
  let remover: Page;

  before(async () => {
    server = await startServerProcess({ EXPOSE_STATS: 'true' });
    browser = await launchBrowser();
    stayer = await openPage(browser, demoUrl(server.url, 'removal', 'stayer', VIDEO));
    remover = await openPage(browser, 'about:blank');
    await instrument(remover);
    // The server's page, for its bundle; its own element goes, ours come and go.
    await remover.goto(server.url);
    await remover.evaluate(() => {
      document.querySelector('kurento-room')!.remove();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Adds an element that joins at once, waits for the stayer's video in it, then removes it. */
  async function callThenRemove(): Promise<void> {
    await remover.evaluate(
      (video) => {
        const element = document.createElement('kurento-room') as HTMLElement & {
          room: string;
          name: string;
          autojoin: boolean;
          media: MediaStreamConstraints;
        };
        element.media = { audio: true, video };
        element.room = 'removal';
        element.name = 'remover';
        element.autojoin = true;
        document.body.append(element);
      },
      { width: 320, height: 240, frameRate: 15 },
    );
    await waitUntil(async () => (await tiles(remover)).some((t) => !t.local && t.videoWidth > 0), {
      message: "the stayer's video in the remover's page",
    });
    await waitUntil(async () => (await tiles(stayer)).length === 2, {
      message: "the remover's tile in the stayer's page",
    });
    await remover.evaluate(() => document.querySelector('kurento-room')!.remove());
    await waitUntil(async () => (await tiles(stayer)).length === 1, {
      message: "the remover gone from the stayer's page (the element's removal left the room)",
    });
  }

  it('releases every peer connection, track, media element and listener of the removed elements', async () => {
    await callThenRemove();
    const warm = await ledger(remover);
    for (let i = 2; i <= REMOVALS; i++) await callThenRemove();
    const end = await ledger(remover);
    const given = await remover.evaluate(
      () => (window as unknown as { __ledger: { media: unknown[] } }).__ledger.media.length,
    );
    console.log(
      `# removal: ${end.peers.created} peer connections, ${end.tracks.created} tracks, ${given} media elements given a stream`,
    );
    assert.ok(end.peers.created >= REMOVALS * 2, `peer connections made: ${end.peers.created}`);
    assert.equal(end.peers.open, 0, 'every peer connection closed');
    assert.ok(end.tracks.created >= REMOVALS * 2, `tracks made: ${end.tracks.created}`);
    assert.equal(end.tracks.live, 0, 'every local track stopped');
    assert.ok(given >= REMOVALS * 2, `a local and a remote video per call: ${given}`);
    assert.equal(
      end.mediaWithStream,
      0,
      'no media element of a removed <kurento-room> holds a stream',
    );
    assert.equal(end.listeners, warm.listeners, 'no listener left behind on long-lived targets');
    const stats = await serverStats(server);
    assert.deepEqual(
      { participants: stats.participants, endpoints: stats.endpoints },
      { participants: 1, endpoints: 1 },
      'only the stayer and its publisher endpoint remain on the server',
    );
  });
});
