/**
 * Reading and breaking the peer connections of a page opened with `openPage` (which
 * records every RTCPeerConnection on `window.__peers` and numbers it `__id`).
 */
import type { Page } from 'puppeteer-core';
import { inboundReports } from './browser.js';
import { waitUntil } from './wait.js';

/** The ids of the page's peer connections that are not closed. */
export function openPeerIds(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    (window as unknown as { __peers: (RTCPeerConnection & { __id: number })[] }).__peers
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => pc.__id),
  );
}

/** Each peer connection of the page as `<id> <connectionState> ice=<iceConnectionState>`, for failure messages. */
export function peerStates(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { __peers: (RTCPeerConnection & { __id: number })[] }).__peers.map(
      (pc) => `${pc.__id} ${pc.connectionState} ice=${pc.iceConnectionState}`,
    ),
  );
}

/** Closes one receive-only peer connection that is decoding video; resolves with its id. */
export function closeOneSubscription(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: (RTCPeerConnection & { __id: number })[] })
      .__peers;
    for (const pc of peers) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let decoding = false;
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) decoding = true;
      });
      if (decoding) {
        pc.close();
        return pc.__id;
      }
    }
    throw new Error('no decoding subscription to close');
  });
}

/**
 * Waits until every page decodes `remotes` remote videos, each on a peer connection whose
 * `framesDecoded` rises by several frames between two readings.
 */
export async function decodingEverywhere(
  pages: Page[],
  remotes: number,
  timeoutMs = 20000,
): Promise<void> {
  await Promise.all(
    pages.map(async (page) => {
      const first = await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return reports.length === remotes && reports.every((r) => r.framesDecoded > 0) && reports;
        },
        { timeoutMs, message: `${remotes} decoding subscriptions` },
      );
      const floor = new Map(first.map((r) => [r.id, r.framesDecoded]));
      await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return (
            reports.length === remotes &&
            reports.every((r) => r.framesDecoded > (floor.get(r.id) ?? Infinity) + 3)
          );
        },
        { timeoutMs, message: 'framesDecoded rising on the same peer connections' },
      );
    }),
  );
}

/**
 * Waits until `page` shows a video frame in the tile of each of `remotes`, or
 * `timeoutMs` passes. Resolves with the time each did, in ms after the page opened its
 * signaling WebSocket (the join; `window.__socketAt`, see `openPage`), to within one
 * 50 ms look; a remote missing from the map never showed a frame.
 */
export async function firstRemoteFrames(
  page: Page,
  remotes: string[],
  timeoutMs = 10000,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < remotes.length && Date.now() < deadline) {
    const look = await page.evaluate(() => {
      const root = document.querySelector('kurento-room')?.shadowRoot;
      const tiles = [...(root?.querySelectorAll<HTMLElement>('[part~="tile"]') ?? [])];
      return {
        at: performance.now() - ((window as unknown as { __socketAt?: number }).__socketAt ?? 0),
        showing: tiles
          .filter((tile) => (tile.querySelector('video')?.videoWidth ?? 0) > 0)
          .map((tile) => tile.dataset.name ?? ''),
      };
    });
    for (const name of look.showing) {
      if (remotes.includes(name) && !seen.has(name)) seen.set(name, look.at);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return seen;
}
