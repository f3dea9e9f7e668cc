/**
 * A room's Kurento `MediaPipeline` (kms-core `MediaPipeline.kmd.json`), with the
 * `WebRtcEndpoint`s created in it.
 *
 * @packageDocumentation
 */

import type { Logger } from '../../logger.js';
import {
  MediaError,
  type MediaPipeline,
  type PublisherOptions,
  type SubscriberOptions,
} from '../media-backend.js';
import type { KurentoClient, KurentoEvent } from './kurento-client.js';
import {
  DTLS_STATE_EVENT,
  KurentoPublisher,
  KurentoSubscriber,
  type KurentoEndpoint,
  type KurentoEndpointContext,
} from './kurento-endpoint.js';

/** What a pipeline needs from the media server it lives on. */
export interface KurentoPipelineHost {
  /** The connection to that media server. */
  client: KurentoClient;
  logger: Logger;
  /** Called once, synchronously, when the pipeline is released or lost. */
  onGone(pipeline: KurentoPipeline): void;
  /** Kurento `release` of an object, as {@link KurentoEndpointContext.release}. */
  release(object: string): Promise<void>;
}

/**
 * One `MediaPipeline` on one media server. Releasing it releases every endpoint in it
 * (one `release` request: KMS releases the children). When its media server is lost
 * (killed, restarted: its objects are gone), {@link KurentoPipeline.lose} marks it and
 * its endpoints released and tells the {@link KurentoPipeline.onLost} listeners.
 */
export class KurentoPipeline implements MediaPipeline {
  private readonly endpoints = new Map<string, KurentoEndpoint>();
  private readonly lostListeners = new Set<(error: MediaError) => void>();
  private isReleased = false;
  private lostError: MediaError | undefined;

  /**
   * @param id - the pipeline's Kurento object id.
   * @param room - the room's name, for logs.
   * @param host - its media server.
   */
  constructor(
    readonly id: string,
    readonly room: string,
    private readonly host: KurentoPipelineHost,
  ) {}

  /** True once released or lost. */
  get released(): boolean {
    return this.isReleased || this.lostError !== undefined;
  }

  /** True once the media server holding it was lost. */
  get lost(): boolean {
    return this.lostError !== undefined;
  }

  /** The number of endpoints created and not released. */
  get endpointCount(): number {
    return this.endpoints.size;
  }

  /** {@inheritDoc MediaPipeline.createPublisher} */
  async createPublisher(options: PublisherOptions): Promise<KurentoPublisher> {
    return this.createEndpoint(options.participant, (context) => new KurentoPublisher(context));
  }

  /**
   * {@inheritDoc MediaPipeline.createSubscriber}
   *
   * Creates the `WebRtcEndpoint`, then `publisher.connect(subscriber)` alongside the
   * event subscriptions (`IceCandidateFound`, and `DtlsConnectionStateChange` for its key
   * frame request: three requests in flight, one round trip: a room's endpoints are
   * created one after another, so every round trip here delays the next joiner's
   * answer); a failure of any releases what was made.
   */
  async createSubscriber(options: SubscriberOptions): Promise<KurentoSubscriber> {
    const { publisher } = options;
    if (!(publisher instanceof KurentoPublisher) || publisher.pipelineId !== this.id) {
      throw new MediaError('the publisher endpoint belongs to another pipeline');
    }
    if (publisher.released) throw new MediaError(`publisher endpoint ${publisher.id} was released`);
    return this.createEndpoint(
      options.participant,
      (context) => new KurentoSubscriber(context),
      async (subscriber) => {
        subscriber.source = publisher;
        await Promise.all([
          publisher.connectTo(subscriber),
          this.host.client.subscribe(subscriber.id, DTLS_STATE_EVENT),
        ]);
      },
    );
  }

  /** {@inheritDoc MediaPipeline.release} */
  async release(): Promise<void> {
    if (this.released) return;
    this.isReleased = true;
    this.forgetEndpoints();
    this.host.onGone(this);
    await this.host.release(this.id);
  }

  /**
   * Listens for the loss of the pipeline's media server. Listener exceptions are caught.
   *
   * @returns a function that unsubscribes.
   */
  onLost(listener: (error: MediaError) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** @internal Its media server is gone: marks everything released and tells the listeners. */
  lose(error: MediaError): void {
    if (this.released) return;
    this.lostError = error;
    this.forgetEndpoints();
    this.host.onGone(this);
    this.host.logger.warn({ pipeline: this.id, room: this.room }, 'media pipeline lost');
    for (const listener of [...this.lostListeners]) {
      try {
        listener(error);
      } catch (caught) {
        this.host.logger.warn({ err: caught }, 'a pipeline loss listener threw');
      }
    }
    this.lostListeners.clear();
  }

  /** @internal Routes a media server event to the endpoint that raised it. */
  handleEvent(event: KurentoEvent): boolean {
    const endpoint = this.endpoints.get(event.object);
    endpoint?.handleEvent(event);
    return endpoint !== undefined;
  }

  /**
   * Creates a `WebRtcEndpoint`, then subscribes to its `IceCandidateFound` events and
   * runs `alongside` (if given) at the same time; a failure of either releases it.
   */
  private async createEndpoint<E extends KurentoEndpoint>(
    participant: string,
    make: (context: KurentoEndpointContext) => E,
    alongside?: (endpoint: E) => Promise<void>,
  ): Promise<E> {
    this.assertLive();
    const { client, logger } = this.host;
    const id = await client.create('WebRtcEndpoint', { mediaPipeline: this.id });
    const endpoint = make({
      id,
      pipelineId: this.id,
      client,
      logger,
      isLost: () => this.lost,
      release: (object) => this.host.release(object),
      onReleased: (released) => this.endpoints.delete(released.id),
    });
    if (this.released) {
      // Released or lost while KMS created it: it went with the pipeline.
      endpoint.forget();
      throw new MediaError(`pipeline ${this.id} was released`);
    }
    this.endpoints.set(id, endpoint);
    // Both settle before a failure releases the endpoint, so nothing is left in flight.
    const [subscribed, extra] = await Promise.allSettled([
      client.subscribe(id, 'IceCandidateFound'),
      alongside?.(endpoint),
    ]);
    const failure = [subscribed, extra].find((r) => r.status === 'rejected');
    if (failure) {
      await endpoint.release();
      throw failure.reason;
    }
    logger.debug({ pipeline: this.id, endpoint: id, participant }, `${endpoint.role} created`);
    return endpoint;
  }

  private assertLive(): void {
    if (this.lostError) throw new MediaError(`pipeline ${this.id}: ${this.lostError.message}`);
    if (this.isReleased) throw new MediaError(`pipeline ${this.id} was released`);
  }

  private forgetEndpoints(): void {
    for (const endpoint of this.endpoints.values()) endpoint.forget();
    this.endpoints.clear();
  }
}
