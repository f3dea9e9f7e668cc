/**
 * Reading a `<kurento-room>` demo page from Node: its tiles, their videos, and the
 * leave control. Tiles are `[part~="tile"]` elements carrying `data-name`.
 */
import type { Page } from 'puppeteer-core';

/** One tile as seen in the page. */
export interface TileView {
  name: string;
  local: boolean;
  videoWidth: number;
  playing: boolean;
}

/** The tiles of the first `<kurento-room>` on the page. */
export function tiles(page: Page): Promise<TileView[]> {
  return page.evaluate(() => {
    const root = document.querySelector('kurento-room')?.shadowRoot;
    if (!root) return [];
    return [...root.querySelectorAll<HTMLElement>('[part~="tile"]')].map((tile) => {
      const video = tile.querySelector('video');
      return {
        name: tile.dataset.name ?? '',
        local: tile.hasAttribute('data-local'),
        videoWidth: video?.videoWidth ?? 0,
        playing: !!video && !video.paused && video.readyState >= 2,
      };
    });
  });
}

/** The `<kurento-room>` status line's text. */
export function statusText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      document.querySelector('kurento-room')?.shadowRoot?.querySelector('[part~="status"]')
        ?.textContent ?? '',
  );
}

/** Clicks the element's Leave button in a call, or its Join button (the pre-join screen's) out of one. */
export function clickJoinLeave(page: Page): Promise<void> {
  return page.evaluate(() => {
    const root = document.querySelector('kurento-room')?.shadowRoot;
    const button =
      root?.querySelector<HTMLButtonElement>('[part~="leave-button"]') ??
      root?.querySelector<HTMLButtonElement>('[part~="join-button"]');
    if (!button) throw new Error('no join or leave button');
    button.click();
  });
}

/** The demo page URL that joins `room` as `name` at once; `video` is e.g. `320x240@15`. */
export function demoUrl(base: string, room: string, name: string, video?: string): string {
  const url = new URL(base);
  url.searchParams.set('room', room);
  url.searchParams.set('name', name);
  url.searchParams.set('autojoin', '');
  if (video) url.searchParams.set('video', video);
  return url.href;
}
