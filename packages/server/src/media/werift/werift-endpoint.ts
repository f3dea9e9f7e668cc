/**
 * What the SFU's publisher and subscriber endpoints share: one werift
 * `RTCPeerConnection` answering one browser offer, with trickle ICE both ways.
 *
 * @packageDocumentation
 */

import { RTCPeerConnection } from 'werift';
import { MediaError, type IceCandidateInit, type WebRtcEndpoint } from '../media-backend.js';
import type { WeriftPeerConfig } from './werift-config.js';
import { withoutTransportCc } from './werift-config.js';
import type { Logger } from '../../logger.js';

/** What a pipeline gives each endpoint it creates. */
export interface EndpointContext {
  /** Unique within the backend. */
  id: string;
  /** The pipeline's id; endpoints only connect within one pipeline. */
  pipelineId: string;
  /** The participant the endpoint serves. */
  participant: string;
  config: WeriftPeerConfig;
  logger: Logger;
  /** Called once, synchronously, when the endpoint is released. */
  onReleased(endpoint: WeriftEndpoint): void;
}

/** The host of an SDP candidate attribute (`candidate:<foundation> <component> <transport> <priority> <address> ...`). */
function candidateAddress(candidate: string): string | undefined {
  return candidate.replace(/^a=/, '').split(/\s+/)[4];
}

/**
 * Ends the DTLS handshake retransmissions of a peer connection being closed.
 *
 * werift 0.24 retransmits an unanswered DTLS flight on a timer (0.5 s, 1 s, … 5.5 s,
 * 33 s in all) that `close()` does not cancel, and stops only when the handshake
 * context's flight number moves past it. An endpoint released mid-handshake (a
 * participant leaving just as a subscriber connects) would keep the process busy for
 * that long; marking the handshake over ends the loop at its next wake-up.
 */
function stopDtlsRetransmissions(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) {
    const context = (transport as unknown as { dtls?: { dtls?: { flight?: unknown } } }).dtls?.dtls;
    if (context && typeof context.flight === 'number') context.flight = Number.MAX_SAFE_INTEGER;
  }
}

/**
 * A werift peer connection as a {@link WebRtcEndpoint}. Subclasses add the media:
 * {@link WeriftPublisher} receives it, {@link WeriftSubscriber} sends it.
 */
export abstract class WeriftEndpoint implements WebRtcEndpoint {
  /** {@inheritDoc WebRtcEndpoint.role} */
  abstract readonly role: 'publisher' | 'subscriber';
  /** {@inheritDoc WebRtcEndpoint.id} */
  readonly id: string;
  /** The pipeline that created the endpoint. */
  readonly pipelineId: string;
  /** The participant the endpoint serves. */
  readonly participant: string;
  protected readonly pc: RTCPeerConnection;
  protected readonly logger: Logger;
  private readonly listeners = new Set<(candidate: IceCandidateInit) => void>();
  /** Candidates found before the answer was handed back; undefined once flushed. */
  private held: IceCandidateInit[] | undefined = [];
  private offered = false;
  private isReleased = false;
  private closing: Promise<void> | undefined;
  private readonly onReleased: (endpoint: WeriftEndpoint) => void;
  private readonly releasedSignal: Promise<never>;
  private signalReleased!: () => void;

  constructor(context: EndpointContext) {
    this.id = context.id;
    this.pipelineId = context.pipelineId;
    this.participant = context.participant;
    this.logger = context.logger;
    this.onReleased = context.onReleased;
    this.releasedSignal = new Promise<void>((resolve) => {
      this.signalReleased = resolve;
    }).then(() => {
      throw new MediaError(`endpoint ${this.id} was released`);
    });
    // A race loser's rejection is handled by the race; keep Node quiet when unused.
    this.releasedSignal.catch(() => undefined);
    this.pc = new RTCPeerConnection(context.config);
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate || this.isReleased) return; // undefined = end of candidates
      const init: IceCandidateInit = {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      };
      if (this.held) this.held.push(init);
      else this.emitCandidate(init);
    });
  }

  /** {@inheritDoc WebRtcEndpoint.released} */
  get released(): boolean {
    return this.isReleased;
  }

  /** {@inheritDoc WebRtcEndpoint.processOffer} */
  async processOffer(sdpOffer: string): Promise<string> {
    if (this.isReleased) throw new MediaError(`endpoint ${this.id} was released`);
    if (this.offered) throw new MediaError(`endpoint ${this.id} already processed an offer`);
    this.offered = true;
    let answer: string;
    try {
      // werift never settles a description call on a closed peer connection: race it
      // against release so that a caller is never left waiting.
      answer = await Promise.race([this.negotiate(sdpOffer), this.releasedSignal]);
    } catch (error) {
      if (error instanceof MediaError) throw error;
      throw new MediaError(`could not process the offer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // Hand the held candidates over in a later task, after the caller has sent the answer.
    setImmediate(() => this.flushHeldCandidates());
    return answer;
  }

  /**
   * {@inheritDoc WebRtcEndpoint.addIceCandidate}
   *
   * mDNS candidates (RFC 8839 `.local` names) are ignored: see the body.
   */
  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (this.isReleased) throw new MediaError(`endpoint ${this.id} was released`);
    // An ICE lite agent never checks remote candidates: the browser's checks reveal its
    // address. Skipping mDNS names (RFC 8839 ".local") also avoids werift's mDNS lookup.
    if (candidateAddress(candidate.candidate)?.endsWith('.local')) return;
    try {
      await Promise.race([
        this.pc.addIceCandidate({
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid ?? undefined,
          sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        }),
        this.releasedSignal,
      ]);
    } catch (error) {
      if (error instanceof MediaError) throw error;
      throw new MediaError(`could not add the ICE candidate: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** {@inheritDoc WebRtcEndpoint.onIceCandidate} */
  onIceCandidate(listener: (candidate: IceCandidateInit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** {@inheritDoc WebRtcEndpoint.release} */
  release(): Promise<void> {
    if (this.closing) return this.closing;
    this.isReleased = true;
    this.signalReleased();
    this.listeners.clear();
    this.held = undefined;
    try {
      this.disconnect();
    } catch (error) {
      this.logger.warn({ err: error, endpoint: this.id }, 'disconnecting an endpoint failed');
    }
    this.onReleased(this);
    stopDtlsRetransmissions(this.pc);
    this.closing = this.pc.close().catch((error: unknown) => {
      this.logger.warn({ err: error, endpoint: this.id }, 'closing a peer connection failed');
    });
    return this.closing;
  }

  /** Subclass hook: leaves the media graph. Runs once, synchronously, on release. */
  protected abstract disconnect(): void;

  /** Subclass hook, run once the answer is the local description. */
  protected afterAnswer(): void {}

  private async negotiate(sdpOffer: string): Promise<string> {
    // werift answers text that is not SDP with an empty session; refuse it here.
    if (!/^m=(audio|video) /m.test(sdpOffer)) {
      throw new MediaError('the offer has no audio or video media section');
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: withoutTransportCc(sdpOffer) });
    // The DTLS server (`a=setup:passive`, RFC 5763 section 5): the browser, the DTLS
    // client, sends its ClientHello as soon as its ICE check succeeds. As the client,
    // werift 0.24 would send its own only 100 ms after ICE connected (a fixed wait).
    for (const transport of this.pc.dtlsTransports) transport.role = 'server';
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const answer = this.pc.localDescription?.sdp;
    if (!answer) throw new MediaError('werift produced no answer');
    this.afterAnswer();
    return answer;
  }

  private flushHeldCandidates(): void {
    const held = this.held;
    this.held = undefined;
    if (!held || this.isReleased) return;
    for (const candidate of held) this.emitCandidate(candidate);
  }

  private emitCandidate(candidate: IceCandidateInit): void {
    for (const listener of this.listeners) {
      try {
        listener(candidate);
      } catch (error) {
        this.logger.warn({ err: error, endpoint: this.id }, 'an ICE candidate listener threw');
      }
    }
  }
}
