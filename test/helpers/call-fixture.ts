/**
 * The fixture of the end-to-end call tests: the reference server as a process, one
 * Chromium, and one demo page per participant joining `room` at once, in order. Call it
 * inside a `describe`; it registers the `before` and `after` hooks.
 */
import { after, before } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { launchBrowser, openPage } from './browser.js';
import { demoUrl } from './room-page.js';

/** What the hooks set up; read it inside tests (it is filled in by `before`). */
export interface CallFixture {
  server: ServerProcess;
  browser: Browser;
  /** The demo pages by participant name, in joining order. */
  pages: Map<string, Page & { errors: string[] }>;
}

/**
 * Registers hooks that open a call of `names` in `room`; `video` is e.g. `320x240@15`;
 * `cameras` is how many fake cameras the browser lists (for device switching).
 */
export function callFixture(
  room: string,
  names: string[],
  video?: string,
  { cameras }: { cameras?: number } = {},
): CallFixture {
  const fixture = { pages: new Map() } as CallFixture;
  before(async () => {
    fixture.server = await startServerProcess();
    fixture.browser = await launchBrowser({ cameras });
    for (const name of names) {
      const url = demoUrl(fixture.server.url, room, name, video);
      fixture.pages.set(name, await openPage(fixture.browser, url));
    }
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
