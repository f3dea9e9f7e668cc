/**
 * The media watchdog, which is also the client's one stats loop: while connected it takes
 * one `getStats()` of every peer connection a tick, keeps ~2 s of samples on each
 * participant's record (for `getStats()` and the opt-in monitors), finds the peer
 * connections that broke on their own, and asks for each to be rebuilt, with a backoff so
 * that a peer that stays broken is not rebuilt in a hot loop.
 *
 * @packageDocumentation
 */
import type { Member } from './participant.js';
import type { Peer } from './peer.js';
import { toSample } from './stats.js';
import type { PeerRestartReason } from './media-types.js';

/**
 * How often the loop looks at each peer (its state, and one `getStats()`), in ms. Once a
 * second: a `getStats()` is not free (a 250 ms tick made a page receiving 8 streams spend
 * 1.28x the CPU of the Kurento tutorial's client, 1 s made it 1.06-1.13x: `bench/page-cost.ts`),
 * and LiveKit's client samples its tracks' stats every 2 s.
 */
export const WATCHDOG_TICK_MS = 1000;
/** How many samples each record keeps: 2 s of ticks, plus the one it is measured from. */
export const SAMPLES_KEPT = 2000 / WATCHDOG_TICK_MS + 1;
/** `RoomClientOptions.stallTimeoutMs` when not given, in ms. */
export const DEFAULT_STALL_TIMEOUT_MS = 2500;
/** The first rebuild of a participant's peer is immediate, the next ones wait 1 s, 2 s, 4 s… up to this, in ms. */
const MAX_BACKOFF_MS = 16_000;
/** A participant whose peer was not rebuilt for this long starts its backoff from zero again, in ms. */
const BACKOFF_RESET_MS = 30_000;
/** A look this long after the previous one (a throttled background tab) says nothing about stalls, in ms. */
const STALE_MS = 2000;

/** A subscription's decoded video frames at the last look. */
interface Progress {
  frames: number;
  /** When `frames` last rose (`performance.now()`, ms). */
  rose: number;
  /** When it was last looked at. */
  seen: number;
}

interface Backoff {
  count: number;
  last: number;
}

/**
 * Looks at every peer of `members()` every {@link WATCHDOG_TICK_MS} while started: appends
 * one `getStats()` sample to the record's `samples` (at most {@link SAMPLES_KEPT}), then
 * calls `sampled()` once all are in; and calls `restart(member, reason)` for a peer that is
 * {@link Peer.broken} (`failed`, or `closed` by something other than the SDK), or, for a
 * subscription whose publisher's camera is on, whose inbound-rtp video `framesDecoded`
 * (webrtc-stats) has not risen for `stallTimeoutMs` after its first frame, or stayed 0 for
 * twice that while connected. `restart` returns false when it declined, which
 * costs no backoff. Nothing is looked at after {@link MediaWatchdog.stop}, and no
 * `getStats()` is called on a closed peer.
 */
export class MediaWatchdog {
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #progress = new WeakMap<Peer, Progress>();
  readonly #backoff = new WeakMap<Member, Backoff>();

  readonly #members: () => Member[];
  readonly #restart: (member: Member, reason: PeerRestartReason) => boolean;
  readonly #stallTimeoutMs: number;
  readonly #sampled: () => void;

  constructor(
    members: () => Member[],
    restart: (member: Member, reason: PeerRestartReason) => boolean,
    stallTimeoutMs: number,
    sampled: () => void,
  ) {
    this.#members = members;
    this.#restart = restart;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.#sampled = sampled;
  }

  /** Starts looking (idempotent). */
  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), WATCHDOG_TICK_MS);
  }

  /** Stops looking (idempotent); a look in progress reports nothing more. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Asks for `member`'s peer to be rebuilt now, unless its backoff says wait (a later look asks again). */
  report(member: Member, reason: PeerRestartReason): void {
    const now = performance.now();
    const last = this.#backoff.get(member);
    const count = last && now - last.last < BACKOFF_RESET_MS ? last.count : 0;
    if (count && now - last!.last < Math.min(500 * 2 ** count, MAX_BACKOFF_MS)) return;
    if (this.#restart(member, reason)) this.#backoff.set(member, { count: count + 1, last: now });
  }

  async #tick(): Promise<void> {
    await Promise.all(
      this.#members().map(async (member) => {
        const peer = member.peer;
        if (!peer || peer.closed) return;
        const broken = peer.broken;
        if (broken) return this.report(member, broken);
        let report: RTCStatsReport;
        try {
          report = await peer.pc.getStats();
        } catch {
          return; // Closed meanwhile.
        }
        if (peer.closed || member.peer !== peer || !this.#timer) return;
        const sample = toSample(report, member.view.isLocal);
        const samples = member.samples;
        samples.push(sample);
        if (samples.length > SAMPLES_KEPT) samples.shift();
        if (!member.view.isLocal) this.#checkFrames(member, peer, sample.frames);
      }),
    );
    if (this.#timer) this.#sampled();
  }

  /**
   * Reports `stalled` when, with the publisher's camera on, `peer`'s video stopped decoding
   * for longer than the stall timeout, or never started: connected for twice that and not
   * one frame decoded (ICE and DTLS up but no video, as when an SFU forwards nothing).
   */
  #checkFrames(member: Member, peer: Peer, frames: number): void {
    const now = performance.now();
    const last = this.#progress.get(peer);
    // A throttled timer (a background tab) says nothing about the media: start over. The
    // clock runs only while the publisher's camera is on, and before the first frame only
    // while connected.
    const idle = member.videoMuted || (!frames && peer.pc.connectionState !== 'connected');
    if (!last || now - last.seen > STALE_MS || frames > last.frames || idle) {
      this.#progress.set(peer, { frames, rose: now, seen: now });
      return;
    }
    last.seen = now;
    if (now - last.rose > this.#stallTimeoutMs * (frames ? 1 : 2)) this.report(member, 'stalled');
  }
}
