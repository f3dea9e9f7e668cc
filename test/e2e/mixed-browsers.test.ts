/**
 * Chromium and Firefox in one call, through the demo page and the reference server as
 * `npm start` runs it (no variable set). A loop of rooms of two, one participant in each
 * browser, joining first in turn, checks both directions every time: in a spike, 2 of 9
 * such rooms lost one direction for good (issue 10). `MIXED_JOINS` sets the loop's
 * length (default 20). Prints each direction's count and the join → first remote frame
 * medians per subscribing browser.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { browserName, launchBrowser, openPage, type BrowserName } from '../helpers/browser.js';
import { decodingEverywhere, firstRemoteFrames, peerStates } from '../helpers/peers.js';
import { demoUrl } from '../helpers/room-page.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const JOINS = Number(process.env.MIXED_JOINS ?? 20);
const VIDEO = '320x240@15';
/** How long a direction may take to show its first frame before it counts as lost, in ms. */
const FIRST_FRAME_MS = 10000;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

describe('calls that mix Chromium and Firefox on the default server', () => {
  let server: ServerProcess;
  let chromium: Browser;
  let firefox: Browser;

  before(async () => {
    server = await startServerProcess();
    chromium = await launchBrowser({ browser: 'chromium' });
    firefox = await launchBrowser({ browser: 'firefox' });
  });
  after(async () => {
    await chromium?.close();
    await firefox?.close();
    await server?.stop();
  });

  /** Opens one demo page per browser, in order, all joining `room`; names are `<browser><n>`. */
  async function joinRoom(room: string, browsers: Browser[]) {
    const pages: { name: string; browser: BrowserName; page: Page & { errors: string[] } }[] = [];
    for (const [n, browser] of browsers.entries()) {
      const name = `${browserName(browser)}${n}`;
      const page = await openPage(browser, demoUrl(server.url, room, name, VIDEO));
      pages.push({ name, browser: browserName(browser), page });
    }
    return pages;
  }

  it(`${JOINS} rooms of a Chromium and a Firefox participant: both directions decode every time`, async () => {
    const directions = new Map<string, { decoded: number; lost: number }>();
    const firstFrameMs: Record<BrowserName, number[]> = { chromium: [], firefox: [] };
    const lost: string[] = [];
    for (let i = 0; i < JOINS; i++) {
      const room = await joinRoom(
        `mixed${i}`,
        i % 2 === 0 ? [chromium, firefox] : [firefox, chromium],
      );
      const looks = await Promise.all(
        room.map(({ page, name }) =>
          firstRemoteFrames(
            page,
            room.filter((other) => other.name !== name).map((other) => other.name),
            FIRST_FRAME_MS,
          ),
        ),
      );
      for (const [s, subscriber] of room.entries()) {
        for (const publisher of room) {
          if (publisher === subscriber) continue;
          const direction = `${publisher.browser} -> ${subscriber.browser}`;
          const count = directions.get(direction) ?? { decoded: 0, lost: 0 };
          const at = looks[s]!.get(publisher.name);
          if (at === undefined) {
            count.lost += 1;
            const [from, to] = await Promise.all([
              peerStates(publisher.page),
              peerStates(subscriber.page),
            ]);
            lost.push(`room ${i}: ${publisher.name} [${from}] -> ${subscriber.name} [${to}]`);
          } else {
            count.decoded += 1;
            firstFrameMs[subscriber.browser].push(at);
          }
          directions.set(direction, count);
        }
      }
      for (const { page } of room) assert.deepEqual(page.errors, [], `room ${i}: page errors`);
      await Promise.all(room.map(({ page }) => page.browserContext().close()));
    }
    for (const [direction, count] of directions) {
      console.log(`# ${direction}: ${count.decoded} decoded, ${count.lost} lost`);
    }
    for (const browser of ['chromium', 'firefox'] as const) {
      const times = firstFrameMs[browser];
      console.log(
        `# join -> first remote frame, ${browser} subscribing: median ${Math.round(median(times))} ms of ${times.length}`,
      );
    }
    assert.deepEqual(lost, [], 'directions that never showed a frame');
  });

  it('an all-Firefox room of three: everyone decodes both others', async () => {
    const room = await joinRoom('firefox-only', [firefox, firefox, firefox]);
    await decodingEverywhere(
      room.map(({ page }) => page),
      2,
    );
    for (const { name, page } of room) assert.deepEqual(page.errors, [], `${name}'s page errors`);
    await Promise.all(room.map(({ page }) => page.browserContext().close()));
  });
});
