/**
 * Kurento `WebRtcEndpoint`s as the backend's publisher and subscriber endpoints
 * (kms-elements `WebRtcEndpoint.kmd.json`: `processOffer`, `gatherCandidates`,
 * `addIceCandidate`, the `IceCandidateFound` event; kms-core `MediaElement.connect`),
 * used as the group-call tutorial's UserSession.java uses them.
 *
 * @packageDocumentation
 */

import type { Logger } from '../../logger.js';
import {
  MediaError,
  type IceCandidateInit,
  type PublisherEndpoint,
  type SubscriberEndpoint,
  type WebRtcEndpoint,
} from '../media-backend.js';
import type { KurentoClient, KurentoEvent } from './kurento-client.js';

/** What an endpoint needs from the pipeline that created it. */
export interface KurentoEndpointContext {
  /** The endpoint's Kurento object id. */
  id: string;
  /** The pipeline's Kurento object id; endpoints connect only within one pipeline. */
  pipelineId: string;
  /** The connection to the media server that holds the endpoint. */
  client: KurentoClient;
  logger: Logger;
  /** True once the pipeline's media server was lost: nothing is left to release there. */
  isLost(): boolean;
  /**
   * Kurento `release` of an object; never rejects. One that cannot reach the media server
   * (connection down) is released once the connection is re-opened.
   */
  release(object: string): Promise<void>;
  /** Called once, synchronously, when the endpoint is released. */
  onReleased(endpoint: KurentoEndpoint): void;
}

/** An m-line that is not rejected (port 0 rejects it: RFC 3264 section 6). */
const ACCEPTED_MEDIA = /^m=(audio|video) [1-9]/m;

/** The `IceCandidateFound` event's candidate as the contract carries it. */
function candidateOf(event: KurentoEvent): IceCandidateInit | undefined {
  const candidate = event.data.candidate as Record<string, unknown> | undefined;
  if (typeof candidate?.candidate !== 'string') return undefined;
  return {
    candidate: candidate.candidate,
    sdpMid: typeof candidate.sdpMid === 'string' ? candidate.sdpMid : null,
    sdpMLineIndex: typeof candidate.sdpMLineIndex === 'number' ? candidate.sdpMLineIndex : null,
  };
}

/**
 * One Kurento `WebRtcEndpoint`. Candidates that KMS finds go to listeners only after
 * the answer was handed over: `gatherCandidates` is invoked in a later task than the
 * one that resolves {@link KurentoEndpoint.processOffer}, as the Kurento tutorial
 * server calls it after sending `receiveVideoAnswer`.
 */
export abstract class KurentoEndpoint implements WebRtcEndpoint {
  /** {@inheritDoc WebRtcEndpoint.role} */
  abstract readonly role: 'publisher' | 'subscriber';
  /** {@inheritDoc WebRtcEndpoint.id} (the Kurento object id) */
  readonly id: string;
  /** The Kurento object id of the pipeline that created the endpoint. */
  readonly pipelineId: string;
  protected readonly client: KurentoClient;
  protected readonly logger: Logger;
  private readonly context: KurentoEndpointContext;
  private readonly listeners = new Set<(candidate: IceCandidateInit) => void>();
  /** Candidates found before the answer was handed over; undefined once flushed. */
  private held: IceCandidateInit[] | undefined = [];
  private offered = false;
  private isReleased = false;
  private releasing: Promise<void> | undefined;

  constructor(context: KurentoEndpointContext) {
    this.context = context;
    this.id = context.id;
    this.pipelineId = context.pipelineId;
    this.client = context.client;
    this.logger = context.logger;
  }

  /** {@inheritDoc WebRtcEndpoint.released} */
  get released(): boolean {
    return this.isReleased || this.context.isLost();
  }

  /**
   * {@inheritDoc WebRtcEndpoint.processOffer}
   *
   * KMS refusals reach the caller as `KurentoError` (e.g. 40201 `SDP_PARSE_ERROR`); an
   * offer whose media KMS rejects entirely (every m-line of the answer at port 0: no
   * codec in common) is refused here.
   */
  async processOffer(sdpOffer: string): Promise<string> {
    this.assertLive();
    if (this.offered) throw new MediaError(`endpoint ${this.id} already processed an offer`);
    this.offered = true;
    // KMS answers an offer without media with an empty session; refuse it here.
    if (!/^m=(audio|video) /m.test(sdpOffer)) {
      throw new MediaError('the offer has no audio or video media section');
    }
    const answer = await this.client.invoke(this.id, 'processOffer', { offer: sdpOffer });
    if (typeof answer !== 'string') throw new MediaError('the media server returned no answer');
    if (!ACCEPTED_MEDIA.test(answer)) {
      throw new MediaError('the media server accepted none of the offer media (no common codec)');
    }
    this.assertLive();
    // The caller sends the answer in the continuation of this promise; gathering (and
    // with it every server candidate) starts after that.
    setImmediate(() => this.startGathering());
    return answer;
  }

  /** {@inheritDoc WebRtcEndpoint.addIceCandidate} */
  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    this.assertLive();
    await this.client.invoke(this.id, 'addIceCandidate', {
      candidate: {
        __module__: 'kurento',
        __type__: 'IceCandidate',
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? '',
        sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
      },
    });
  }

  /** {@inheritDoc WebRtcEndpoint.onIceCandidate} */
  onIceCandidate(listener: (candidate: IceCandidateInit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** {@inheritDoc WebRtcEndpoint.release} */
  release(): Promise<void> {
    if (this.releasing) return this.releasing;
    this.isReleased = true;
    this.listeners.clear();
    this.held = undefined;
    this.context.onReleased(this);
    // A released pipeline took its endpoints with it; a lost server has nothing left.
    this.releasing = this.context.isLost() ? Promise.resolve() : this.context.release(this.id);
    return this.releasing;
  }

  /** @internal Marks the endpoint released without asking the media server. */
  forget(): void {
    if (this.releasing) return;
    this.isReleased = true;
    this.listeners.clear();
    this.held = undefined;
    this.releasing = Promise.resolve();
  }

  /** @internal A media server event raised by this endpoint. */
  handleEvent(event: KurentoEvent): void {
    if (event.type !== 'IceCandidateFound' || this.released) return;
    const candidate = candidateOf(event);
    if (!candidate) return;
    if (this.held) this.held.push(candidate);
    else this.emitCandidate(candidate);
  }

  protected assertLive(): void {
    if (this.context.isLost()) {
      throw new MediaError(`the media server of endpoint ${this.id} was lost`);
    }
    if (this.isReleased) throw new MediaError(`endpoint ${this.id} was released`);
  }

  private startGathering(): void {
    const held = this.held;
    this.held = undefined;
    if (this.released) return;
    for (const candidate of held ?? []) this.emitCandidate(candidate);
    this.client.invoke(this.id, 'gatherCandidates').catch((error: unknown) => {
      if (!this.released) {
        this.logger.warn({ err: error, endpoint: this.id }, 'gatherCandidates failed');
      }
    });
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

/** A `WebRtcEndpoint` receiving one participant's send-only offer (UserSession's `outgoingMedia`). */
export class KurentoPublisher extends KurentoEndpoint implements PublisherEndpoint {
  readonly role = 'publisher' as const;

  /**
   * {@inheritDoc PublisherEndpoint.connect}
   *
   * Kurento `MediaElement.connect(sink)`, sent without waiting: a failure is logged
   * (the subscriber's browser then sees no media and rebuilds its peer connection).
   * KMS asks the publisher for a key frame itself when a sink connects.
   */
  connect(subscriber: SubscriberEndpoint): void {
    if (!(subscriber instanceof KurentoSubscriber) || subscriber.pipelineId !== this.pipelineId) {
      throw new TypeError('the subscriber endpoint belongs to another pipeline');
    }
    if (this.released || subscriber.released) {
      throw new MediaError('cannot connect a released endpoint');
    }
    subscriber.source = this;
    this.connectTo(subscriber).catch((error: unknown) => {
      this.logger.warn({ err: error, endpoint: subscriber.id }, 'connecting a subscriber failed');
    });
  }

  /** @internal Kurento `connect`: this endpoint's media to `subscriber`. */
  async connectTo(subscriber: KurentoSubscriber): Promise<void> {
    await this.client.invoke(this.id, 'connect', { sink: subscriber.id });
  }
}

/** The event a subscriber endpoint listens to besides its candidates (kms-elements `WebRtcEndpoint`). */
export const DTLS_STATE_EVENT = 'DtlsConnectionStateChange';

/** A `WebRtcEndpoint` sending one publisher's media to one browser (UserSession's `incomingMedia`). */
export class KurentoSubscriber extends KurentoEndpoint implements SubscriberEndpoint {
  readonly role = 'subscriber' as const;
  /** @internal The publisher endpoint connected to this one. */
  source: KurentoPublisher | undefined;

  /** {@inheritDoc SubscriberEndpoint.publisher} */
  get publisher(): KurentoPublisher | undefined {
    return this.source?.released ? undefined : this.source;
  }

  /**
   * @internal Also: when the browser's DTLS connects ({@link DTLS_STATE_EVENT}, state
   * `CONNECTED`), asks the publisher's browser for a key frame (kms-core
   * `BaseRtpEndpoint.requestKeyframe`, invoked on this subscriber). KMS asks for one when
   * the endpoints are connected, before the answer; that key frame is gone by the time
   * DTLS is up, and KMS forwards no video to a new subscriber until the next one.
   */
  override handleEvent(event: KurentoEvent): void {
    if (event.type !== DTLS_STATE_EVENT) return super.handleEvent(event);
    if (this.released || String(event.data.state).toUpperCase() !== 'CONNECTED') return;
    this.client.invoke(this.id, 'requestKeyframe').catch((error: unknown) => {
      this.logger.debug({ err: error, endpoint: this.id }, 'requestKeyframe failed');
    });
  }
}
