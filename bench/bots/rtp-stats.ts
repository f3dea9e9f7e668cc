/**
 * Receive statistics of one RTP stream, from the RTP header alone (no payload is
 * decoded, nor decrypted: SRTP leaves the header in the clear, RFC 3711 section 3.1):
 * packets, loss (RFC 3550 appendix A.3), payload bytes and interarrival jitter
 * (RFC 3550 appendix A.8).
 *
 * @packageDocumentation
 */

/** Receive statistics of one stream, as a subscriber bot reports them. */
export interface StreamStats {
  /** The participant whose media this is. */
  from: string;
  kind: 'audio' | 'video';
  /** RTP packets received (duplicates included, as RFC 3550 counts them). */
  packets: number;
  /**
   * Packets lost, RFC 3550 appendix A.3: expected (extended highest sequence number
   * minus the first, plus one) minus received, summed over each SSRC the stream had.
   * Negative when duplicates outnumber losses.
   */
  lost: number;
  /** Payload bytes (RTP header and SRTP authentication tag excluded). */
  bytes: number;
  /** Interarrival jitter, RFC 3550 appendix A.8, in ms. */
  jitterMs: number;
  /** `performance.now()` when the first packet arrived; undefined before. */
  firstPacketAt: number | undefined;
}

/** The fields of a fixed RTP header (RFC 3550 section 5.1) a counter needs. */
export interface RtpHeaderFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Bytes of the header: fixed part, CSRCs and header extension. */
  headerLength: number;
}

/**
 * Reads the RTP header at the start of `packet` (plain RTP or SRTP), or undefined when
 * it is not RTP version 2 or is shorter than its header says.
 */
export function readRtpHeader(packet: Uint8Array): RtpHeaderFields | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let headerLength = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < headerLength + 4) return undefined;
    headerLength += 4 + view.getUint16(headerLength + 2) * 4;
  }
  if (packet.length < headerLength) return undefined;
  return {
    payloadType: packet[1]! & 0x7f,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    headerLength,
  };
}

/** Per-SSRC state of RFC 3550 appendix A.1 and A.8. */
interface SourceState {
  ssrc: number;
  baseSeq: number;
  /** Extended highest sequence number received (cycles included). */
  extendedMax: number;
  received: number;
  /** RFC 3550 A.8 `transit` of the previous packet, in timestamp units. */
  transit: number | undefined;
}

/**
 * Counts one stream (one participant's audio or video). A new SSRC (the publisher
 * published again) starts a new loss count that adds to the previous ones; jitter
 * goes on.
 */
export class RtpStreamCounter {
  private packets = 0;
  private bytes = 0;
  private lostBefore = 0;
  /** RFC 3550 A.8 `jitter`, in timestamp units. */
  private jitter = 0;
  private firstPacketAt: number | undefined;
  private source: SourceState | undefined;

  /**
   * @param from - the participant whose media this is.
   * @param kind - its media kind.
   * @param clockRate - the RTP clock rate in Hz (48000 for Opus, 90000 for VP8).
   */
  constructor(
    readonly from: string,
    readonly kind: 'audio' | 'video',
    private readonly clockRate: number,
  ) {}

  /**
   * Counts one packet.
   *
   * @param header - its RTP header.
   * @param payloadBytes - its payload size in bytes.
   * @param arrivalMs - when it arrived, `performance.now()` (ms).
   */
  count(header: RtpHeaderFields, payloadBytes: number, arrivalMs: number): void {
    this.packets++;
    this.bytes += payloadBytes;
    this.firstPacketAt ??= arrivalMs;
    let source = this.source;
    if (!source || source.ssrc !== header.ssrc) {
      if (source) this.lostBefore += lostOf(source);
      source = this.source = {
        ssrc: header.ssrc,
        baseSeq: header.sequenceNumber,
        extendedMax: header.sequenceNumber,
        received: 0,
        transit: undefined,
      };
    }
    source.received++;
    // RFC 3550 A.1: place the 16-bit number in the cycle nearest the highest seen.
    const delta = (header.sequenceNumber - (source.extendedMax & 0xffff)) & 0xffff;
    if (delta < 0x8000) source.extendedMax += delta;
    // RFC 3550 A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si), J += (|D| - J) / 16.
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - header.timestamp;
    if (source.transit !== undefined) {
      let d = transit - source.transit;
      // The timestamp wraps at 2^32 (a wrap between two packets shows as ~2^32).
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    source.transit = transit;
  }

  /** The statistics so far. */
  stats(): StreamStats {
    return {
      from: this.from,
      kind: this.kind,
      packets: this.packets,
      lost: this.lostBefore + (this.source ? lostOf(this.source) : 0),
      bytes: this.bytes,
      jitterMs: (this.jitter / this.clockRate) * 1000,
      firstPacketAt: this.firstPacketAt,
    };
  }
}

/** RFC 3550 A.3: expected minus received. */
function lostOf(source: SourceState): number {
  return source.extendedMax - source.baseSeq + 1 - source.received;
}
