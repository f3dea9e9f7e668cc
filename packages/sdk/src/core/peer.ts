/**
 * The peer layer: one `RTCPeerConnection` in one role, send-only (the publisher) or
 * receive-only (a subscription to one remote participant). The browser is always the
 * offerer (Kurento group-call contract).
 *
 * @packageDocumentation
 */
import { NegotiationError, RoomError, SignalingError } from './errors.js';
import { isCandidateOf } from '../protocol/ice-ufrag.js';
import type { IceCandidateInit } from '../protocol/messages.js';
import { SerialQueue } from '../protocol/serial-queue.js';

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
  /** The connection broke on its own (see {@link Peer.broken}): reported when `connectionState` or the DTLS transport's state says so. */
  broken(reason: 'failed' | 'closed' | 'timeout'): void;
  /**
   * A failure that did not stop the peer: a `NegotiationError` (`offer`, `answer`,
   * `candidate`, `ice`), or a `SignalingError('protocol')` for an answer with no offer pending.
   */
  error(error: RoomError): void;
}

/**
 * What a publisher sends: one send-only transceiver per entry, in order, each carrying
 * `stream`'s id as its msid. A null `track` sends nothing until `replaceTrack`; `maxBitrate`
 * (bps) caps the encoding (`sendEncodings`, webrtc-pc section 5.2).
 */
export interface Outgoing {
  stream: MediaStream;
  tracks: { kind: 'audio' | 'video'; track: MediaStreamTrack | null; maxBitrate?: number }[];
}

/**
 * One `RTCPeerConnection`. Operations on it run one at a time through a task queue;
 * remote ICE candidates are queued until the answer is applied, never dropped; local
 * candidates are held until the offer is out. `close()` is idempotent, and tasks still
 * queued then are skipped.
 */
export class Peer {
  readonly #handlers: PeerHandlers;
  #isClosed = false;
  readonly #queue = new SerialQueue();
  /** Remote candidates waiting for the remote description; null once it is set. */
  #remote: IceCandidateInit[] | null = [];
  /** Local candidates waiting for the offer to be sent; null once it is. */
  #local: IceCandidateInit[] | null = [];
  /** The DTLS transport, watched once the answer is applied. */
  #dtls: RTCDtlsTransport | null = null;
  /** When this peer times out unless connected (`performance.now()`, ms); Infinity once it has been. */
  #deadline: number;

  /**
   * @param participant Whose media this peer carries (used in errors).
   * @param pc A new, unused connection (`RoomClientOptions.peerConnectionFactory`); this peer
   *   sets its `onicecandidate`, `ontrack` and `onconnectionstatechange` and closes it.
   * @param send To publish: one `sendonly` transceiver per entry. Null to subscribe:
   *   one `recvonly` audio and one `recvonly` video transceiver (webrtc-pc section 5.1, `addTransceiver`).
   * @param timeoutMs The negotiation deadline: not `connected` this long after it was made,
   *   the peer is {@link Peer.broken} (`timeout`), in ms.
   */
  constructor(
    readonly participant: string,
    readonly pc: RTCPeerConnection,
    send: Outgoing | null,
    handlers: PeerHandlers,
    timeoutMs: number,
  ) {
    this.#handlers = handlers;
    this.#deadline = performance.now() + timeoutMs;
    if (send) {
      for (const { kind, track, maxBitrate } of send.tracks) {
        pc.addTransceiver(track ?? kind, {
          direction: 'sendonly',
          streams: [send.stream],
          sendEncodings: [{ maxBitrate }],
        });
      }
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    pc.onicecandidate = ({ candidate: c }) => {
      // A null candidate, or an empty one, marks the end of gathering: not sent.
      if (!c?.candidate) return;
      const init = { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
      if (this.#local) this.#local.push(init);
      else handlers.candidate(init);
    };
    pc.ontrack = (event) => handlers.track(event);
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'connected') this.#deadline = Infinity;
      // The error first: the state handler may close this peer to rebuild it.
      if (state === 'failed') {
        handlers.error(new NegotiationError('ice', participant, `ICE failed for ${participant}.`));
      }
      handlers.state(state);
      if (state === 'failed' && !this.#isClosed) handlers.broken(state);
    };
  }

  /**
   * Why the connection is broken, if it is: `failed` when its `connectionState` or DTLS
   * transport is `failed`; `closed` when it was closed by something other than
   * {@link Peer.close}: `pc.close()` called by someone else, or the remote end closing its
   * DTLS association (close_notify: the `RTCDtlsTransport` goes `closed`, webrtc-pc section
   * 5.5, while ICE still says `connected`); `timeout` when it has never been `connected`
   * within the negotiation deadline (no answer came, or no candidate pair worked). Null
   * while healthy, and after {@link Peer.close}.
   */
  get broken(): 'failed' | 'closed' | 'timeout' | null {
    if (this.#isClosed) return null;
    const state = this.pc.connectionState;
    const dtls = this.#dtls?.state;
    if (state === 'failed' || dtls === 'failed') return 'failed';
    if (state === 'closed' || dtls === 'closed') return 'closed';
    return performance.now() > this.#deadline ? 'timeout' : null;
  }

  /** Creates and sets the offer, reports it through `handlers.offer`, then releases held local candidates. */
  negotiate(): Promise<void> {
    return this.#run('offer', async () => {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      if (this.#isClosed) return;
      this.#handlers.offer(offer.sdp ?? '');
      const held = this.#local ?? [];
      this.#local = null;
      for (const candidate of held) this.#handlers.candidate(candidate);
    });
  }

  /**
   * Applies the SDP answer (`setRemoteDescription`, webrtc-pc section 4.4.1.6), then the
   * queued remote candidates. Reports `SignalingError('protocol')` if no offer is pending
   * and `NegotiationError('answer')` if the answer is rejected.
   */
  answer(sdp: string): Promise<void> {
    return this.#run('answer', async () => {
      if (this.pc.signalingState !== 'have-local-offer') {
        throw new SignalingError(
          'protocol',
          `receiveVideoAnswer for "${this.participant}", with no offer.`,
          { code: 'UNEXPECTED_ANSWER' },
        );
      }
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      const dtls = (this.#dtls = this.pc.getTransceivers()[0]?.receiver.transport ?? null);
      if (dtls) {
        dtls.onstatechange = () => {
          const broken = this.broken;
          if (broken) this.#handlers.broken(broken);
        };
      }
      const queued = this.#remote ?? [];
      this.#remote = null;
      for (const candidate of queued) this.addCandidate(candidate);
    });
  }

  /**
   * Adds a remote ICE candidate (`addIceCandidate`, webrtc-pc section 4.4.1.7), or queues it
   * until the answer is applied. One whose `ufrag` is not the answer's belongs to the
   * endpoint this peer replaced: it is dropped (see `isCandidateOf`). Reports
   * `NegotiationError('candidate')` if it is rejected.
   */
  addCandidate(candidate: IceCandidateInit): void {
    if (this.#remote) this.#remote.push(candidate);
    else if (isCandidateOf(candidate.candidate, this.pc.remoteDescription!.sdp)) {
      void this.#run('candidate', () => this.pc.addIceCandidate(candidate));
    }
  }

  /** The sender of the `kind` transceiver (a publisher's); undefined after {@link Peer.close}. */
  sender(kind: 'audio' | 'video'): RTCRtpSender | undefined {
    if (this.#isClosed) return undefined;
    return this.pc.getTransceivers().find((t) => t.receiver.track.kind === kind)?.sender;
  }

  /**
   * True once {@link Peer.close} was called. A `pc.connectionState` of `closed` while this
   * is false means something else closed the connection.
   */
  get closed(): boolean {
    return this.#isClosed;
  }

  /** Closes the connection (webrtc-pc section 4.4.1.3). Idempotent; reports nothing afterwards. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const pc = this.pc;
    pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
    if (this.#dtls) this.#dtls.onstatechange = null;
    pc.close();
  }

  /** Runs `task` after the ones before it (skipped once closed); its failure is reported, never thrown. */
  #run(reason: NegotiationError['reason'], task: () => Promise<void>): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#isClosed) return;
      try {
        await task();
      } catch (error) {
        if (this.#isClosed) return;
        this.#handlers.error(
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
    });
  }
}
