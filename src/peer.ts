/**
 * The peer layer: one `RTCPeerConnection` in one role, send-only (the publisher) or
 * receive-only (a subscription to one remote participant). The browser is always the
 * offerer (Kurento group-call contract).
 *
 * @packageDocumentation
 */
import { NegotiationError, RoomError, SignalingError } from './errors.js';
import type { IceCandidateInit } from './protocol.js';

/** What a {@link Peer} reports. Nothing is reported after {@link Peer.close}. */
export interface PeerHandlers {
  /** The local offer is set (webrtc-pc section 4.4.1.5); send it as `receiveVideoFrom`. */
  offer(sdp: string): void;
  /** A local ICE candidate to trickle as `onIceCandidate`; never before {@link PeerHandlers.offer}. */
  candidate(candidate: IceCandidateInit): void;
  /** A remote track arrived (`track` event, webrtc-pc section 5.1); receive-only peers only. */
  track(event: RTCTrackEvent): void;
  /** `connectionState` changed (webrtc-pc section 4.3.3). */
  state(state: RTCPeerConnectionState): void;
  /**
   * A failure that did not stop the peer: a `NegotiationError` (`offer`, `answer`,
   * `candidate`, `ice`), or a `SignalingError('protocol')` for an answer with no offer pending.
   */
  error(error: RoomError): void;
}

/**
 * One `RTCPeerConnection`. Operations on it run one at a time through a task queue;
 * remote ICE candidates are queued until the answer is applied, never dropped; local
 * candidates are held until the offer is out. `close()` is idempotent, and tasks still
 * queued then are skipped.
 */
export class Peer {
  /** The wrapped connection, for `getStats()`. */
  readonly pc: RTCPeerConnection;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();
  /** Remote candidates waiting for the remote description; null once it is set. */
  private remote: IceCandidateInit[] | null = [];
  /** Local candidates waiting for the offer to be sent; null once it is. */
  private local: IceCandidateInit[] | null = [];

  /**
   * @param participant Whose media this peer carries (used in errors).
   * @param config The `RTCConfiguration` (ICE servers).
   * @param stream To publish: one `sendonly` transceiver per track. Null to subscribe:
   *   one `recvonly` audio and one `recvonly` video transceiver (webrtc-pc section 5.1, `addTransceiver`).
   */
  constructor(
    readonly participant: string,
    config: RTCConfiguration,
    stream: MediaStream | null,
    private readonly handlers: PeerHandlers,
  ) {
    const pc = (this.pc = new RTCPeerConnection(config));
    if (stream) {
      for (const track of stream.getTracks()) {
        pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      }
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    pc.onicecandidate = ({ candidate: c }) => {
      // A null candidate, or an empty one, marks the end of gathering: not sent.
      if (!c?.candidate) return;
      const init = { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
      if (this.local) this.local.push(init);
      else handlers.candidate(init);
    };
    pc.ontrack = (event) => handlers.track(event);
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      handlers.state(state);
      if (state === 'failed') {
        handlers.error(new NegotiationError('ice', participant, `ICE failed for ${participant}.`));
      }
    };
  }

  /** Creates and sets the offer, reports it through `handlers.offer`, then releases held local candidates. */
  negotiate(): Promise<void> {
    return this.run('offer', async () => {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      if (this.closed) return;
      this.handlers.offer(offer.sdp ?? '');
      const held = this.local ?? [];
      this.local = null;
      for (const candidate of held) this.handlers.candidate(candidate);
    });
  }

  /**
   * Applies the SDP answer (`setRemoteDescription`, webrtc-pc section 4.4.1.6), then the
   * queued remote candidates. Reports `SignalingError('protocol')` if no offer is pending
   * and `NegotiationError('answer')` if the answer is rejected.
   */
  answer(sdp: string): Promise<void> {
    return this.run('answer', async () => {
      if (this.pc.signalingState !== 'have-local-offer') {
        throw new SignalingError(
          'protocol',
          `An answer for ${this.participant} came with no offer pending.`,
          {
            code: 'UNEXPECTED_ANSWER',
          },
        );
      }
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      const queued = this.remote ?? [];
      this.remote = null;
      for (const candidate of queued) this.addCandidate(candidate);
    });
  }

  /**
   * Adds a remote ICE candidate (`addIceCandidate`, webrtc-pc section 4.4.1.7), or queues it
   * until the answer is applied. Reports `NegotiationError('candidate')` if it is rejected.
   */
  addCandidate(candidate: IceCandidateInit): void {
    if (this.remote) this.remote.push(candidate);
    else void this.run('candidate', () => this.pc.addIceCandidate(candidate));
  }

  /** Closes the connection (webrtc-pc section 4.4.1.3). Idempotent; reports nothing afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pc = this.pc;
    pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
    pc.close();
  }

  /** Runs `task` after the ones before it; its failure is reported, never thrown. */
  private run(reason: NegotiationError['reason'], task: () => Promise<void>): Promise<void> {
    return (this.tail = this.tail.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (error) {
        if (this.closed) return;
        this.handlers.error(
          error instanceof RoomError
            ? error
            : new NegotiationError(
                reason,
                this.participant,
                `The ${reason} for ${this.participant} failed.`,
                {
                  cause: error,
                },
              ),
        );
      }
    }));
  }
}
