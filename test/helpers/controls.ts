/**
 * Driving `<kurento-room>`'s in-call controls from Node, and reading what its tiles and
 * peer connections show: the end-to-end tests of the media controls. Controls and tiles are
 * found by `part` in the element's shadow root; tiles carry `data-name` and the state
 * attributes `data-speaking`, `data-audio-muted`, `data-video-muted`, `data-focus`.
 */
import type { Page } from 'puppeteer-core';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';

/** Clicks the element's control with `part` (e.g. `mic-button`); throws if it is missing or disabled. */
export function clickControl(page: Page, part: string): Promise<void> {
  return page.evaluate((part) => {
    const root = document.querySelector('kurento-room')?.shadowRoot;
    const button = root?.querySelector<HTMLButtonElement>(`[part~="${part}"]`);
    if (!button) throw new Error(`no [part~="${part}"] in <kurento-room>`);
    if (button.disabled) throw new Error(`[part~="${part}"] is disabled`);
    button.click();
  }, part);
}

/** The `aria-pressed` of the control with `part`: true, false, or null when it has none. */
export function pressed(page: Page, part: string): Promise<boolean | null> {
  return page.evaluate((part) => {
    const value = document
      .querySelector('kurento-room')
      ?.shadowRoot?.querySelector(`[part~="${part}"]`)
      ?.getAttribute('aria-pressed');
    return value == null ? null : value === 'true';
  }, part);
}

/** A tile's state as its data attributes say; null when there is no tile for `name`. */
export interface TileFlags {
  speaking: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
  focus: boolean;
}

/** The tiles' flags by participant name. */
export function tileFlags(page: Page): Promise<Record<string, TileFlags>> {
  return page.evaluate(() => {
    const root = document.querySelector('kurento-room')?.shadowRoot;
    const flags: Record<string, TileFlags> = {};
    for (const tile of root?.querySelectorAll<HTMLElement>('[part~="tile"]') ?? []) {
      flags[tile.dataset.name ?? ''] = {
        speaking: tile.hasAttribute('data-speaking'),
        audioMuted: tile.hasAttribute('data-audio-muted'),
        videoMuted: tile.hasAttribute('data-video-muted'),
        focus: tile.hasAttribute('data-focus'),
      };
    }
    return flags;
  });
}

/** What the page receives from one participant: their receive-only peer connection's video. */
export interface Subscription {
  /** The peer connection's `__id` (see `openPage`). */
  id: number;
  framesDecoded: number;
  frameWidth: number;
}

/**
 * The page's subscription to `name`: the open peer connection whose receiver carries the
 * video track of `client.participants.get(name).stream`; null while there is none.
 */
export function subscriptionTo(page: Page, name: string): Promise<Subscription | null> {
  return page.evaluate(async (name) => {
    const client = document.querySelector<KurentoRoomElement>('kurento-room')?.client;
    const track = client?.participants.get(name)?.stream?.getVideoTracks()[0];
    if (!track) return null;
    const peers = (window as unknown as { __peers: (RTCPeerConnection & { __id: number })[] })
      .__peers;
    const pc = peers.find(
      (p) =>
        p.connectionState !== 'closed' && p.getReceivers().some((r) => r.track.id === track.id),
    );
    if (!pc) return null;
    const stats = await pc.getStats();
    const result = { id: pc.__id, framesDecoded: 0, frameWidth: 0 };
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        result.framesDecoded = s.framesDecoded ?? 0;
        result.frameWidth = s.frameWidth ?? 0;
      }
    });
    return result;
  }, name);
}

/** The local camera (or screen) track's settings: what the page sends. */
export function sentVideo(page: Page): Promise<{ deviceId: string; width: number } | null> {
  return page.evaluate(() => {
    const track = document
      .querySelector<KurentoRoomElement>('kurento-room')
      ?.client?.localParticipant?.stream?.getVideoTracks()[0];
    if (!track) return null;
    const { deviceId = '', width = 0 } = track.getSettings();
    return { deviceId, width };
  });
}
