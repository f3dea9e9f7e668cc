/**
 * The SFU's publisher endpoint: receives one browser's Opus and VP8 and fans each RTP
 * packet out to the subscriber endpoints connected to it.
 *
 * @packageDocumentation
 */

import type { RTCRtpReceiver, RTCTrackEvent, RtpPacket } from 'werift';
import { MediaError, type PublisherEndpoint, type SubscriberEndpoint } from '../media-backend.js';
import { KeyFrameCache } from './key-frame-cache.js';
import { Throttle } from './throttle.js';
import { RtpSink, type MediaKind, type RtpSource } from './rtp-fan-out.js';
import { WeriftEndpoint, type EndpointContext } from './werift-endpoint.js';

/** Minimum time between two key frame requests (PLI) to one publisher, in ms. */
export const KEY_FRAME_INTERVAL_MS = 300;

/**
 * How old the publisher's last key frame may be for its group of pictures to be
 * replayed to a new subscriber, in ms (see {@link KeyFrameCache}): a subscriber's video
 * starts at most this far behind. The key frame requested at the subscriber's answer
 * usually arrives 50-100 ms before its DTLS connects.
 */
export const KEY_FRAME_CACHE_MS = 400;

/** The most packets a cached group of pictures may hold (~400 ms of 4 Mbit/s video). */
export const KEY_FRAME_CACHE_PACKETS = 200;

/**
 * Receives a participant's send-only offer (Kurento: the `outgoingMedia`
 * WebRtcEndpoint) and forwards every packet to its sinks. It exists before media, so
 * a subscriber connected early starts receiving when the first packet arrives.
 */
export class WeriftPublisher extends WeriftEndpoint implements PublisherEndpoint, RtpSource {
  readonly role = 'publisher' as const;
  private readonly sinks = new Set<RtpSink>();
  private readonly kinds = new Set<MediaKind>();
  private video: { receiver: RTCRtpReceiver; ssrc: number | undefined } | undefined;
  private readonly keyFrames: Throttle;
  private readonly keyFrameCache = new KeyFrameCache({
    maxAgeMs: KEY_FRAME_CACHE_MS,
    maxPackets: KEY_FRAME_CACHE_PACKETS,
  });

  constructor(context: EndpointContext) {
    super(context);
    this.keyFrames = new Throttle(KEY_FRAME_INTERVAL_MS, () => this.sendPictureLossIndication());
    this.pc.ontrack = (event) => this.handleTrack(event);
  }

  /** {@inheritDoc PublisherEndpoint.connect} */
  connect(subscriber: SubscriberEndpoint): void {
    if (!(subscriber instanceof RtpSink) || subscriber.pipelineId !== this.pipelineId) {
      throw new TypeError('the subscriber endpoint belongs to another pipeline');
    }
    if (this.released || subscriber.released) {
      throw new MediaError('cannot connect a released endpoint');
    }
    subscriber.attach(this);
  }

  /**
   * Asks the browser for a key frame (RTCP PLI, RFC 4585 section 6.3.1), throttled to
   * one per {@link KEY_FRAME_INTERVAL_MS}. Called when a subscriber has answered (so the
   * key frame is on its way when its DTLS connects), when one connects with no recent
   * group of pictures cached, and when one asks itself; without it a new subscriber
   * waits for the next natural key frame.
   */
  requestKeyFrame(): void {
    if (!this.released) this.keyFrames.request();
  }

  /**
   * @internal Called by a sink whose DTLS just connected: it gets the cached group of
   * pictures (the last key frame and every video packet since, so that it decodes at
   * once, without waiting for the encoder), or, with none recent enough, a key frame
   * request goes to the browser.
   */
  sinkConnected(sink: RtpSink): void {
    const group = this.keyFrameCache.group();
    if (!group) {
      this.requestKeyFrame();
      return;
    }
    try {
      for (const packet of group) sink.forward('video', packet);
    } catch (error) {
      this.logger.warn({ err: error, endpoint: sink.id }, 'replaying the key frame failed');
    }
  }

  /** @internal Called by {@link RtpSink.attach}. */
  addSink(subscriber: RtpSink): void {
    this.sinks.add(subscriber);
  }

  /** @internal Called by {@link RtpSink.attach} and the sink's release. */
  removeSink(subscriber: RtpSink): void {
    this.sinks.delete(subscriber);
  }

  protected disconnect(): void {
    this.keyFrames.cancel();
    this.keyFrameCache.clear();
    for (const sink of this.sinks) sink.sourceReleased(this);
    this.sinks.clear();
  }

  private handleTrack(event: RTCTrackEvent): void {
    const { track, receiver } = event;
    const kind = track.kind;
    // One track per kind, as the group-call client publishes (audio + camera).
    if ((kind !== 'audio' && kind !== 'video') || this.kinds.has(kind)) return;
    this.kinds.add(kind);
    if (kind === 'video') {
      this.video = { receiver, ssrc: track.ssrc };
      track.onReceiveRtp.subscribe((packet) => this.keyFrameCache.push(packet));
    }
    track.onReceiveRtp.subscribe((packet) => this.fanOut(kind, packet));
    this.logger.debug({ endpoint: this.id, kind }, 'publisher track');
  }

  private fanOut(kind: MediaKind, packet: RtpPacket): void {
    if (kind === 'video' && this.video && this.video.ssrc === undefined) {
      this.video.ssrc = packet.header.ssrc;
    }
    for (const sink of this.sinks) {
      try {
        sink.forward(kind, packet);
      } catch (error) {
        this.logger.warn({ err: error, endpoint: sink.id }, 'forwarding a packet failed');
      }
    }
  }

  private sendPictureLossIndication(): void {
    const video = this.video;
    if (!video || video.ssrc === undefined || this.released) return;
    video.receiver.sendRtcpPLI(video.ssrc).catch((error: unknown) => {
      this.logger.debug({ err: error, endpoint: this.id }, 'sending a PLI failed');
    });
  }
}
