/**
 * The SFU's subscriber endpoint: answers one browser's receive-only offer and sends
 * it copies of a publisher endpoint's RTP.
 *
 * @packageDocumentation
 */

import {
  MediaStream,
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  type RtcpPacket,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';
import type { SubscriberEndpoint } from '../media-backend.js';
import { CLOCK_RATE, RtpRewriter } from './rtp-rewriter.js';
import { RtpSendPath } from './rtp-send-path.js';
import { RtpSink, type MediaKind, type RtpSource } from './rtp-fan-out.js';
import type { EndpointContext } from './werift-endpoint.js';

/** The RTCP payload-specific feedback type of a Full Intra Request (RFC 5104 section 4.3.1). */
const FIR_FORMAT = 4;

/** Characters allowed in an SDP token (RFC 8866 section 9, `token-char`). */
const TOKEN_CHAR = /[!#$&'*+\-.0-9A-Z^_`a-z{|}~]/;

/**
 * The `a=msid` stream id for a participant name (RFC 8830): the name itself when it is
 * an SDP token, else the name with every other character percent-encoded as UTF-8
 * (`%` included), which `decodeURIComponent` reverses.
 */
export function msidStreamId(name: string): string {
  let id = '';
  for (const char of name) {
    if (char !== '%' && TOKEN_CHAR.test(char)) id += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        id += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return id;
}

interface Output {
  rewriter: RtpRewriter;
  path: RtpSendPath;
}

/**
 * Sends one publisher's media to one browser (Kurento: a WebRtcEndpoint in
 * `incomingMedia`, connected from the sender's outgoing endpoint). The answer carries
 * `a=msid:<publisher's name> <track>` so the browser's remote stream is named after
 * the publisher.
 */
export class WeriftSubscriber extends RtpSink implements SubscriberEndpoint {
  readonly role = 'subscriber' as const;
  private source: RtpSource | undefined;
  private readonly streamId: string;
  private readonly outputs = new Map<MediaKind, Output>();
  private readonly unsubscribers: (() => void)[] = [];
  /** True once DTLS is connected: from then on, packets sent reach the browser. */
  private mediaFlows = false;

  constructor(context: EndpointContext, publisher: RtpSource) {
    super(context);
    this.streamId = msidStreamId(publisher.participant);
    this.pc.onRemoteTransceiverAdded.subscribe((transceiver) => this.prepare(transceiver));
    this.attach(publisher);
  }

  /** {@inheritDoc SubscriberEndpoint.publisher} */
  get publisher(): RtpSource | undefined {
    return this.source;
  }

  /** @internal Makes `publisher` the source (see `WeriftPublisher.connect`). */
  attach(publisher: RtpSource): void {
    if (this.source === publisher) return;
    this.source?.removeSink(this);
    this.source = publisher;
    publisher.addSink(this);
    if (this.mediaFlows) publisher.sinkConnected(this);
  }

  /** @internal Called by the source when it is released. */
  sourceReleased(publisher: RtpSource): void {
    if (this.source === publisher) this.source = undefined;
  }

  /** @internal Sends a copy of a source packet on the track of `kind`, if negotiated. */
  forward(kind: MediaKind, packet: RtpPacket): void {
    const output = this.outputs.get(kind);
    if (!output || this.released) return;
    output.path.send(output.rewriter.rewrite(packet));
  }

  protected disconnect(): void {
    this.source?.removeSink(this);
    this.source = undefined;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  protected override afterAnswer(): void {
    // Key frame requests from the browser: PLI, or FIR from older stacks. The DTLS
    // transport sees every RTCP packet; werift's router does not route FIR to senders.
    for (const transport of new Set(this.pc.dtlsTransports)) {
      const rtcp = transport.onRtcp.subscribe((packet) => this.handleRtcp(packet));
      // werift raises the state synchronously as the handshake completes, before any
      // packet can be sent: the source's group goes out first, then the live stream.
      const state = transport.onStateChange.subscribe((dtls) => {
        if (dtls !== 'connected' || this.mediaFlows || this.released) return;
        this.mediaFlows = true;
        this.source?.sinkConnected(this);
      });
      this.unsubscribers.push(rtcp.unSubscribe, state.unSubscribe);
    }
    // Ask for a key frame now, while ICE and DTLS are still to come, so that it is on
    // its way (and in the source's cache) when this subscriber's DTLS connects.
    this.source?.requestKeyFrame();
  }

  /** Turns the offer's first audio and first video m-section into send-only tracks. */
  private prepare(transceiver: RTCRtpTransceiver): void {
    const kind = transceiver.kind;
    if ((kind !== 'audio' && kind !== 'video') || this.outputs.has(kind)) return;
    transceiver.setDirection('sendonly');
    transceiver.sender.setStreams([new MediaStream({ id: this.streamId })]);
    this.outputs.set(kind, {
      rewriter: new RtpRewriter(CLOCK_RATE[kind]),
      path: new RtpSendPath(transceiver.sender),
    });
  }

  private handleRtcp(packet: RtcpPacket): void {
    if (!(packet instanceof RtcpPayloadSpecificFeedback)) return;
    const format = packet.feedback.count;
    if (format === PictureLossIndication.count || format === FIR_FORMAT) {
      this.source?.requestKeyFrame();
    }
  }
}
