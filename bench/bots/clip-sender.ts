/**
 * A publisher's real-time loop: the clip's Opus packets every 20 ms and its VP8 frames
 * every 66.7 ms, looped, with RTP sequence numbers, timestamps (48 kHz and 90 kHz) and
 * marker bits, and key frames on request, as a browser's encoder would produce them.
 *
 * @packageDocumentation
 */

import {
  AUDIO_FRAME_MS,
  CLOCK_RATE,
  VIDEO_FRAME_MS,
  nearestKeyFrame,
  vp8Payloads,
  type MediaClip,
} from './media.js';

/** What the loop hands the peer connection for each RTP packet. */
export interface OutgoingRtp {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/** Sends one RTP packet of a kind (the sender sets SSRC and payload type). */
export type RtpSend = (packet: OutgoingRtp) => void;

/** Packets and payload bytes sent, per kind. */
export interface SentCounts {
  audio: { packets: number; bytes: number };
  video: { packets: number; bytes: number };
}

/**
 * Frames more than this many intervals late are skipped (their time is past), as a
 * browser's capture drops frames when the machine is late; the timestamps still follow
 * the wall clock.
 */
const MAX_LATE_FRAMES = 3;

/** One media kind's position in the clip and on the RTP clock. */
class Track {
  /** Frames sent or skipped since start: the RTP timestamp's frame count. */
  frames = 0;
  clipIndex = 0;
  sequenceNumber = randomUint(16);
  readonly timestampBase = randomUint(32);
  packets = 0;
  bytes = 0;

  constructor(
    readonly intervalMs: number,
    readonly ticksPerFrame: number,
    readonly send: RtpSend,
  ) {}

  /** The RTP timestamp of the current frame. */
  get timestamp(): number {
    return (this.timestampBase + this.frames * this.ticksPerFrame) >>> 0;
  }

  emit(payload: Buffer, marker: boolean): void {
    this.send({
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      marker,
      payload,
    });
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.packets++;
    this.bytes += payload.length;
  }
}

function randomUint(bits: 16 | 32): number {
  return Math.floor(Math.random() * 2 ** bits);
}

/**
 * Shortest time between two wake-ups of the {@link pacer}, in ms (libwebrtc's pacer
 * also sends in 5 ms bursts). A Node timer wake-up costs ~40 µs of CPU, about half a
 * bot's cost per packet when each of its 65 frames a second had its own.
 */
export const PACER_INTERVAL_MS = 5;

/**
 * One timer for every {@link ClipSender} of the process: each wake-up sends whatever is
 * due at every sender, and the next comes at the earliest next due time, but not within
 * {@link PACER_INTERVAL_MS} of the last. A frame leaves at most that much (plus the
 * timer's own lateness) after its time, and the wake-ups per second stay at most 200
 * however many bots the process runs.
 */
const pacer = {
  senders: new Set<ClipSender>(),
  timer: undefined as NodeJS.Timeout | undefined,
  /** When the pending timer fires (`performance.now()` ms). */
  timerAt: Infinity,
  lastRun: -Infinity,

  add(sender: ClipSender): void {
    this.senders.add(sender);
    this.schedule(performance.now());
  },

  delete(sender: ClipSender): void {
    this.senders.delete(sender);
    if (this.senders.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
    }
  },

  /** Wakes at `at` (or the interval after the last run), unless a wake-up comes sooner. */
  schedule(at: number): void {
    const when = Math.max(at, this.lastRun + PACER_INTERVAL_MS);
    if (when >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => this.run(), Math.max(0, when - performance.now()));
  },

  run(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    this.lastRun = now;
    let next = Infinity;
    for (const sender of this.senders) next = Math.min(next, sender.sendDue(now));
    if (next !== Infinity) this.schedule(next);
  },
};

/**
 * Sends a {@link MediaClip} in real time, on the process's shared {@link pacer}. Frame
 * `n` of a kind is due at `start + n × interval`; each wake-up sends every due frame.
 */
export class ClipSender {
  private readonly audio: Track | undefined;
  private readonly video: Track | undefined;
  private pictureId = Math.floor(Math.random() * 0x8000);
  private startedAt = 0;
  private running = false;
  /** `performance.now()` of the oldest key frame request not yet met. */
  private keyFrameRequestedAt: number | undefined;
  private readonly keyFrameDelays: number[] = [];

  /**
   * @param clip - the media.
   * @param send - where each kind's packets go; a kind without one is not sent.
   */
  constructor(
    private readonly clip: MediaClip,
    send: { audio?: RtpSend; video?: RtpSend },
  ) {
    if (send.audio)
      this.audio = new Track(
        AUDIO_FRAME_MS,
        (CLOCK_RATE.audio * AUDIO_FRAME_MS) / 1000,
        send.audio,
      );
    if (send.video) this.video = new Track(VIDEO_FRAME_MS, CLOCK_RATE.video / 15, send.video);
  }

  /** Starts the loop (again after {@link ClipSender.stop}: the clock restarts). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = performance.now();
    for (const track of [this.audio, this.video]) if (track) track.frames = 0;
    pacer.add(this);
  }

  /** Stops the loop; nothing is sent after it returns. */
  stop(): void {
    this.running = false;
    pacer.delete(this);
  }

  /**
   * Asks for a key frame (on an RTCP PLI, RFC 4585 section 6.3.1, or FIR, RFC 5104
   * section 4.3.1): the next video frame sent is the clip's key frame nearest the
   * current position, and the clip continues after it.
   */
  requestKeyFrame(): void {
    this.keyFrameRequestedAt ??= performance.now();
  }

  /** Packets and payload bytes sent so far. */
  sent(): SentCounts {
    return {
      audio: { packets: this.audio?.packets ?? 0, bytes: this.audio?.bytes ?? 0 },
      video: { packets: this.video?.packets ?? 0, bytes: this.video?.bytes ?? 0 },
    };
  }

  /** For each key frame request met: ms from the request to its key frame's first packet. */
  keyFrameDelaysMs(): number[] {
    return [...this.keyFrameDelays];
  }

  /**
   * @internal Called by the pacer: sends every frame due at `now` (ms); returns when the
   * next one is due.
   */
  sendDue(now: number): number {
    let next = Infinity;
    for (const track of [this.audio, this.video]) {
      if (!track) continue;
      const due = Math.floor((now - this.startedAt) / track.intervalMs);
      if (due - track.frames > MAX_LATE_FRAMES) this.skip(track, due - track.frames - 1);
      while (track.frames <= due) {
        if (track === this.video) this.sendVideoFrame(track);
        else this.sendAudioFrame(track);
        track.frames++;
      }
      next = Math.min(next, this.startedAt + track.frames * track.intervalMs);
    }
    return next;
  }

  private skip(track: Track, frames: number): void {
    track.frames += frames;
    const length = track === this.video ? this.clip.video.length : this.clip.audio.length;
    track.clipIndex = (track.clipIndex + frames) % length;
  }

  private sendAudioFrame(track: Track): void {
    const packet = this.clip.audio[track.clipIndex]!;
    // RFC 7587 section 4.1 / RFC 3551: the marker is set on the first packet of a talkspurt.
    track.emit(packet, track.packets === 0);
    track.clipIndex = (track.clipIndex + 1) % this.clip.audio.length;
  }

  private sendVideoFrame(track: Track): void {
    const { video, keyFrames } = this.clip;
    const requestedAt = this.keyFrameRequestedAt;
    if (requestedAt !== undefined) {
      this.keyFrameRequestedAt = undefined;
      if (!video[track.clipIndex]!.key) {
        track.clipIndex = nearestKeyFrame(keyFrames, track.clipIndex, video.length);
      }
      this.keyFrameDelays.push(performance.now() - requestedAt);
    }
    const payloads = vp8Payloads(video[track.clipIndex]!.data, this.pictureId);
    payloads.forEach((payload, i) => track.emit(payload, i === payloads.length - 1));
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    track.clipIndex = (track.clipIndex + 1) % video.length;
  }
}
