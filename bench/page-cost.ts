/**
 * Bench: `npx tsx bench/page-cost.ts [--streams=4,8,15] [--seconds=15] [--quick]`
 * (`--quick`: 2 and 4 streams, 6 s). Issue 12's benchmark 3, the page's cost: one Chromium
 * page receiving N bot publishers (`bench/bots/`, in a process of their own), our demo
 * page (the `<kurento-room>` element on RoomClient, which samples `getStats` on every peer
 * every second; it was every 250 ms until this bench showed the cost) against the kurento-utils tutorial client, in the same run.
 *
 * For each N, a room of N publisher bots on the reference server (werift SFU); then, in
 * ABBA order over the N values, each client joins it from a fresh headless Chromium,
 * publishing its fake camera at 320x240@15 as the bots do. Once it decodes every bot's
 * video, the hold begins; over the hold:
 *   - CPU of the whole Chromium (every process of its tree: browser, renderer, GPU,
 *     utility; `utime + stime` from `/proc`), as % of one core and per received stream;
 *   - the page's JS heap (`page.metrics()` `JSHeapUsedSize`) and its renderer process's
 *     PSS at the end of the hold;
 *   - the page's main thread busy time (`TaskDuration`) and its `getStats()` calls per
 *     second (counted by a wrapper the bench installs), to see the SDK's sampling;
 *   - video frames decoded per second and stream (a client that decodes less would look cheaper);
 * and the ratio ours / tutorial per stream, and the marginal CPU of one more stream
 * between consecutive N (the page's own publishing and idle cost cancel out). The server and the bots are on this machine
 * too: figures are for ratios within one run.
 */
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { startFleet, type Fleet } from './bots/fleet.js';
import { cpuSecondsBetween, processTree, treeCpuSeconds } from './bots/proc-usage.js';
import { inboundReports, launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl } from '../test/helpers/room-page.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { serveTutorialClient } from '../test/helpers/tutorial-client.js';
import { waitUntil } from '../test/helpers/wait.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const STREAMS = (option('streams') ?? (quick ? '2,4' : '4,8,15')).split(',').map(Number);
const SECONDS = Number(option('seconds') ?? (quick ? 6 : 15));
const VIDEO = '320x240@15';
/** The bots' frame rate, to tell a client that falls behind. */
const FPS = 15;

type Client = 'ours' | 'tutorial';

/** One client's figures for one N. */
interface Measurement {
  /** CPU of the whole Chromium, % of one core. */
  cpuPercent: number;
  /** The page's main thread busy (`page.metrics()` `TaskDuration`), % of the hold. */
  mainThreadPercent: number;
  /** `RTCPeerConnection.getStats()` calls per second in the page. */
  getStatsPerSecond: number;
  heapMb: number;
  /** PSS of the page's renderer process, in MB. */
  rendererPssMb: number;
  fps: number;
}

/**
 * PSS (MB, `/proc/PID/smaps_rollup`: shared pages divided among their sharers) of the
 * page's renderer: the largest renderer of Chromium's tree (the others are spare
 * renderers and the initial blank page's, ~15-30 MB each).
 */
function pageRendererPssMb(rootPid: number): number {
  let largest = 0;
  for (const pid of processTree(rootPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      largest = Math.max(largest, Number(pss?.[1] ?? 0) / 1024);
    } catch {
      // it ended meanwhile
    }
  }
  return largest;
}

/** Frames decoded so far, summed over the page's receiving peers, and how many decode. */
async function decoded(page: Page): Promise<{ frames: number; decoding: number }> {
  const reports = await inboundReports(page);
  return {
    frames: reports.reduce((sum, report) => sum + report.framesDecoded, 0),
    decoding: reports.filter((report) => report.framesDecoded > 0).length,
  };
}

/** Opens `url` in a fresh Chromium, waits until it decodes `streams` videos, and measures a hold. */
async function measure(url: string, streams: number): Promise<Measurement> {
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const rootPid = browser.process()!.pid!;
    const page = await openPage(browser, 'about:blank');
    // Count the page's getStats() calls (the SDK samples every peer once a second).
    await page.evaluateOnNewDocument(() => {
      const counter = window as unknown as { __getStatsCalls: number };
      counter.__getStatsCalls = 0;
      const native = RTCPeerConnection.prototype.getStats;
      RTCPeerConnection.prototype.getStats = function (this: RTCPeerConnection, ...rest) {
        counter.__getStatsCalls++;
        return native.apply(this, rest as Parameters<typeof native>);
      } as typeof native;
    });
    await page.goto(url, { waitUntil: 'load' });
    const getStatsCalls = () =>
      page.evaluate(() => (window as unknown as { __getStatsCalls: number }).__getStatsCalls);
    await waitUntil(async () => (await decoded(page)).decoding >= streams, {
      timeoutMs: 60000,
      intervalMs: 500,
      message: `the page decoding ${streams} videos`,
    });
    const framesBefore = (await decoded(page)).frames;
    const callsBefore = await getStatsCalls();
    const taskBefore = (await page.metrics()).TaskDuration ?? 0;
    const cpuBefore = treeCpuSeconds(rootPid);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSecondsBetween(cpuBefore, treeCpuSeconds(rootPid));
    const metrics = await page.metrics();
    const calls = (await getStatsCalls()) - callsBefore;
    const framesAfter = (await decoded(page)).frames;
    return {
      cpuPercent: (100 * cpu) / seconds,
      mainThreadPercent: (100 * ((metrics.TaskDuration ?? 0) - taskBefore)) / seconds,
      getStatsPerSecond: calls / seconds,
      heapMb: (metrics.JSHeapUsedSize ?? 0) / 2 ** 20,
      rendererPssMb: pageRendererPssMb(rootPid),
      fps: (framesAfter - framesBefore) / seconds / streams,
    };
  } finally {
    await browser?.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `page cost: streams ${STREAMS.join(', ')}, ${SECONDS} s hold, both clients publishing ${VIDEO}; load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
  const server = await startServerProcess({ LOG_LEVEL: 'warn' });
  const tutorial = await serveTutorialClient();
  let fleet: Fleet | undefined;
  const results: { streams: number; ours: Measurement; tutorial: Measurement }[] = [];
  try {
    fleet = await startFleet();
    for (const [index, streams] of STREAMS.entries()) {
      const room = `cost${streams}`;
      const bots = Array.from({ length: streams }, (_, i) => `bot${i + 1}`);
      for (const name of bots) {
        await fleet.join({ wsUrl: server.wsUrl, room, name, subscribe: false });
      }
      const urls: Record<Client, string> = {
        ours: demoUrl(server.url, room, 'page-ours', VIDEO),
        tutorial: tutorial.pageUrl(server.wsUrl, room, 'page-tutorial'),
      };
      const order: Client[] = index % 2 ? ['tutorial', 'ours'] : ['ours', 'tutorial'];
      const row: Partial<Record<Client, Measurement>> = {};
      for (const client of order) row[client] = await measure(urls[client], streams);
      results.push({ streams, ours: row.ours!, tutorial: row.tutorial! });
      for (const name of bots) await fleet.leave(name);
    }
  } finally {
    await fleet?.close();
    await tutorial.close();
    await server.stop();
  }

  const f = (n: number, digits = 1) => n.toFixed(digits);
  console.log(
    `\n${'N'.padStart(3)}  ${'client'.padEnd(9)}${'CPU %'.padStart(7)}${'%/stream'.padStart(10)}${'main %'.padStart(8)}${'getStats/s'.padStart(12)}${'heap MB'.padStart(9)}${'PSS MB'.padStart(8)}${'fps/stream'.padStart(12)}`,
  );
  for (const { streams, ours, tutorial: baseline } of results) {
    for (const [client, m] of [
      ['ours', ours],
      ['tutorial', baseline],
    ] as const) {
      console.log(
        `${String(streams).padStart(3)}  ${client.padEnd(9)}${f(m.cpuPercent).padStart(7)}${f(m.cpuPercent / streams, 2).padStart(10)}${f(m.mainThreadPercent).padStart(8)}${f(m.getStatsPerSecond).padStart(12)}${f(m.heapMb).padStart(9)}${f(m.rendererPssMb, 0).padStart(8)}${f(m.fps).padStart(12)}${m.fps < 0.9 * FPS ? '  decodes < 90% of the frames sent: its CPU is not comparable' : ''}`,
      );
    }
    console.log(
      `${''.padStart(3)}  ratio ours / tutorial: CPU per stream ${f(ours.cpuPercent / baseline.cpuPercent, 2)}x, JS heap ${f(ours.heapMb / baseline.heapMb, 2)}x, renderer PSS ${f(ours.rendererPssMb / baseline.rendererPssMb, 2)}x`,
    );
  }
  // What one more received stream costs, apart from the page's own publishing and idle cost.
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1]!, results[i]!];
    const marginal = (client: Client) =>
      (b[client].cpuPercent - a[client].cpuPercent) / (b.streams - a.streams);
    console.log(
      `marginal CPU per added stream, N ${a.streams} -> ${b.streams}: ours ${f(marginal('ours'), 2)} %, tutorial ${f(marginal('tutorial'), 2)} %, ratio ${f(marginal('ours') / marginal('tutorial'), 2)}x`,
    );
  }
  console.log(
    `\nload average after: ${loadavg()
      .map((load) => f(load))
      .join(' ')}`,
  );
}

// An interrupted bench still ends the server, the bots and the browser (exit handlers kill them).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

await main();
