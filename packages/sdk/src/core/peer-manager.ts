/**
 * The peer manager (mediasoup-client's Transport and Handler; livekit's engine): every
 * participant's peer connection, the local publisher's send-only one and one receive-only
 * subscription per remote participant; their ICE candidates, early ones included; their
 * rebuilds; and the media watchdog with the stats loop that feeds the opt-in monitors.
 *
 * Self-healing media: while connected, a peer connection that reaches `failed`, is closed
 * by something else, or (a subscription) stops decoding video for `stallTimeoutMs` is
 * rebuilt alone with a new offer for the same sender (`peerRestarted`), with a backoff per
 * participant. So is a peer connection never `connected` within `negotiationTimeoutMs` of
 * its offer (no answer, or no candidate pair that works: a TURN server may be needed),
 * with a `NegotiationError('timeout')` each time. One stats loop (a `getStats()` per peer connection every second while
 * connected) feeds the watchdog, `getStats(client)`, and the opt-in `monitors`
 * (`activeSpeaker()`, `connectionQuality()`). Give `peerConnectionFactory` to see or wrap
 * every peer connection it makes.
 *
 * @packageDocumentation
 */
import { NegotiationError } from './errors.js';
import { stopStream } from './media.js';
import { MediaWatchdog } from './media-watchdog.js';
import type { PeerRestartReason } from './media-types.js';
import type { Emit, Monitor } from './monitor.js';
import type { Member } from './participant.js';
import { Peer, type Outgoing } from './peer.js';
import type { ClientMessage, IceCandidateInit } from '../protocol/messages.js';

/** Makes an `RTCPeerConnection` (see `RoomClientOptions.peerConnectionFactory`). */
export type PeerConnectionFactory = (config: RTCConfiguration) => RTCPeerConnection;

/** The default {@link PeerConnectionFactory}: the browser's own (webrtc-pc section 4.4.1). */
export const nativePeerConnection: PeerConnectionFactory = (config) =>
  new RTCPeerConnection(config);

/** What a {@link PeerManager} needs from the client. */
export interface PeerHost {
  /** Sends `receiveVideoFrom` and `onIceCandidate` on the signaling session. */
  send(message: ClientMessage): void;
  /** Emits a client event. */
  emit: Emit;
  /** Every participant's record, the local one first. */
  members(): Member[];
  /**
   * What a rebuilt peer of `member` sends: the publisher's tracks, or null for a
   * subscription; undefined when it must not be rebuilt now (not connected, or gone).
   */
  rebuild(member: Member): Outgoing | null | undefined;
}

/** Creates, rebuilds and closes the peer connections of a client's participants. */
export class PeerManager {
  readonly #host: PeerHost;
  readonly #config: RTCConfiguration;
  readonly #factory: PeerConnectionFactory;
  readonly #watchdog: MediaWatchdog;
  readonly #timeoutMs: number;

  /**
   * @param config Every peer connection's `RTCConfiguration` (ICE servers).
   * @param factory What makes each `RTCPeerConnection`.
   * @param stallTimeoutMs How long a subscription's video may stop decoding before it is rebuilt, in ms.
   * @param monitors Run after each stats tick.
   * @param timeoutMs The negotiation deadline: how long a new peer may take to connect, in ms.
   */
  constructor(
    host: PeerHost,
    config: RTCConfiguration,
    factory: PeerConnectionFactory,
    stallTimeoutMs: number,
    monitors: Monitor[],
    timeoutMs: number,
  ) {
    this.#host = host;
    this.#config = config;
    this.#factory = factory;
    this.#timeoutMs = timeoutMs;
    this.#watchdog = new MediaWatchdog(
      () => host.members(),
      (member, reason) => this.#restart(member, reason),
      stallTimeoutMs,
      () => {
        const members = host.members();
        for (const monitor of monitors) monitor.update(members);
      },
    );
  }

  /** Starts (`true`, once connected) or stops the media watchdog and its stats loop. */
  watch(on: boolean): void {
    if (on) this.#watchdog.start();
    else this.#watchdog.stop();
  }

  /**
   * Creates `member`'s peer and sends its offer (`receiveVideoFrom` with their name): to
   * publish `send`, or, when null, to subscribe. A peer connection that cannot be created
   * (an invalid `RTCConfiguration`, a throwing factory) emits `NegotiationError('offer')`.
   */
  connect(member: Member, send: Outgoing | null): void {
    const { name } = member;
    const host = this.#host;
    try {
      member.peer = new Peer(
        name,
        this.#factory(this.#config),
        send,
        {
          offer: (sdpOffer) => host.send({ id: 'receiveVideoFrom', sender: name, sdpOffer }),
          candidate: (candidate) => host.send({ id: 'onIceCandidate', name, candidate }),
          track: (event) => this.#onTrack(member, event),
          state: (state) => {
            member.peerState = state;
            host.emit('peerStateChanged', member.view, state);
          },
          broken: (reason) => this.#watchdog.report(member, reason),
          error: (error) => host.emit('error', error),
        },
        this.#timeoutMs,
      );
    } catch (cause) {
      return host.emit(
        'error',
        new NegotiationError('offer', name, `Cannot create a peer for ${name}.`, { cause }),
      );
    }
    for (const candidate of member.early) member.peer.addCandidate(candidate);
    member.early = [];
    void member.peer.negotiate();
  }

  /** Applies the SDP answer to `member`'s peer; false when it has none. */
  answer(member: Member, sdp: string): boolean {
    if (!member.peer) return false;
    void member.peer.answer(sdp);
    return true;
  }

  /** A remote ICE candidate for `member`: to its peer (queued there until the answer), or kept until it has one. */
  addCandidate(member: Member, candidate: IceCandidateInit): void {
    if (member.peer) member.peer.addCandidate(candidate);
    else member.early.push(candidate);
  }

  /** Closes `member`'s peer (`peerStateChanged` `closed`) and removes a remote stream; keeps the camera. */
  unplug(member: Member): void {
    const { peer, stream } = member;
    member.peer = null;
    member.early = [];
    member.samples = [];
    if (peer) {
      peer.close();
      member.peerState = 'closed';
      this.#host.emit('peerStateChanged', member.view, 'closed');
    }
    if (!stream || member.view.isLocal) return;
    member.stream = null;
    this.#host.emit('remoteStreamRemoved', member.view, stream);
  }

  /** Closes `member`'s peer and removes its stream, stopping it if it is the camera. */
  drop(member: Member): void {
    this.unplug(member);
    const stream = member.stream;
    if (!stream) return;
    member.stream = null;
    stopStream(stream);
    this.#host.emit('localStreamRemoved', stream);
  }

  /**
   * Rebuilds `member`'s peer alone, for the media watchdog: a new offer for the same
   * sender (the server replaces the endpoint). Returns false when declined.
   */
  #restart(member: Member, reason: PeerRestartReason): boolean {
    const send = member.peer ? this.#host.rebuild(member) : undefined;
    if (send === undefined) return false;
    const { name } = member;
    if (reason === 'timeout') {
      this.#host.emit(
        'error',
        new NegotiationError(
          reason,
          name,
          `No media connection for ${name} in ${this.#timeoutMs} ms: a TURN server may be needed.`,
        ),
      );
    }
    this.unplug(member);
    this.connect(member, send);
    this.#host.emit('peerRestarted', member.view, reason);
    return true;
  }

  /** One MediaStream per participant; `remoteStreamAdded` on its first track. */
  #onTrack(member: Member, { track, streams }: RTCTrackEvent): void {
    const stream = member.stream;
    if (stream) {
      if (!stream.getTrackById(track.id)) stream.addTrack(track);
      return;
    }
    member.stream = streams[0] ?? new MediaStream([track]);
    this.#host.emit('remoteStreamAdded', member.view, member.stream);
  }
}
