/**
 * Per-subscriber RTP copies that stay one continuous stream when their source changes.
 *
 * @packageDocumentation
 */

import { RtpHeader, RtpPacket } from 'werift';

/** RTP clock rates (Hz) of the two codecs the SFU negotiates (RFC 7587, RFC 7741). */
export const CLOCK_RATE = { audio: 48_000, video: 90_000 } as const;

/** True when 16-bit sequence number `a` comes after `b` (RFC 3550 serial arithmetic). */
function isNewer(a: number, b: number): boolean {
  const diff = (a - b) & 0xffff;
  return diff !== 0 && diff < 0x8000;
}

/**
 * Makes the copy of each forwarded packet for one outgoing stream.
 *
 * Each copy is a new packet: werift's `RTCRtpSender.sendRtp` rewrites the header in
 * place and keeps the packet for NACK, so subscribers must never share one. The copy
 * has no header extensions (`extension = false` too, or werift's packing crashes on
 * the publisher's extension profile) and no padding flag.
 *
 * When the source SSRC changes (the publisher published again), sequence numbers and
 * timestamps are rebased to continue after the last packet sent, the timestamp
 * advancing by the wall-clock time elapsed, so the receiver sees a gap, not a reset.
 */
export class RtpRewriter {
  private source: number | undefined;
  private seqOffset = 0;
  private timestampOffset = 0;
  private lastSeq: number | undefined;
  private lastTimestamp = 0;
  private lastAt = 0;

  /**
   * @param clockRate - the RTP clock rate in Hz, to advance timestamps across a source change.
   * @param now - a monotonic clock in ms (tests inject one).
   */
  constructor(
    private readonly clockRate: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Returns the copy of `packet` to send; `packet` itself is not modified. */
  rewrite(packet: RtpPacket): RtpPacket {
    const { header } = packet;
    if (header.ssrc !== this.source) {
      if (this.lastSeq !== undefined) {
        const elapsedTicks = Math.round(((this.now() - this.lastAt) * this.clockRate) / 1000);
        this.seqOffset = (this.lastSeq + 1 - header.sequenceNumber) & 0xffff;
        this.timestampOffset =
          (this.lastTimestamp + Math.max(1, elapsedTicks) - header.timestamp) >>> 0;
      }
      this.source = header.ssrc;
    }
    // Field by field on a fresh header: its initializers already say no extension, no
    // padding and no CSRC (an object literal through the constructor's Object.assign
    // costs more, per packet and per subscriber).
    const copy = new RtpHeader();
    copy.marker = header.marker;
    copy.payloadType = header.payloadType;
    copy.ssrc = header.ssrc;
    if (header.csrc.length > 0) {
      copy.csrc = [...header.csrc];
      copy.csrcLength = header.csrc.length;
    }
    copy.sequenceNumber = (header.sequenceNumber + this.seqOffset) & 0xffff;
    copy.timestamp = (header.timestamp + this.timestampOffset) >>> 0;
    if (this.lastSeq === undefined || isNewer(copy.sequenceNumber, this.lastSeq)) {
      this.lastSeq = copy.sequenceNumber;
      this.lastTimestamp = copy.timestamp;
      this.lastAt = this.now();
    }
    return new RtpPacket(copy, packet.payload);
  }
}
