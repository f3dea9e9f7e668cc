/**
 * What every bot shares whatever its WebRTC stack (werift in `bot.ts`, libwebrtc through
 * `@roamhq/wrtc` in `wrtc-bot.ts`): the Kurento group-call contract as a browser client
 * speaks it (FIELD-NOTES section 1), and offer/answer with trickle ICE on each peer.
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
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type IceCandidateInit,
  type ServerMessage,
} from 'kurento-room/protocol';

/** Sends a message on the bot's socket. */
export type Signal = (message: ClientMessage) => void;

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
   * How a werift subscription counts packets: `'header'` (default) from the clear SRTP
   * header, skipping werift's decryption (`werift-tap.ts`); `'decrypt'` through werift's
   * whole receive path (SRTP decryption, `RtpPacket`, `onReceiveRtp`), as a comparison.
   */
  receivePath?: 'header' | 'decrypt';
  /** Rejects the join after this long, in ms. Default 20000. */
  joinTimeoutMs?: number;
}

/** The operations a {@link SignalingPeer} needs from one peer connection of a WebRTC stack. */
export interface PeerConnectionDriver {
  /**
   * Creates the offer (transceivers are added already) and sets it as the local
   * description; resolves with its SDP. `onCandidate` receives each local ICE candidate
   * as it is gathered, before or after that.
   */
  makeOffer(onCandidate: (candidate: IceCandidateInit) => void): Promise<string>;
  /** Sets the server's answer as the remote description. */
  setAnswer(sdp: string): Promise<void>;
  /** Adds a server candidate; rejects when the stack refuses it. */
  addCandidate(candidate: IceCandidateInit): Promise<void>;
  /** The connection state (`RTCPeerConnectionState`). */
  readonly state: string;
  /** Calls `listener` with each new connection state. */
  onStateChange(listener: (state: string) => void): void;
  /** Closes the peer connection. */
  close(): Promise<void>;
}

/**
 * One peer connection of a bot (its publisher, or a subscription to `name`): the offer
 * in `receiveVideoFrom`, the answer, and trickle ICE both ways, local candidates sent
 * after the offer and remote ones held until the answer is set.
 */
export class SignalingPeer {
  private remoteSet = false;
  private readonly remoteCandidates: IceCandidateInit[] = [];
  private closed = false;
  private readonly closedSignal: Promise<never>;
  private signalClosed!: () => void;

  /**
   * @param name - whose media the peer carries: the bot's own name for its publisher.
   * @param send - sends a message on the bot's socket.
   * @param pc - the stack's peer connection.
   */
  constructor(
    readonly name: string,
    private readonly send: Signal,
    readonly pc: PeerConnectionDriver,
  ) {
    this.closedSignal = new Promise<void>((resolve) => (this.signalClosed = resolve)).then(() => {
      throw new Error(`peer connection for ${this.name} closed`);
    });
    this.closedSignal.catch(() => undefined);
  }

  /** Makes the offer, sends it, then the candidates gathered meanwhile; later ones trickle. Resolves with the offer. */
  async offer(): Promise<string> {
    const local: IceCandidateInit[] = [];
    let offered = false;
    const sdp = await this.pc.makeOffer((candidate) => {
      if (this.closed) return;
      if (offered) this.send({ id: 'onIceCandidate', name: this.name, candidate });
      else local.push(candidate);
    });
    if (this.closed) return sdp;
    this.send({ id: 'receiveVideoFrom', sender: this.name, sdpOffer: sdp });
    offered = true;
    for (const candidate of local) this.send({ id: 'onIceCandidate', name: this.name, candidate });
    return sdp;
  }

  /** Applies the server's answer, then the candidates that came before it. */
  async answer(sdp: string): Promise<void> {
    if (this.closed) return;
    await this.pc.setAnswer(sdp);
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
    // KMS also announces TCP candidates, which the bots' agents do not use.
    if (/ tcp /i.test(candidate.candidate)) return;
    await this.pc.addCandidate(candidate).catch(() => undefined);
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
      this.pc.onStateChange(check);
      check(this.pc.state);
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

/**
 * A bot's signaling: the socket, the join, and the publisher and subscriptions as
 * {@link SignalingPeer}s. A subclass makes the peers ({@link BotSession.publish},
 * {@link BotSession.subscribeTo}) with its WebRTC stack.
 */
export abstract class BotSession {
  /** The bot's participant name. */
  readonly name: string;
  protected readonly options: Required<Omit<BotOptions, 'wsUrl' | 'room' | 'name'>>;
  /** The send-only peer, once publishing. */
  protected publisher: SignalingPeer | undefined;
  /** The receive-only peers, by whose media they carry. */
  protected readonly subscriptions = new Map<string, SignalingPeer>();
  private readonly ws: WebSocket;
  private ending: Promise<void> | undefined;
  private joined = false;
  /** Settles when the publisher is connected (undefined when not publishing). */
  private publishing: Promise<void> | undefined;
  private readonly joinedSignal: Promise<string[]>;
  private settleJoin!: { resolve(names: string[]): void; reject(error: Error): void };

  protected constructor(options: BotOptions) {
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
   * Waits until `bot` has joined: `existingParticipants` came and, when publishing, the
   * publisher's peer connection is connected.
   *
   * @throws Error on a refused join (the server's `error` reply), a socket that fails
   *   or closes first, or after `joinTimeoutMs`; the bot has ended then.
   */
  protected static async untilJoined<T extends BotSession>(bot: T): Promise<T> {
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

  /** Whether the bot has ended (left, or its socket closed). */
  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Sends `leaveRoom`, then closes every peer connection and the socket. Safe to call twice. */
  async leave(): Promise<void> {
    if (this.joined && this.ws.readyState === WebSocket.OPEN) this.send({ id: 'leaveRoom' });
    await this.end();
  }

  /** Publishes: sets {@link BotSession.publisher} and resolves once it is connected. */
  protected abstract publish(): Promise<void>;

  /** Subscribes to `name`: a receive-only peer, added with {@link BotSession.addSubscription}. */
  protected abstract subscribeTo(name: string): Promise<void>;

  /** Subclass hook, run once when the bot ends, before its peers close. */
  protected onEnd(): void {}

  /** A new peer for `name`'s media (the bot's own name: the publisher) on this bot's socket. */
  protected peer(name: string, pc: PeerConnectionDriver): SignalingPeer {
    return new SignalingPeer(name, (message) => this.send(message), pc);
  }

  /** Records a subscription to `peer.name` and sends its offer; resolves with the offer. */
  protected addSubscription(peer: SignalingPeer): Promise<string> {
    this.subscriptions.set(peer.name, peer);
    return peer.offer();
  }

  /** Ends everything once: the subclass's hook, every peer connection, the socket. */
  protected end(): Promise<void> {
    this.ending ??= (async () => {
      this.onEnd();
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
    return this.ending;
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
          this.publishing.catch(() => undefined); // untilJoined() reports it
        }
        this.settleJoin.resolve(message.data);
        if (this.options.subscribe)
          await Promise.all(message.data.map((name) => this.subscribe(name)));
        return;
      case 'newParticipantArrived':
        if (this.options.subscribe) await this.subscribe(message.name);
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
        if (!this.joined) {
          this.settleJoin.reject(
            new Error(`${this.name} was refused: ${message.code} ${message.message}`),
          );
        }
        return;
      default:
        return;
    }
  }

  private subscribe(name: string): Promise<void> {
    if (name === this.name || this.subscriptions.has(name)) return Promise.resolve();
    return this.subscribeTo(name);
  }

  private peerOf(name: string): SignalingPeer | undefined {
    return name === this.name ? this.publisher : this.subscriptions.get(name);
  }
}
