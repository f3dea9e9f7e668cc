/**
 * A bot participant: joins a room over the Kurento group-call contract as a browser
 * client does (`bot-session.ts`), publishes the pre-encoded clip (`media.ts`) and counts
 * what it receives from everyone else from the RTP headers (`rtp-stats.ts`), without a
 * browser, an encoder or a decoder. Peer connections are werift's.
 *
 * @packageDocumentation
 */

import {
  MediaStreamTrack,
  PictureLossIndication,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  useOPUS,
  useVP8,
  type RTCRtpSender,
  type RtcpPacket,
} from 'werift';
import type { IceCandidateInit } from 'kurento-room/protocol';
import { BotSession, type BotOptions, type PeerConnectionDriver } from './bot-session.js';
import { ClipSender, type RtpSend, type SentCounts } from './clip-sender.js';
import { CLOCK_RATE, loadClip } from './media.js';
import { RtpStreamCounter, type RtpHeaderFields, type StreamStats } from './rtp-stats.js';
import { countRtpWithoutDecrypting, withoutStunServer } from './werift-tap.js';

export type { BotOptions } from './bot-session.js';
export type { StreamStats } from './rtp-stats.js';
export type { SentCounts } from './clip-sender.js';

/** The RTCP payload-specific feedback type of a Full Intra Request (RFC 5104 section 4.3.1). */
const FIR_FORMAT = 4;

/**
 * werift settings of a bot's peer connection: one transport (`max-bundle`, as browsers
 * bundle), Opus and VP8 only, no header extensions, host candidates on IPv4 with
 * 127.0.0.1 added (the werift SFU listens there in tests) beside the interface addresses
 * (Kurento Media Server gathers no 127.0.0.1 candidate: FIELD-NOTES section 3).
 */
function peerConfig(): ConstructorParameters<typeof RTCPeerConnection>[0] {
  return {
    iceServers: [],
    bundlePolicy: 'max-bundle',
    codecs: { audio: [useOPUS()], video: [useVP8()] },
    headerExtensions: { audio: [], video: [] },
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
  };
}

/** The media kind of each payload type of an SDP, from its `m=` lines. */
function payloadKinds(sdp: string): Map<number, 'audio' | 'video'> {
  const kinds = new Map<number, 'audio' | 'video'>();
  for (const match of sdp.matchAll(/^m=(audio|video) \d+ \S+ ([\d ]+)/gm)) {
    for (const pt of match[2]!.trim().split(' '))
      kinds.set(Number(pt), match[1] as 'audio' | 'video');
  }
  return kinds;
}

/** A werift peer connection as a {@link PeerConnectionDriver}, with host candidates only. */
function weriftDriver(pc: RTCPeerConnection): PeerConnectionDriver {
  return {
    async makeOffer(onCandidate) {
      withoutStunServer(pc);
      pc.onIceCandidate.subscribe((candidate) => {
        if (!candidate?.candidate) return; // end of candidates
        onCandidate({
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid ?? null,
          sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        });
      });
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    },
    setAnswer: (sdp) => pc.setRemoteDescription({ type: 'answer', sdp }).then(() => undefined),
    addCandidate: (candidate: IceCandidateInit) =>
      pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      }),
    get state() {
      return pc.connectionState;
    },
    onStateChange: (listener) => void pc.connectionStateChange.subscribe(listener),
    close: () => pc.close(),
  };
}

/** What is received from one participant. */
interface Incoming {
  audio: RtpStreamCounter;
  video: RtpStreamCounter;
}

/**
 * A bot participant on werift. {@link Bot.join} resolves once joined; {@link Bot.leave}
 * (or the server closing the socket) ends every peer connection and the socket.
 */
export class Bot extends BotSession {
  private clipSender: ClipSender | undefined;
  private readonly incoming = new Map<string, Incoming>();
  private readonly mediaWaiters = new Set<() => void>();

  private constructor(options: BotOptions) {
    super(options);
  }

  /**
   * Joins `options.room` as `options.name`. Resolves once `existingParticipants` came
   * and, when publishing, the publisher's peer connection is connected.
   *
   * @throws Error on a refused join (the server's `error` reply), a socket that fails
   *   or closes first, or after `joinTimeoutMs`; the bot has ended then.
   */
  static join(options: BotOptions): Promise<Bot> {
    return BotSession.untilJoined(new Bot(options));
  }

  /** Packets and payload bytes sent so far, per kind. */
  sent(): SentCounts {
    return (
      this.clipSender?.sent() ?? {
        audio: { packets: 0, bytes: 0 },
        video: { packets: 0, bytes: 0 },
      }
    );
  }

  /** Receive statistics of every stream received so far (those of participants who left too). */
  received(): StreamStats[] {
    return [...this.incoming.values()].flatMap(({ audio, video }) => [
      audio.stats(),
      video.stats(),
    ]);
  }

  /**
   * For each key frame request (PLI or FIR) the publisher met: ms from the request's
   * arrival to the key frame's first packet.
   */
  keyFrameDelaysMs(): number[] {
    return this.clipSender?.keyFrameDelaysMs() ?? [];
  }

  /**
   * Resolves once audio and video packets have come from each of `from`.
   *
   * @throws Error after `timeoutMs` (default 10000) or when the bot ends first.
   */
  waitForMedia(from: string[], timeoutMs = 10000): Promise<void> {
    const done = () =>
      from.every((name) => {
        const streams = this.incoming.get(name);
        return streams && streams.audio.stats().packets > 0 && streams.video.stats().packets > 0;
      });
    if (done()) return Promise.resolve();
    if (this.ended) return Promise.reject(new Error(`${this.name} ended before media came`));
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.mediaWaiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.ended) settle(new Error(`${this.name} ended before media came`));
        else if (done()) settle();
      };
      const timer = setTimeout(() => {
        const got = this.received().map((s) => `${s.from}/${s.kind}:${s.packets}`);
        settle(
          new Error(
            `${this.name}: no audio and video from all of ${from.join(', ')} in ${timeoutMs} ms (${got.join(' ') || 'nothing'})`,
          ),
        );
      }, timeoutMs);
      this.mediaWaiters.add(check);
    });
  }

  protected override onEnd(): void {
    this.clipSender?.stop();
    for (const waiter of [...this.mediaWaiters]) waiter();
  }

  /** The send-only publisher: the clip's Opus and VP8, started once connected. */
  protected async publish(): Promise<void> {
    const pc = new RTCPeerConnection(peerConfig());
    const peer = this.peer(this.name, weriftDriver(pc));
    this.publisher = peer;
    const audio = pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), {
      direction: 'sendonly',
    });
    const video = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), {
      direction: 'sendonly',
    });
    const sender = new ClipSender(loadClip(), {
      audio: rtpSend(audio.sender),
      video: rtpSend(video.sender),
    });
    this.clipSender = sender;
    for (const transport of pc.dtlsTransports) {
      transport.onRtcp.subscribe((packet: RtcpPacket) => {
        if (isKeyFrameRequest(packet, video.sender.ssrc)) sender.requestKeyFrame();
      });
    }
    await peer.offer();
    await peer.connected();
    if (!this.ended) sender.start();
  }

  /** A receive-only subscription to `name`'s audio and video. */
  protected async subscribeTo(name: string): Promise<void> {
    const pc = new RTCPeerConnection(peerConfig());
    let streams = this.incoming.get(name);
    if (!streams) {
      streams = {
        audio: new RtpStreamCounter(name, 'audio', CLOCK_RATE.audio),
        video: new RtpStreamCounter(name, 'video', CLOCK_RATE.video),
      };
      this.incoming.set(name, streams);
    }
    const { audio, video } = streams;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    let kinds = new Map<number, 'audio' | 'video'>();
    const count = (header: RtpHeaderFields, payloadBytes: number, at: number) => {
      const kind = kinds.get(header.payloadType);
      if (!kind) return;
      const counter = kind === 'audio' ? audio : video;
      const first = counter.stats().packets === 0;
      counter.count(header, payloadBytes, at);
      if (first) for (const waiter of [...this.mediaWaiters]) waiter();
    };
    if (this.options.receivePath === 'header') {
      countRtpWithoutDecrypting(pc, count);
    } else {
      pc.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((packet) => {
          const { header } = packet;
          count(
            { ...header, headerLength: header.serializeSize },
            packet.payload.length,
            performance.now(),
          );
        });
      });
    }
    kinds = payloadKinds(await this.addSubscription(this.peer(name, weriftDriver(pc))));
  }
}

/** Sends the loop's packets on a werift sender (which sets SSRC and payload type, and encrypts). */
function rtpSend(sender: RTCRtpSender): RtpSend {
  return ({ sequenceNumber, timestamp, marker, payload }) => {
    const header = new RtpHeader({ sequenceNumber, timestamp, marker, payloadType: 0, ssrc: 0 });
    sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  };
}

/** A PLI (RFC 4585 section 6.3.1) or FIR (RFC 5104 section 4.3.1) for media source `ssrc`. */
function isKeyFrameRequest(packet: RtcpPacket, ssrc: number): boolean {
  if (!(packet instanceof RtcpPayloadSpecificFeedback)) return false;
  const { feedback } = packet;
  if (feedback.count === PictureLossIndication.count) {
    return (feedback as PictureLossIndication).mediaSsrc === ssrc;
  }
  // A FIR names its target SSRCs in its FCI entries; the media source field is 0.
  return feedback.count === FIR_FORMAT;
}
