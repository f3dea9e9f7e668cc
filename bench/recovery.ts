/**
 * Bench: `npx tsx bench/recovery.ts [runs]` (default 5).
 *
 * Three participants in the demo page (320x240 at 15 fps). Each run measures:
 *   - server restart: the server is killed (SIGKILL) and started again on the same port;
 *     the time from the new server listening until every participant decodes every
 *     other's video again (framesDecoded rising on fresh peer connections);
 *   - broken subscription: one receive-only peer connection is closed under a client;
 *     the time until that client decodes both others again.
 * Prints median and max over the runs, and, as the baseline measured in the same run,
 * a fresh join: the time from opening the page of a fourth participant until it
 * decodes all three (what a user who reloads the page instead would wait).
 */
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl } from '../test/helpers/room-page.js';
import { closeOneSubscription, decodingEverywhere } from '../test/helpers/peers.js';

const runs = Number(process.argv[2] ?? 5);
const VIDEO = '320x240@15';
const NAMES = ['ann', 'bo', 'cy'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const line = (label: string, values: number[]) =>
  `  ${label.padEnd(38)} median ${median(values).toFixed(0).padStart(5)} ms  max ${Math.max(
    ...values,
  )
    .toFixed(0)
    .padStart(5)} ms  (${values.length} runs)`;

async function main() {
  let server: ServerProcess = await startServerProcess();
  const browser: Browser = await launchBrowser();
  const restart: number[] = [];
  const subscription: number[] = [];
  const freshJoin: number[] = [];
  try {
    const pages: Page[] = [];
    for (const name of NAMES) {
      pages.push(await openPage(browser, demoUrl(server.url, 'recovery', name, VIDEO)));
    }
    await decodingEverywhere(pages, 2);
    for (let run = 1; run <= runs; run++) {
      const port = new URL(server.url).port;
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServerProcess({ PORT: port });
      let start = Date.now();
      await decodingEverywhere(pages, 2, 30000);
      restart.push(Date.now() - start);

      await closeOneSubscription(pages[run % pages.length]);
      start = Date.now();
      await decodingEverywhere([pages[run % pages.length]], 2, 30000);
      subscription.push(Date.now() - start);

      start = Date.now();
      const fresh = await openPage(browser, demoUrl(server.url, 'recovery', `new${run}`, VIDEO));
      await decodingEverywhere([fresh], 3, 30000);
      freshJoin.push(Date.now() - start);
      await fresh.browserContext().close();
      await decodingEverywhere(pages, 2, 30000);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`kurento-room recovery bench: 3 participants at ${VIDEO}`);
  console.log(line('server restart -> all decoding again', restart));
  console.log(line('closed subscription -> decoding again', subscription));
  console.log(line('baseline: page opened -> all decoding', freshJoin));
  console.log(
    `  ratio to the baseline (medians): restart ${(median(restart) / median(freshJoin)).toFixed(2)}x, subscription ${(median(subscription) / median(freshJoin)).toFixed(2)}x`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
await main();
