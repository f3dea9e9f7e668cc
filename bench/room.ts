/**
 * Bench: `npm run bench -- [N] [holdSeconds] [rounds] [--backend=werift|kurento|both]`
 * (defaults 3, 20, 3 and werift).
 *
 * Starts the reference server (on the embedded werift SFU, or with `kurento` on a Kurento
 * Media Server of its own, started on free ports; `both` measures one, then the other,
 * in one run) and drives N headless Chromium participants through the demo page into
 * one room, then prints:
 *   - join -> first remote frame and join -> a frame from everyone already in the room
 *     (ms; median and max over participants 2..N as they join one after another);
 *   - the same for a late joiner into the full room, `rounds` times with RoomClient and
 *     `rounds` times with the baseline: a kurento-utils client driven the way the Kurento
 *     tutorial does, measured in the same run against the same server, and the ratio;
 *   - the server's CPU (% of one core; Node and KMS processes together on Kurento) and
 *     RSS (MB) over the hold, and receivers' decoded frame rates;
 *   - bundle sizes, minified and gzipped, against kurento-utils as the baseline (`./size.ts`).
 * Every camera sends 320x240 at 15 fps, as the Kurento tutorial's client asks.
 * "Join" is the moment the client constructs its signaling WebSocket; a frame is the
 * first `requestVideoFrameCallback` of a remote video track. Run on demand, not in
 * `npm test`: the figures are noisy on shared machines.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { startKms, type KmsInstance } from '../test/helpers/kms.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { inboundReports, launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl, tiles } from '../test/helpers/room-page.js';
import { serveTutorialClient } from '../test/helpers/tutorial-client.js';
import { waitUntil } from '../test/helpers/wait.js';
import { printSizes } from './size.js';

/** CPU seconds used so far and RSS in MB of a process, from /proc. */
function processUsage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { cpuSeconds, rssMb: rss / 1024 };
}

interface JoinMarks {
  joinAt: number;
  frames: number[];
}

/**
 * Opens `url` with timing marks recorded in the page: when the first WebSocket is
 * constructed, and when each remote video track shows its first frame. Works the same
 * for any client (ours or kurento-utils), since it hooks the browser APIs they share.
 */
async function openMeasured(browser: Browser, url: string): Promise<Page> {
  const page = await openPage(browser, 'about:blank');
  await page.evaluateOnNewDocument(() => {
    const marks = { joinAt: 0, frames: [] as number[] };
    (window as unknown as { __bench: typeof marks }).__bench = marks;
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        if (!marks.joinAt) marks.joinAt = performance.now();
        super(url, protocols);
      }
    };
    const NativePeerConnection = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('track', ({ track }) => {
          if (track.kind !== 'video') return;
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = new MediaStream([track]);
          video.requestVideoFrameCallback(() => {
            marks.frames.push(performance.now());
            video.srcObject = null;
          });
          void video.play();
        });
      }
    } as typeof RTCPeerConnection;
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Waits until the page has shown frames from `count` remote videos; returns its marks. */
function framesFrom(page: Page, count: number): Promise<JoinMarks> {
  return waitUntil(
    () =>
      page.evaluate((n) => {
        const marks = (window as unknown as { __bench: JoinMarks }).__bench;
        return marks.frames.length >= n && marks;
      }, count),
    { timeoutMs: 60000, intervalMs: 20, message: `${count} remote videos` },
  );
}

/** join -> first frame, and join -> the `count`-th frame, in ms. */
interface JoinTimes {
  first: number;
  all: number;
}

function joinTimes(marks: JoinMarks, count: number): JoinTimes {
  const frames = [...marks.frames].sort((a, b) => a - b);
  return { first: frames[0] - marks.joinAt, all: frames[count - 1] - marks.joinAt };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const stats = (values: number[]) =>
  `median ${fmt(median(values))}  max ${fmt(Math.max(...values))}`;

/** CPU seconds and RSS (MB) of the media side: the server, plus its KMS if any. */
function mediaUsage(pids: number[]) {
  const usages = pids.map(processUsage);
  return {
    cpuSeconds: usages.reduce((sum, u) => sum + u.cpuSeconds, 0),
    rssMb: usages.reduce((sum, u) => sum + u.rssMb, 0),
  };
}

type Backend = 'werift' | 'kurento';
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const backendFlag = flags.find((flag) => flag.startsWith('--backend='))?.slice(10) ?? 'werift';
if (!['werift', 'kurento', 'both'].includes(backendFlag)) {
  throw new Error(`--backend must be werift, kurento or both, got ${backendFlag}`);
}
const backends: Backend[] =
  backendFlag === 'both' ? ['werift', 'kurento'] : [backendFlag as Backend];
const participants = Number(positional[0] ?? 3);
const holdSeconds = Number(positional[1] ?? 20);
const rounds = Number(positional[2] ?? 3);
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Every participant's camera: the Kurento tutorial's size and rate (its client asks 320 wide at 15 fps). */
const VIDEO = process.env.BENCH_VIDEO ?? '320x240@15';

async function main() {
  let failed = false;
  for (const backend of backends) {
    try {
      await measure(backend);
    } catch (error) {
      // One backend's failure (a loaded machine's timeout) still lets the other run.
      failed = true;
      console.log(`  ${backend}: not measured: ${(error as Error).message}\n`);
    }
  }
  await printSizes();
  if (failed) process.exitCode = 1;
}

async function measure(backend: Backend) {
  console.log(
    `kurento-room bench (${backend === 'kurento' ? 'Kurento Media Server' : 'werift SFU'}): ${participants} participants at ${VIDEO}, ${holdSeconds} s hold, ${rounds} late-join rounds`,
  );
  const kms: KmsInstance | undefined = backend === 'kurento' ? await startKms() : undefined;
  const server = await startServerProcess({ LOG_LEVEL: 'warn', ...(kms && { KMS_URL: kms.url }) });
  const mediaPids = kms ? [server.pid, kms.kmsPid] : [server.pid];
  const tutorial = await serveTutorialClient();
  const browser = await launchBrowser();
  try {
    // 1. Participants join one after another, without waiting for each other.
    const pages: Page[] = [];
    for (let i = 1; i <= participants; i++) {
      pages.push(await openMeasured(browser, demoUrl(server.url, 'bench', `p${i}`, VIDEO)));
    }
    const marks = await Promise.all(pages.map((page) => framesFrom(page, participants - 1)));
    // The i-th joiner (i >= 2) finds i - 1 participants in the room.
    const buildUp = marks.slice(1).map((m, i) => joinTimes(m, i + 1));
    console.log(`\njoiners 2..${participants} of a room filling up (ms)`);
    console.log(`  join -> first remote frame           ${stats(buildUp.map((t) => t.first))}`);
    console.log(`  join -> frames from all present      ${stats(buildUp.map((t) => t.all))}`);

    // 2. The full room held: server CPU and memory, receivers' frame rates.
    const start = mediaUsage(mediaPids);
    const framesBefore = await Promise.all(pages.map(inboundReports));
    const rss: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < holdSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rss.push(mediaUsage(mediaPids).rssMb);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const end = mediaUsage(mediaPids);
    const framesAfter = await Promise.all(pages.map(inboundReports));
    const fps = framesAfter.flatMap((reports, p) =>
      reports.map((r, i) => (r.framesDecoded - (framesBefore[p][i]?.framesDecoded ?? 0)) / elapsed),
    );
    const cpu = (100 * (end.cpuSeconds - start.cpuSeconds)) / elapsed;
    const what = kms ? 'server and KMS' : 'server';
    console.log(`\n${what} over a ${fmt(elapsed)} s hold with ${participants} participants`);
    console.log(`  CPU ${fmt(cpu, 1)} % of one core`);
    console.log(
      `  RSS start ${fmt(rss[0] ?? start.rssMb)} MB  max ${fmt(Math.max(...rss))} MB  end ${fmt(end.rssMb)} MB`,
    );
    console.log(
      `  decoding: ${fps.length} subscriptions, median ${fmt(median(fps), 1)} fps, min ${fmt(Math.min(...fps), 1)} fps`,
    );

    // 3. A late joiner into the full room: RoomClient against kurento-utils, in ABBA order
    // so neither always goes first, each after the room has settled from the last one.
    const late = { sdk: [] as JoinTimes[], baseline: [] as JoinTimes[] };
    const settled = () =>
      waitUntil(async () => (await tiles(pages[0])).length === participants, {
        message: 'the room back to its participants',
      });
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? (['sdk', 'baseline'] as const) : (['baseline', 'sdk'] as const);
      for (const kind of order) {
        const name = `late-${kind}-${round}`;
        const url =
          kind === 'sdk'
            ? demoUrl(server.url, 'bench', name, VIDEO)
            : tutorial.pageUrl(server.wsUrl, 'bench', name);
        const page = await openMeasured(browser, url);
        late[kind].push(joinTimes(await framesFrom(page, participants), participants));
        await page.browserContext().close();
        await settled();
      }
    }
    const ratio = (pick: (t: JoinTimes) => number) =>
      fmt(median(late.sdk.map(pick)) / median(late.baseline.map(pick)), 2);
    console.log(`\na late joiner into the room of ${participants}, ${rounds} rounds each (ms)`);
    console.log(`  RoomClient     join -> first frame ${stats(late.sdk.map((t) => t.first))}`);
    console.log(`                 join -> all frames  ${stats(late.sdk.map((t) => t.all))}`);
    console.log(`  kurento-utils  join -> first frame ${stats(late.baseline.map((t) => t.first))}`);
    console.log(`  (baseline)     join -> all frames  ${stats(late.baseline.map((t) => t.all))}`);
    console.log(
      `  ratio RoomClient / baseline (medians): first ${ratio((t) => t.first)}x, all ${ratio((t) => t.all)}x`,
    );
  } finally {
    await browser.close();
    await tutorial.close();
    await server.stop();
    await kms?.stop();
  }
  console.log('');
}

// An interrupted bench still ends its server (test/helpers/server-process.ts kills it on exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

await main();
