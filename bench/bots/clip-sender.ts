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
 * Sends a {@link MediaClip} in real time on one timer. Frame `n` of a kind is due at
 * `start + n × interval`; the loop sends every due frame at each wake-up.
 */
export class ClipSender {
  private readonly audio: Track | undefined;
  private readonly video: Track | undefined;
  private pictureId = Math.floor(Math.random() * 0x8000);
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
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
    if (this.timer) return;
    this.startedAt = performance.now();
    for (const track of [this.audio, this.video]) if (track) track.frames = 0;
    this.tick();
  }

  /** Stops the loop; nothing is sent after it returns. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
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

  private tick(): void {
    const now = performance.now();
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
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - performance.now()));
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
