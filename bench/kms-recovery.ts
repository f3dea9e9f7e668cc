/**
 * Bench: `npx tsx bench/kms-recovery.ts [runs]` (default 3).
 *
 * Three participants in the demo page (320x240 at 15 fps) on the reference server with
 * Kurento Media Server doing the media. Each run kills (SIGKILL) the KMS holding the
 * room's pipeline and measures the time from the kill until every participant decodes
 * both others again (framesDecoded rising on new peer connections):
 *   - single: one KMS, started again on the same port right after the kill (media
 *     cannot come back before it is);
 *   - pooled: two KMS; the room is rebuilt on the one still up, and the killed one is
 *     started again (it rejoins the pool) before the next run.
 * Prints median and max over the runs, for two moments: every participant re-joined (the
 * server's `joined` log lines: the server closed the room's connections with 1012 when its
 * KMS was lost, and the clients' reconnection came back), and every participant decoding
 * both others (the browsers negotiated again through KMS).
 */
import type { Browser, Page } from 'puppeteer-core';
import { KurentoClient } from '../packages/server/src/media/kurento/kurento-client.js';
import { launchBrowser, openPage } from '../test/helpers/browser.js';
import { startKms, type KmsInstance } from '../test/helpers/kms.js';
import { decodingEverywhere, openPeerIds } from '../test/helpers/peers.js';
import { demoUrl } from '../test/helpers/room-page.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { waitUntil } from '../test/helpers/wait.js';

const runs = Number(process.argv[2] ?? 3);
const VIDEO = '320x240@15';
const NAMES = ['ann', 'bo', 'cy'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const line = (label: string, values: number[]) =>
  `  ${label.padEnd(44)} median ${median(values).toFixed(0).padStart(5)} ms  max ${Math.max(
    ...values,
  )
    .toFixed(0)
    .padStart(5)} ms  (${values.length} runs)`;

/** The index of the KMS that holds a pipeline (the room's: the only one). */
async function holderOf(instances: KmsInstance[]): Promise<number> {
  for (const [index, kms] of instances.entries()) {
    const client = new KurentoClient({ url: kms.url });
    try {
      await client.opened();
      if ((await client.getPipelines()).length > 0) return index;
    } finally {
      client.close();
    }
  }
  throw new Error('no KMS holds the room');
}

/** The time of the last of `count` `joined` log lines the server wrote after `offset`, ms since epoch. */
function lastJoin(server: ServerProcess, offset: number, count: number): number {
  const times = server
    .stderr()
    .slice(offset)
    .split('\n')
    .filter((text) => text.includes('"msg":"joined"'))
    .map((text) => (JSON.parse(text) as { time: number }).time);
  if (times.length < count) throw new Error(`${times.length} of ${count} re-joined`);
  return times[count - 1]!;
}

/** Kills the KMS holding the room; resolves with the ms until all re-joined and all decode. */
async function killAndTime(
  server: ServerProcess,
  pages: Page[],
  instances: KmsInstance[],
  restartBeforeMedia: boolean,
): Promise<{ joined: number; decoding: number }> {
  const offset = server.stderr().length;
  const index = await holderOf(instances);
  const before = new Set((await Promise.all(pages.map(openPeerIds))).flat());
  const start = Date.now();
  await instances[index]!.kill();
  if (restartBeforeMedia) instances[index] = await instances[index]!.restart();
  // The old peer connections close first (the clients' reconnection), then new ones decode.
  await waitUntil(
    async () => (await Promise.all(pages.map(openPeerIds))).flat().every((id) => !before.has(id)),
    { timeoutMs: 30000, message: 'the old peer connections closed' },
  );
  await decodingEverywhere(pages, 2, 30000);
  const decoding = Date.now() - start;
  const joined = lastJoin(server, offset, pages.length) - start;
  if (!restartBeforeMedia) instances[index] = await instances[index]!.restart();
  return { joined, decoding };
}

async function measure(pool: number): Promise<{ joined: number[]; decoding: number[] }> {
  const instances: KmsInstance[] = [];
  for (let i = 0; i < pool; i++) instances.push(await startKms());
  const server = await startServerProcess({
    KMS_URL: instances.map((k) => k.url).join(','),
    LOG_LEVEL: 'info',
  });
  const browser: Browser = await launchBrowser();
  const times = { joined: [] as number[], decoding: [] as number[] };
  try {
    const pages: Page[] = [];
    for (const name of NAMES) {
      pages.push(await openPage(browser, demoUrl(server.url, 'kms-recovery', name, VIDEO)));
    }
    await decodingEverywhere(pages, 2);
    for (let run = 1; run <= runs; run++) {
      const { joined, decoding } = await killAndTime(server, pages, instances, pool === 1);
      times.joined.push(joined);
      times.decoding.push(decoding);
    }
  } finally {
    await browser.close();
    await server.stop();
    await Promise.all(instances.map((kms) => kms.stop()));
  }
  return times;
}

async function main() {
  const single = await measure(1);
  const pooled = await measure(2);
  console.log(`kurento-room KMS recovery bench: 3 participants at ${VIDEO}`);
  console.log(line('single KMS killed, restarted -> all re-joined', single.joined));
  console.log(line('                             -> all decoding', single.decoding));
  console.log(line('pool of two, one killed -> all re-joined', pooled.joined));
  console.log(line('                        -> all decoding', pooled.decoding));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
await main();
