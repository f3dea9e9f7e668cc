/**
 * A bot participant: joins a room over the Kurento group-call contract as a browser
 * client does (FIELD-NOTES section 1), publishes the pre-encoded clip (`media.ts`) and
 * counts what it receives from everyone else from the RTP headers (`rtp-stats.ts`),
 * without a browser, an encoder or a decoder. Peer connections are werift's.
 *
 * The story of a join: open the WebSocket, send `joinRoom`; on `existingParticipants`
 * publish (a send-only offer in `receiveVideoFrom` with the bot's own name) and subscribe
 * to each listed participant (a receive-only offer with their name); on
 * `newParticipantArrived` subscribe to the newcomer; `receiveVideoAnswer` and
 * `iceCandidate` go to the peer connection of `name`; `participantLeft` closes that
 * subscription. Local ICE candidates trickle as `onIceCandidate` after the offer.
 *
 * @packageDocumentation
 */

import WebSocket from 'ws';
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
import {
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type IceCandidateInit,
  type ServerMessage,
} from 'kurento-room/protocol';
import { ClipSender, type RtpSend, type SentCounts } from './clip-sender.js';
import { CLOCK_RATE, loadClip } from './media.js';
import { RtpStreamCounter, type RtpHeaderFields, type StreamStats } from './rtp-stats.js';
import { countRtpWithoutDecrypting, withoutStunServer } from './werift-tap.js';

export type { StreamStats } from './rtp-stats.js';
export type { SentCounts } from './clip-sender.js';

/** How a bot joins. */
export interface BotOptions {
  /** The server's signaling WebSocket URL, `ws://` or `wss://` (self-signed certificates accepted). */
  wsUrl: string;
  room: string;
  name: string;
  /** Publish the clip's VP8 and Opus, looped, in real time. Default true. */
  publish?: boolean;
  /** Subscribe (receive-only) to everyone present and arriving. Default true. */
  subscribe?: boolean;
  /**
   * How a subscription counts packets: `'header'` (default) from the clear SRTP header,
   * skipping werift's decryption (`werift-tap.ts`); `'decrypt'` through werift's whole
   * receive path (SRTP decryption, `RtpPacket`, `onReceiveRtp`), as a comparison.
   */
  receivePath?: 'header' | 'decrypt';
  /** Rejects {@link Bot.join} after this long, in ms. Default 20000. */
  joinTimeoutMs?: number;
}

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

/**
 * One peer connection of the bot (its publisher, or a subscription to `name`): the offer,
 * the answer, and trickle ICE both ways, remote candidates held until the answer is set.
 */
class BotPeer {
  readonly pc = new RTCPeerConnection(peerConfig());
  private remoteSet = false;
  private readonly remoteCandidates: IceCandidateInit[] = [];
  private closed = false;
  private readonly closedSignal: Promise<never>;
  private signalClosed!: () => void;

  /**
   * @param name - whose media the peer carries: the bot's own name for its publisher.
   * @param send - sends a message on the bot's socket.
   */
  constructor(
    readonly name: string,
    private readonly send: (message: ClientMessage) => void,
  ) {
    this.closedSignal = new Promise<void>((resolve) => (this.signalClosed = resolve)).then(() => {
      throw new Error(`peer connection for ${this.name} closed`);
    });
    this.closedSignal.catch(() => undefined);
  }

  /**
   * Makes the offer (the transceivers are added already), sends it in `receiveVideoFrom`
   * and then the candidates gathered meanwhile, and trickles later ones.
   */
  async offer(): Promise<string> {
    withoutStunServer(this.pc);
    const local: IceCandidateInit[] = [];
    let offered = false;
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate?.candidate || this.closed) return;
      const init = {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      };
      if (offered) this.send({ id: 'onIceCandidate', name: this.name, candidate: init });
      else local.push(init);
    });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const sdp = this.pc.localDescription!.sdp;
    if (this.closed) return sdp;
    this.send({ id: 'receiveVideoFrom', sender: this.name, sdpOffer: sdp });
    offered = true;
    for (const candidate of local) this.send({ id: 'onIceCandidate', name: this.name, candidate });
    return sdp;
  }

  /** Applies the server's answer, then the candidates that came before it. */
  async answer(sdp: string): Promise<void> {
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    this.remoteSet = true;
    for (const candidate of this.remoteCandidates.splice(0)) await this.addCandidate(candidate);
  }

  /** Adds a server candidate (held until the answer is set). Unusable ones are ignored. */
  async addCandidate(candidate: IceCandidateInit): Promise<void> {
    if (this.closed) return;
    if (!this.remoteSet) {
      this.remoteCandidates.push(candidate);
      return;
    }
    // KMS also announces TCP and IPv6 candidates, which this agent does not use.
    if (/ tcp /i.test(candidate.candidate)) return;
    await this.pc
      .addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      })
      .catch(() => undefined);
  }

  /** Resolves when the peer connection is connected (ICE and DTLS); rejects if it fails or closes. */
  connected(): Promise<void> {
    const connected = new Promise<void>((resolve, reject) => {
      const check = (state: string) => {
        if (state === 'connected') resolve();
        else if (state === 'failed' || state === 'closed') {
          reject(new Error(`peer connection for ${this.name} ${state}`));
        }
      };
      this.pc.connectionStateChange.subscribe(check);
      check(this.pc.connectionState);
    });
    return Promise.race([connected, this.closedSignal]);
  }

  /** Closes the peer connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    await this.pc.close().catch(() => undefined);
  }
}

/** What is received from one participant. */
interface Incoming {
  audio: RtpStreamCounter;
  video: RtpStreamCounter;
}

/**
 * A bot participant. {@link Bot.join} resolves once joined; {@link Bot.leave} (or the
 * server closing the socket) ends every peer connection and the socket.
 */
export class Bot {
  /** The bot's participant name. */
  readonly name: string;
  private readonly ws: WebSocket;
  private readonly options: Required<Omit<BotOptions, 'wsUrl' | 'room' | 'name'>>;
  private publisher: BotPeer | undefined;
  private clipSender: ClipSender | undefined;
  /** Settles when the publisher is connected (undefined when not publishing). */
  private publishing: Promise<void> | undefined;
  private readonly subscriptions = new Map<string, BotPeer>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly mediaWaiters = new Set<() => void>();
  private ended: Promise<void> | undefined;
  private joined = false;
  private readonly joinedSignal: Promise<string[]>;
  private settleJoin!: { resolve(names: string[]): void; reject(error: Error): void };

  private constructor(options: BotOptions) {
    this.name = options.name;
    this.options = {
      publish: options.publish ?? true,
      subscribe: options.subscribe ?? true,
      receivePath: options.receivePath ?? 'header',
      joinTimeoutMs: options.joinTimeoutMs ?? 20000,
    };
    this.joinedSignal = new Promise<string[]>((resolve, reject) => {
      this.settleJoin = { resolve, reject };
    });
    this.joinedSignal.catch(() => undefined);
    this.ws = new WebSocket(options.wsUrl, { rejectUnauthorized: false });
    this.ws.on('error', (error) => this.settleJoin.reject(error));
    this.ws.on('open', () => this.send({ id: 'joinRoom', name: options.name, room: options.room }));
    this.ws.on('message', (data) => this.handleFrame(data.toString()));
    this.ws.on('close', (code) => {
      this.settleJoin.reject(new Error(`the socket closed (${code}) before joining`));
      void this.end();
    });
  }

  /**
   * Joins `options.room` as `options.name`. Resolves once `existingParticipants` came
   * and, when publishing, the publisher's peer connection is connected.
   *
   * @throws Error on a refused join (the server's `error` reply), a socket that fails
   *   or closes first, or after `joinTimeoutMs`; the bot has ended then.
   */
  static async join(options: BotOptions): Promise<Bot> {
    const bot = new Bot(options);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${bot.name} did not join in ${bot.options.joinTimeoutMs} ms`)),
        bot.options.joinTimeoutMs,
      );
    });
    try {
      await Promise.race([bot.joinedSignal.then(() => bot.publishing), deadline]);
      return bot;
    } catch (error) {
      await bot.end();
      throw error;
    } finally {
      clearTimeout(timer);
    }
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

  /** Sends `leaveRoom`, then closes every peer connection and the socket. Safe to call twice. */
  async leave(): Promise<void> {
    if (this.joined && this.ws.readyState === WebSocket.OPEN) this.send({ id: 'leaveRoom' });
    await this.end();
  }

  /** Ends everything once: the loop, every peer connection, the socket. */
  private end(): Promise<void> {
    this.ended ??= (async () => {
      this.clipSender?.stop();
      for (const waiter of [...this.mediaWaiters]) waiter();
      const peers = [this.publisher, ...this.subscriptions.values()].filter((p) => p !== undefined);
      this.subscriptions.clear();
      if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
        this.ws.close(1000);
      }
      await Promise.all(peers.map((peer) => peer.close()));
      if (this.ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.ws.terminate();
            resolve();
          }, 2000);
          this.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    })();
    return this.ended;
  }

  private send(message: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(serializeMessage(message));
  }

  private handleFrame(frame: string): void {
    const parsed = parseServerMessage(frame);
    if (!parsed.ok) return; // unknown server messages are ignored, as the tutorial client does
    this.handleMessage(parsed.message).catch(() => {
      // A peer connection closed mid-negotiation (a participant left, or the bot ended).
    });
  }

  private async handleMessage(message: ServerMessage): Promise<void> {
    if (this.ended) return;
    switch (message.id) {
      case 'existingParticipants':
        this.joined = true;
        if (this.options.publish) {
          this.publishing = this.publish();
          this.publishing.catch(() => undefined); // join() reports it
        }
        this.settleJoin.resolve(message.data);
        if (this.options.subscribe)
          await Promise.all(message.data.map((name) => this.subscribeTo(name)));
        return;
      case 'newParticipantArrived':
        if (this.options.subscribe) await this.subscribeTo(message.name);
        return;
      case 'participantLeft': {
        const peer = this.subscriptions.get(message.name);
        this.subscriptions.delete(message.name);
        await peer?.close();
        return;
      }
      case 'receiveVideoAnswer':
        await this.peerOf(message.name)?.answer(message.sdpAnswer);
        return;
      case 'iceCandidate':
        await this.peerOf(message.name)?.addCandidate(message.candidate);
        return;
      case 'error':
        if (!this.joined)
          this.settleJoin.reject(
            new Error(`${this.name} was refused: ${message.code} ${message.message}`),
          );
        return;
      default:
        return;
    }
  }

  private peerOf(name: string): BotPeer | undefined {
    return name === this.name ? this.publisher : this.subscriptions.get(name);
  }

  /** The send-only publisher: the clip's Opus and VP8, started once connected. */
  private async publish(): Promise<void> {
    const peer = new BotPeer(this.name, (message) => this.send(message));
    this.publisher = peer;
    const audio = peer.pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), {
      direction: 'sendonly',
    });
    const video = peer.pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), {
      direction: 'sendonly',
    });
    const sender = new ClipSender(loadClip(), {
      audio: rtpSend(audio.sender),
      video: rtpSend(video.sender),
    });
    this.clipSender = sender;
    for (const transport of peer.pc.dtlsTransports) {
      transport.onRtcp.subscribe((packet: RtcpPacket) => {
        if (isKeyFrameRequest(packet, video.sender.ssrc)) sender.requestKeyFrame();
      });
    }
    await peer.offer();
    await peer.connected();
    if (!this.ended) sender.start();
  }

  /** A receive-only subscription to `name`'s audio and video. */
  private async subscribeTo(name: string): Promise<void> {
    if (name === this.name || this.subscriptions.has(name)) return;
    const peer = new BotPeer(name, (message) => this.send(message));
    this.subscriptions.set(name, peer);
    let streams = this.incoming.get(name);
    if (!streams) {
      streams = {
        audio: new RtpStreamCounter(name, 'audio', CLOCK_RATE.audio),
        video: new RtpStreamCounter(name, 'video', CLOCK_RATE.video),
      };
      this.incoming.set(name, streams);
    }
    const { audio, video } = streams;
    peer.pc.addTransceiver('audio', { direction: 'recvonly' });
    peer.pc.addTransceiver('video', { direction: 'recvonly' });
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
      countRtpWithoutDecrypting(peer.pc, count);
    } else {
      peer.pc.onTrack.subscribe((track) => {
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
    kinds = payloadKinds(await peer.offer());
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
