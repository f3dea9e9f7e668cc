/**
 * Bench: `npm run bench -- [N] [holdSeconds]` (defaults 3 and 20).
 *
 * Starts the reference server, drives N headless Chromium participants through the
 * demo page into one room, and prints:
 *   - join -> first remote frame (ms) for every participant that joins a room that
 *     already has someone in it, median and max; and join -> every remote video
 *     present, for the same participants;
 *   - the server's CPU (% of one core) and RSS (MB) over the hold period, and the
 *     receivers' decoded frame rate;
 *   - bundle sizes, minified and gzipped, against kurento-utils measured in the same
 *     run as the baseline (the library the Kurento tutorials use).
 * Run on demand, not in `npm test`: the figures are noisy on shared machines.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Page } from 'puppeteer-core';
import { startServerProcess } from '../test/helpers/server-process.js';
import { inboundReports, launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl } from '../test/helpers/room-page.js';
import { waitUntil } from '../test/helpers/wait.js';

const participants = Number(process.argv[2] ?? 3);
const holdSeconds = Number(process.argv[3] ?? 20);
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Minified and gzipped size (bytes) of an entry bundled with its dependencies. */
async function bundleSize(entry: string, extra: Parameters<typeof build>[0] = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    conditions: ['production'],
    logLevel: 'silent',
    ...extra,
  });
  const code = result.outputFiles![0].contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

/** CPU seconds used so far and RSS in MB of a process, from /proc. */
function processUsage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { cpuSeconds, rssMb: rss / 1024 };
}

/** Records, in the page, when join starts and when each remote stream's first frame is shown. */
async function instrument(page: Page) {
  await page.evaluateOnNewDocument(() => {
    const marks = { joinAt: 0, frames: {} as Record<string, number> };
    (window as unknown as { __bench: typeof marks }).__bench = marks;
    document.addEventListener('connection-state-changed', (event) => {
      const detail = (event as CustomEvent<{ state: string }>).detail;
      if (detail.state === 'connecting' && !marks.joinAt) marks.joinAt = performance.now();
    });
    document.addEventListener('remote-stream-added', (event) => {
      const { stream, participant } = (
        event as CustomEvent<{ stream: MediaStream; participant: { name: string } }>
      ).detail;
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = stream;
      video.requestVideoFrameCallback(() => {
        marks.frames[participant.name] = performance.now();
        video.srcObject = null;
      });
      void video.play();
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main() {
  console.log(`kurento-room bench: ${participants} participants, ${holdSeconds} s hold`);
  const server = await startServerProcess({ LOG_LEVEL: 'warn' });
  const browser = await launchBrowser();
  try {
    const pages: Page[] = [];
    for (let i = 0; i < participants; i++) {
      const page = await openPage(browser, 'about:blank');
      await instrument(page);
      await page.goto(demoUrl(server.url, 'bench', `p${i + 1}`), { waitUntil: 'load' });
      pages.push(page);
    }

    const expected = participants - 1;
    const marks = await Promise.all(
      pages.map((page) =>
        waitUntil(
          () =>
            page.evaluate((n) => {
              const bench = (
                window as unknown as { __bench: { joinAt: number; frames: Record<string, number> } }
              ).__bench;
              return Object.keys(bench.frames).length >= n && bench;
            }, expected),
          { timeoutMs: 60000, intervalMs: 50, message: 'every remote video' },
        ),
      ),
    );
    // For the i-th joiner, the participants already in the room are p1..p(i-1).
    const present = (m: (typeof marks)[number], i: number) =>
      Array.from({ length: i }, (_, k) => m.frames[`p${k + 1}`] - m.joinAt);
    const firstFrame = marks.slice(1).map((m, i) => Math.min(...present(m, i + 1)));
    const allFrames = marks.slice(1).map((m, i) => Math.max(...present(m, i + 1)));

    const start = processUsage(server.pid);
    const framesBefore = await Promise.all(pages.map(inboundReports));
    const rss: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < holdSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rss.push(processUsage(server.pid).rssMb);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const end = processUsage(server.pid);
    const framesAfter = await Promise.all(pages.map(inboundReports));
    const fps = framesAfter.flatMap((reports, p) =>
      reports.map((r, i) => (r.framesDecoded - (framesBefore[p][i]?.framesDecoded ?? 0)) / elapsed),
    );

    console.log(
      `\njoin -> first remote frame (ms), ${firstFrame.length} joiners into an occupied room`,
    );
    console.log(`  median ${fmt(median(firstFrame))}  max ${fmt(Math.max(...firstFrame))}`);
    console.log('join -> a frame from every participant already in the room (ms)');
    console.log(`  median ${fmt(median(allFrames))}  max ${fmt(Math.max(...allFrames))}`);
    console.log(`\nserver over ${fmt(elapsed)} s hold`);
    console.log(
      `  CPU ${fmt((100 * (end.cpuSeconds - start.cpuSeconds)) / elapsed, 1)} % of one core`,
    );
    console.log(
      `  RSS start ${fmt(rss[0] ?? start.rssMb)} MB  max ${fmt(Math.max(...rss))} MB  end ${fmt(end.rssMb)} MB`,
    );
    console.log(
      `  decoding: ${fps.length} subscriptions, median ${fmt(median(fps), 1)} fps, min ${fmt(Math.min(...fps), 1)} fps`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }

  const baseline = await bundleSize('kurento-utils', {
    format: 'iife',
    globalName: 'kurentoUtils',
  });
  const client = await bundleSize('src/client.ts');
  const full = await bundleSize('src/index.ts');
  const row = (label: string, s: { min: number; gz: number }) =>
    `  ${label.padEnd(34)} ${fmt(s.min / 1024, 1).padStart(6)} KB min  ${fmt(s.gz / 1024, 1).padStart(5)} KB min+gz  ${fmt(s.gz / baseline.gz, 2)}x baseline`;
  console.log('\nbundle sizes (esbuild, minified; gzip -9)');
  console.log(row('kurento-utils 7.3.0 (baseline)', baseline));
  console.log(row('RoomClient alone', client));
  console.log(row('RoomClient + <kurento-room> + Lit', full));
}

await main();
