/**
 * The fixture of the end-to-end call tests: the reference server as a process, one
 * browser of each kind `E2E_BROWSERS` lists (default Chromium alone), and one demo page
 * per participant joining `room` at once, in order, dealt to those browsers in turn
 * (`E2E_BROWSERS=chromium,firefox`: the first participant in Chromium, the second in
 * Firefox, the third in Chromium…). Call it inside a `describe`; it registers the `before`
 * and `after` hooks.
 */
import { after, before } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { e2eBrowsers, launchBrowser, openPage } from './browser.js';
import { demoUrl } from './room-page.js';

/** What the hooks set up; read it inside tests (it is filled in by `before`). */
export interface CallFixture {
  server: ServerProcess;
  /** The first of `browsers`. */
  browser: Browser;
  /** One browser per `E2E_BROWSERS` entry, in that order. */
  browsers: Browser[];
  /** The demo pages by participant name, in joining order. */
  pages: Map<string, Page & { errors: string[] }>;
}

/**
 * Registers hooks that open a call of `names` in `room`; `video` is e.g. `320x240@15`;
 * `cameras` is how many fake cameras Chromium lists (for device switching).
 */
export function callFixture(
  room: string,
  names: string[],
  video?: string,
  { cameras }: { cameras?: number } = {},
): CallFixture {
  const fixture = { pages: new Map(), browsers: [] as Browser[] } as CallFixture;
  before(async () => {
    fixture.server = await startServerProcess();
    for (const browser of e2eBrowsers()) {
      fixture.browsers.push(await launchBrowser({ browser, cameras }));
    }
    fixture.browser = fixture.browsers[0]!;
    for (const [i, name] of names.entries()) {
      const url = demoUrl(fixture.server.url, room, name, video);
      const browser = fixture.browsers[i % fixture.browsers.length]!;
      fixture.pages.set(name, await openPage(browser, url));
    }
  });
  after(async () => {
    for (const browser of fixture.browsers) await browser.close();
    await fixture.server?.stop();
  });
  return fixture;
}
