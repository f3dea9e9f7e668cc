/**
 * The contract between the SFU's publisher and subscriber endpoints: a publisher is an
 * {@link RtpSource} that fans its RTP out to {@link RtpSink}s, and a subscriber is an
 * {@link RtpSink} with one source at a time (Kurento `MediaElement.connect`: a sink has
 * one source). Each side knows the other only through this module, so
 * `werift-publisher.ts` and `werift-subscriber.ts` do not import each other.
 *
 * @packageDocumentation
 */

import type { RtpPacket } from 'werift';
import type { PublisherEndpoint } from '../media-backend.js';
import { WeriftEndpoint } from './werift-endpoint.js';

/** The media kinds the SFU forwards. */
export type MediaKind = 'audio' | 'video';

/** A publisher endpoint as its subscribers see it: where their RTP comes from. */
export interface RtpSource extends PublisherEndpoint {
  /** The participant whose media this is (the subscribers' `a=msid` stream id). */
  readonly participant: string;
  /** Starts forwarding every packet to `sink`. */
  addSink(sink: RtpSink): void;
  /** Stops forwarding to `sink`. */
  removeSink(sink: RtpSink): void;
  /** Asks the browser for a key frame (RTCP PLI), throttled by the source. */
  requestKeyFrame(): void;
  /**
   * `sink` can receive media now (its DTLS just connected): the source sends it what it
   * needs to decode at once, or asks the browser for a key frame.
   */
  sinkConnected(sink: RtpSink): void;
}

/** A subscriber endpoint as its publisher sees it: where RTP goes. */
export abstract class RtpSink extends WeriftEndpoint {
  /** Makes `source` the one source of this sink (leaving the previous one). */
  abstract attach(source: RtpSource): void;
  /** Called by `source` when it is released: the sink has no source until attached again. */
  abstract sourceReleased(source: RtpSource): void;
  /** Sends a copy of a source packet on the track of `kind`, if negotiated. */
  abstract forward(kind: MediaKind, packet: RtpPacket): void;
}
