/**
 * A publisher's most recent VP8 group of pictures (its last key frame and every packet
 * since), kept so that a subscriber whose DTLS has just connected decodes at once,
 * without waiting for a key frame requested from the publisher's encoder.
 *
 * @packageDocumentation
 */

import type { RtpPacket } from 'werift';

/**
 * True when `payload` (a VP8 RTP payload, RFC 7741) is the first packet of a key frame:
 * the payload descriptor has S = 1 and partition index 0 (section 4.2), and the VP8
 * payload header that follows it has P = 0, "key frame" (section 4.3; RFC 6386
 * section 9.1). Malformed or short payloads are not.
 */
export function isVp8KeyFrameStart(payload: Uint8Array): boolean {
  const first = payload[0];
  // X R N S R PID(3): S set, PID 0.
  if (first === undefined || (first & 0x17) !== 0x10) return false;
  let offset = 1;
  if (first & 0x80) {
    // X: the I L T K byte, then the optional fields it announces.
    const extension = payload[offset++];
    if (extension === undefined) return false;
    if (extension & 0x80) {
      const pictureId = payload[offset];
      if (pictureId === undefined) return false;
      offset += pictureId & 0x80 ? 2 : 1; // M: a 15-bit PictureID
    }
    if (extension & 0x40) offset += 1; // L: TL0PICIDX
    if (extension & 0x30) offset += 1; // T or K: TID, Y, KEYIDX
  }
  const header = payload[offset];
  return header !== undefined && (header & 0x01) === 0;
}

/** Bounds of a {@link KeyFrameCache}. */
export interface KeyFrameCacheLimits {
  /**
   * How old (ms since its first packet arrived) the cached key frame may be for its
   * group to be replayed. A subscriber's playout starts this much behind the publisher
   * at most, and catches up as its jitter buffer adapts.
   */
  maxAgeMs: number;
  /** How many packets the group may hold; a longer group is dropped until the next key frame. */
  maxPackets: number;
}

/**
 * The packets of one video stream from its last key frame on. VP8 delta frames refer
 * to earlier frames (RFC 6386 section 9.7), so the key frame alone is not enough: a
 * receiver given the whole group decodes every frame of it and then the live stream.
 * Groups that grow past the limits are dropped (a browser encoder sends key frames only
 * when asked, so its groups are long); then {@link KeyFrameCache.group} is undefined.
 */
export class KeyFrameCache {
  private packets: RtpPacket[] = [];
  private keyFrameAt = -Infinity;

  /**
   * @param limits - see {@link KeyFrameCacheLimits}.
   * @param now - a monotonic clock in ms (tests inject one).
   */
  constructor(
    private readonly limits: KeyFrameCacheLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records a packet of the stream, in arrival order. */
  push(packet: RtpPacket): void {
    if (isVp8KeyFrameStart(packet.payload)) {
      this.packets = [packet];
      this.keyFrameAt = this.now();
      return;
    }
    if (this.packets.length === 0) return;
    if (this.packets.length >= this.limits.maxPackets || this.stale()) {
      this.packets = [];
      return;
    }
    this.packets.push(packet);
  }

  /**
   * The packets from the last key frame on, oldest first, when that key frame arrived
   * within `maxAgeMs`; otherwise undefined. The array is the cache's own: do not modify.
   */
  group(): readonly RtpPacket[] | undefined {
    return this.packets.length > 0 && !this.stale() ? this.packets : undefined;
  }

  /** Forgets the group (the publisher's stream ended). */
  clear(): void {
    this.packets = [];
  }

  private stale(): boolean {
    return this.now() - this.keyFrameAt > this.limits.maxAgeMs;
  }
}
