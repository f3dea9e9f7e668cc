/**
 * Screenshots of the demo page with three participants, in grid and speaker layout, at a
 * desktop and a phone viewport: the real reference server, one Chromium with fake media.
 * Each test checks the layout in the first participant's `<kurento-room>` (tile count and
 * sizes, nothing wider than the screen), that every tile's video shows moving pixels (drawn
 * into a canvas in the page, and read back from the decoded screenshot), and keeps the PNG
 * as `test-artifacts/screenshots/<layout>-<viewport>.png`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser, Page, Viewport } from 'puppeteer-core';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { decodingEverywhere } from '../helpers/peers.js';
import { demoUrl, tiles } from '../helpers/room-page.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const NAMES = ['alice', 'bob', 'carol'];
const VIDEO = '320x240@15';

const VIEWPORTS: Record<'desktop' | 'phone', Viewport> = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

/** A tile's box in CSS pixels, relative to the document (not the viewport). */
interface TileBox {
  name: string;
  focus: boolean;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What the first participant's page shows: its tiles and the page's horizontal extent. */
interface LayoutView {
  innerWidth: number;
  scrollWidth: number;
  tiles: TileBox[];
}

/** Mean and standard deviation of the luminance (Rec. 709, 0–255) of some pixels. */
interface Luminance {
  mean: number;
  stdDev: number;
}

/**
 * The fake camera's picture (a green field, a frame timer and a growing sector) is brighter
 * than the tile's own background (#1d232a, luminance 34) and far from uniform; a black
 * tile, or one showing only its background, is neither.
 */
const MIN_MEAN = 50;
const MIN_STD_DEV = 8;

/** Reads the tiles of the page's `<kurento-room>` and the page's widths. */
function layoutView(page: Page): Promise<LayoutView> {
  return page.evaluate(() => {
    const root = document.querySelector('kurento-room')?.shadowRoot;
    const found = root ? [...root.querySelectorAll<HTMLElement>('[part~="tile"]')] : [];
    return {
      innerWidth: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      tiles: found.map((tile) => {
        const rect = tile.getBoundingClientRect();
        return {
          name: tile.dataset.name ?? '',
          focus: tile.hasAttribute('data-focus'),
          left: rect.left + window.scrollX,
          top: rect.top + window.scrollY,
          width: rect.width,
          height: rect.height,
        };
      }),
    };
  });
}

/** Each tile's current video frame drawn into a 64x48 canvas in the page, as luminance. */
function videoLuminance(page: Page): Promise<(Luminance & { name: string })[]> {
  return page.evaluate(() => {
    const root = document.querySelector('kurento-room')!.shadowRoot!;
    return [...root.querySelectorAll<HTMLElement>('[part~="tile"]')].map((tile) => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(tile.querySelector('video')!, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
        sum += y;
        squares += y * y;
      }
      const mean = sum / (data.length / 4);
      const stdDev = Math.sqrt(Math.max(0, squares / (data.length / 4) - mean * mean));
      return { name: tile.dataset.name ?? '', mean, stdDev };
    });
  });
}

/**
 * The luminance of the middle of `box` (10–90% across, 10–75% down: the camera's frame
 * timer and sector, clear of the name label at the bottom) in a decoded screenshot taken at `scale` device pixels per
 * CSS pixel.
 */
function screenshotLuminance(png: PNG, box: TileBox, scale: number): Luminance {
  const x0 = Math.round((box.left + box.width * 0.1) * scale);
  const x1 = Math.round((box.left + box.width * 0.9) * scale);
  const y0 = Math.round((box.top + box.height * 0.1) * scale);
  const y1 = Math.round((box.top + box.height * 0.75) * scale);
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let y = Math.max(0, y0); y < Math.min(png.height, y1); y += 1) {
    for (let x = Math.max(0, x0); x < Math.min(png.width, x1); x += 1) {
      const i = (y * png.width + x) * 4;
      const value = 0.2126 * png.data[i]! + 0.7152 * png.data[i + 1]! + 0.0722 * png.data[i + 2]!;
      sum += value;
      squares += value * value;
      count += 1;
    }
  }
  assert.ok(count > 0, `the tile ${box.name} lies inside the screenshot`);
  const mean = sum / count;
  return { mean, stdDev: Math.sqrt(Math.max(0, squares / count - mean * mean)) };
}

/** Asserts `luminance` looks like the fake camera's picture, not a black or blank tile. */
function assertPicture(luminance: Luminance, what: string): void {
  const figures = `mean ${luminance.mean.toFixed(1)}, std dev ${luminance.stdDev.toFixed(1)}`;
  assert.ok(luminance.mean > MIN_MEAN, `${what} is not black (${figures})`);
  assert.ok(luminance.stdDev > MIN_STD_DEV, `${what} is not uniform (${figures})`);
}

/** Asserts the grid layout: three tiles of one size (±2 px), several columns on a desktop. */
function assertGrid(view: LayoutView, viewport: 'desktop' | 'phone'): void {
  assert.equal(view.tiles.length, 3, 'three tiles');
  const [first] = view.tiles;
  for (const tile of view.tiles) {
    assert.ok(
      Math.abs(tile.width - first!.width) <= 2,
      `${tile.name}'s tile is as wide as the others`,
    );
    assert.ok(
      Math.abs(tile.height - first!.height) <= 2,
      `${tile.name}'s tile is as tall as the others`,
    );
  }
  if (viewport === 'desktop') {
    const columns = new Set(view.tiles.map((tile) => Math.round(tile.left)));
    assert.ok(columns.size > 1, `tiles in more than one column: ${JSON.stringify(view.tiles)}`);
  }
}

/** Asserts the speaker layout: one focused tile, at least 3x the area of each strip tile. */
function assertSpeaker(view: LayoutView): void {
  assert.equal(view.tiles.length, 3, 'three tiles');
  const focused = view.tiles.filter((tile) => tile.focus);
  assert.equal(focused.length, 1, 'exactly one [part~=tile][data-focus]');
  const area = (tile: TileBox) => tile.width * tile.height;
  for (const tile of view.tiles.filter((t) => !t.focus)) {
    assert.ok(
      area(focused[0]!) >= 3 * area(tile),
      `the focused tile (${area(focused[0]!)} px²) is at least 3x ${tile.name}'s (${area(tile)} px²)`,
    );
  }
}

describe('screenshots of the demo with three participants', () => {
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerProcess();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * Opens the call: the first participant's page at `viewport`, then the others; resolves
   * once the first page decodes both remotes and plays all three tiles. Closed after the test.
   */
  async function openCall(
    layout: string,
    viewport: keyof typeof VIEWPORTS,
    onClose: (fn: () => Promise<void>) => void,
  ): Promise<Page & { errors: string[] }> {
    const pages: (Page & { errors: string[] })[] = [];
    onClose(async () => {
      for (const page of pages) await page.browserContext().close();
    });
    for (const name of NAMES) {
      const url = new URL(demoUrl(server.url, `shots-${layout}-${viewport}`, name, VIDEO));
      url.searchParams.set('layout', layout);
      const options = name === NAMES[0] ? { viewport: VIEWPORTS[viewport] } : {};
      pages.push(await openPage(browser, url.href, options));
    }
    const first = pages[0]!;
    await decodingEverywhere([first], NAMES.length - 1);
    await waitUntil(
      async () => {
        const list = await tiles(first);
        return list.length === NAMES.length && list.every((t) => t.videoWidth > 0 && t.playing);
      },
      { message: 'three playing tiles' },
    );
    return first;
  }

  for (const layout of ['grid', 'speaker'] as const) {
    for (const viewport of ['desktop', 'phone'] as const) {
      const { width, height } = VIEWPORTS[viewport];
      it(`${layout} layout at the ${viewport} viewport (${width}x${height}): the tiles are laid out as ${layout === 'grid' ? 'an even grid' : 'one large tile and a strip'}, within the screen width, every video showing the camera`, async (t) => {
        const page = await openCall(layout, viewport, (fn) => t.after(fn));

        // Kept first, so a failing layout still leaves its picture to look at.
        const shot = await page.screenshot({ type: 'png', fullPage: true });
        const file = join(ARTIFACTS, `${layout}-${viewport}.png`);
        writeFileSync(file, shot);
        console.log(`screenshot: ${file}`);

        const view = await layoutView(page);
        if (layout === 'grid') assertGrid(view, viewport);
        else assertSpeaker(view);
        for (const tile of view.tiles) {
          assert.ok(tile.left >= -1, `${tile.name}'s tile starts inside the viewport`);
          assert.ok(
            tile.left + tile.width <= view.innerWidth + 1,
            `${tile.name}'s tile ends inside the viewport`,
          );
        }
        if (viewport === 'phone') {
          assert.ok(
            view.scrollWidth <= view.innerWidth,
            `no horizontal scroll: ${view.scrollWidth} > ${view.innerWidth}`,
          );
        }

        for (const video of await videoLuminance(page))
          assertPicture(video, `${video.name}'s video`);
        const png = PNG.sync.read(Buffer.from(shot));
        const scale = VIEWPORTS[viewport].deviceScaleFactor ?? 1;
        for (const tile of view.tiles) {
          assertPicture(
            screenshotLuminance(png, tile, scale),
            `${tile.name}'s tile in the screenshot`,
          );
        }
        assert.deepEqual(page.errors, [], 'no uncaught exception in the page');
      });
    }
  }
});
