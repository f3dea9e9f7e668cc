/**
 * The default media backend: an SFU embedded in the server process, on werift
 * (pure TypeScript WebRTC). See FIELD-NOTES section 3 for its measured behaviour.
 *
 * @packageDocumentation
 */

import type { IceServer } from '../../ice-servers.js';
import { createLogger, type Logger } from '../../logger.js';
import {
  MediaError,
  type MediaBackend,
  type MediaBackendStats,
  type MediaPipeline,
  type PublisherOptions,
  type SubscriberOptions,
} from '../media-backend.js';
import { weriftPeerConfig, type WeriftNetwork, type WeriftPeerOptions } from './werift-config.js';
import type { EndpointContext, WeriftEndpoint } from './werift-endpoint.js';
import { WeriftPublisher } from './werift-publisher.js';
import { WeriftSubscriber } from './werift-subscriber.js';

export type { WeriftNetwork };

/** Options of {@link WeriftBackend}. */
export interface WeriftBackendOptions {
  /**
   * Where UDP sockets listen and what the candidates announce. Default
   * `{ mode: 'loopback' }` (127.0.0.1 only).
   */
  network?: WeriftNetwork;
  /** STUN/TURN servers, passed through to werift. Default none. */
  iceServers?: IceServer[];
  /** Default: a silent logger. */
  logger?: Logger;
}

/** A room's media graph on werift: a set of endpoints that may connect to each other. */
class WeriftPipeline implements MediaPipeline {
  private readonly endpoints = new Set<WeriftEndpoint>();
  private isReleased = false;
  private nextEndpoint = 1;

  constructor(
    readonly id: string,
    private readonly peer: WeriftPeerOptions,
    private readonly logger: Logger,
    private readonly onReleased: (pipeline: WeriftPipeline) => void,
  ) {}

  get released(): boolean {
    return this.isReleased;
  }

  get endpointCount(): number {
    return this.endpoints.size;
  }

  async createPublisher(options: PublisherOptions): Promise<WeriftPublisher> {
    this.assertLive();
    return this.track(new WeriftPublisher(this.context(options.participant, 'pub')));
  }

  async createSubscriber(options: SubscriberOptions): Promise<WeriftSubscriber> {
    this.assertLive();
    const { publisher } = options;
    if (!(publisher instanceof WeriftPublisher) || publisher.pipelineId !== this.id) {
      throw new MediaError('the publisher endpoint belongs to another pipeline');
    }
    if (publisher.released) throw new MediaError(`publisher endpoint ${publisher.id} was released`);
    return this.track(new WeriftSubscriber(this.context(options.participant, 'sub'), publisher));
  }

  async release(): Promise<void> {
    if (this.isReleased) return;
    this.isReleased = true;
    await Promise.all([...this.endpoints].map((endpoint) => endpoint.release()));
    this.onReleased(this);
  }

  private assertLive(): void {
    if (this.isReleased) throw new MediaError(`pipeline ${this.id} was released`);
  }

  private context(participant: string, prefix: string): EndpointContext {
    return {
      id: `${this.id}/${prefix}${this.nextEndpoint++}`,
      pipelineId: this.id,
      participant,
      config: weriftPeerConfig(this.peer),
      logger: this.logger,
      onReleased: (endpoint) => this.endpoints.delete(endpoint),
    };
  }

  private track<E extends WeriftEndpoint>(endpoint: E): E {
    this.endpoints.add(endpoint);
    return endpoint;
  }
}

/**
 * The embedded SFU. Each publisher endpoint is a werift `RTCPeerConnection` receiving
 * a browser's Opus and VP8; each subscriber endpoint is another one sending cloned RTP
 * of its publisher's tracks. ICE lite, no STUN gathering, no TWCC, no header extensions.
 */
export class WeriftBackend implements MediaBackend {
  private readonly peer: WeriftPeerOptions;
  private readonly logger: Logger;
  private readonly pipelines = new Set<WeriftPipeline>();
  private nextPipeline = 1;
  private closed = false;

  constructor(options: WeriftBackendOptions = {}) {
    this.peer = {
      network: options.network ?? { mode: 'loopback' },
      iceServers: options.iceServers ?? [],
    };
    this.logger = options.logger ?? createLogger('silent');
  }

  /** {@inheritDoc MediaBackend.createPipeline} */
  async createPipeline(room: string): Promise<MediaPipeline> {
    if (this.closed) throw new MediaError('the media backend is closed');
    const pipeline = new WeriftPipeline(`p${this.nextPipeline++}`, this.peer, this.logger, (p) =>
      this.pipelines.delete(p),
    );
    this.pipelines.add(pipeline);
    this.logger.debug({ pipeline: pipeline.id, room }, 'pipeline created');
    return pipeline;
  }

  /** {@inheritDoc MediaBackend.stats} */
  stats(): MediaBackendStats {
    let endpoints = 0;
    for (const pipeline of this.pipelines) endpoints += pipeline.endpointCount;
    return { pipelines: this.pipelines.size, endpoints };
  }

  /** {@inheritDoc MediaBackend.close} */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pipelines].map((pipeline) => pipeline.release()));
  }
}
