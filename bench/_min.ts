import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess } from '../test/helpers/server-process.js';
import { launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl, tiles } from '../test/helpers/room-page.js';
import { serveTutorialClient } from '../test/helpers/tutorial-client.js';
import { waitUntil } from '../test/helpers/wait.js';
const VIDEO = '320x240@15';
const server = await startServerProcess({ LOG_LEVEL: 'warn' });
const tut = await serveTutorialClient();
const browser: Browser = await launchBrowser();
for (const n of ['p1', 'p2', 'p3']) {
  const p = await openPage(browser, demoUrl(server.url, 'r', n, VIDEO));
  await waitUntil(
    async () => (await tiles(p)).filter((t) => t.videoWidth > 0).length === Number(n[1]),
  );
}
async function measure(page: Page) {
  return waitUntil(
    () =>
      page.evaluate(() => {
        const m = (window as any).__m;
        return m.frames.length >= 3 && Math.min(...m.frames) - m.joinAt;
      }),
    { timeoutMs: 20000 },
  );
}
async function prep(url: string) {
  const page = await openPage(browser, 'about:blank');
  await page.evaluateOnNewDocument(() => {
    const m = { joinAt: 0, frames: [] as number[] };
    (window as any).__m = m;
    const W = window.WebSocket;
    window.WebSocket = class extends W {
      constructor(u: string) {
        if (!m.joinAt) m.joinAt = performance.now();
        super(u);
      }
    } as any;
    const N = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends N {
      constructor(c: any) {
        super(c);
        this.addEventListener('track', (e: any) => {
          if (e.track.kind !== 'video') return;
          const v = document.createElement('video');
          v.muted = true;
          v.srcObject = new MediaStream([e.track]);
          v.requestVideoFrameCallback(() => m.frames.push(performance.now()));
          v.play();
        });
      }
    } as any;
  });
  await page.goto(url);
  return page;
}
const res: Record<string, number[]> = { demo: [], minimal: [], ku: [] };
for (let k = 0; k < 6; k++) {
  let p = await prep(demoUrl(server.url, 'r', `d${k}`, VIDEO));
  res.demo.push(await measure(p));
  await p.browserContext().close();
  p = await prep(server.url + 'config.json');
  await p.evaluate(async (k) => {
    const { RoomClient } = await import('/kurento-room.bundle.js' as any);
    const c = new RoomClient({
      url: '/groupcall',
      media: {
        audio: true,
        video: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } },
      },
    });
    c.on('remoteStreamAdded', (_p: any, s: MediaStream) => {
      const v = document.createElement('video');
      v.autoplay = true;
      v.srcObject = s;
      document.body.append(v);
    });
    await c.join('r', `m${k}`);
  }, k);
  res.minimal.push(await measure(p));
  await p.browserContext().close();
  p = await prep(tut.pageUrl(server.wsUrl, 'r', `k${k}`));
  res.ku.push(await measure(p));
  await p.browserContext().close();
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [k, v] of Object.entries(res))
  console.log(k, Math.round(med(v)), v.map(Math.round).join(' '));
await browser.close();
await tut.close();
await server.stop();
