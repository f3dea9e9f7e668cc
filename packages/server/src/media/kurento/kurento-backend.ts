/**
 * The Kurento backend: the group call's media on Kurento Media Server, driven over the
 * Kurento Protocol as the `kurento-group-call` tutorial drives it through kurento-client
 * (one `MediaPipeline` per room, one `WebRtcEndpoint` per publisher and per
 * subscription, `connect`, `processOffer`, `gatherCandidates`, `addIceCandidate`,
 * `IceCandidateFound`), over a pool of one or more media servers.
 *
 * @packageDocumentation
 */

import { createLogger, type Logger } from '../../logger.js';
import { MediaError, type MediaBackend, type MediaBackendStats } from '../media-backend.js';
import {
  KurentoClient,
  type KurentoClientOptions,
  type KurentoConnectionChange,
} from './kurento-client.js';
import { KurentoConnectionError } from './kurento-errors.js';
import { KurentoPipeline } from './kurento-pipeline.js';

/**
 * The default of {@link KurentoBackendOptions.lossTimeoutMs}, in ms: a media server
 * whose connection stays down this long is taken as lost.
 */
export const DEFAULT_LOSS_TIMEOUT_MS = 4000;

/** Options of {@link KurentoBackend}. */
export interface KurentoBackendOptions extends Omit<KurentoClientOptions, 'url'> {
  /** The pool: one or more media server URLs (`ws://host:8888/kurento`). */
  urls: readonly string[];
  /**
   * How long a media server's connection may stay down before its pipelines are taken
   * as lost, in ms. A refused connection (nothing listens: the process is gone) and a
   * re-opened one whose pipelines are missing (it restarted) count as lost at once.
   * Default 4000.
   */
  lossTimeoutMs?: number;
}

/** One media server of the pool and the pipelines it holds. */
class PoolMember {
  readonly pipelines = new Set<KurentoPipeline>();
  /** Objects whose release could not reach the server: released when it is re-opened. */
  readonly unreleased = new Set<string>();
  lossTimer: NodeJS.Timeout | undefined;

  constructor(readonly client: KurentoClient) {}

  /** Load: endpoints, then pipelines, that this server holds for us. */
  get load(): [endpoints: number, pipelines: number] {
    let endpoints = 0;
    for (const pipeline of this.pipelines) endpoints += pipeline.endpointCount;
    return [endpoints, this.pipelines.size];
  }
}

/** Orders pool members lightest first: fewer endpoints, then fewer pipelines, then URL order. */
function byLoad(a: PoolMember, b: PoolMember): number {
  const [endpointsA, pipelinesA] = a.load;
  const [endpointsB, pipelinesB] = b.load;
  return endpointsA - endpointsB || pipelinesA - pipelinesB;
}

/**
 * Kurento Media Server behind the {@link MediaBackend} interface, over a pool of media
 * servers. Each new room's pipeline goes to the least-loaded server that is connected
 * (fewest endpoints, then fewest pipelines, of ours). When a server is lost, its
 * pipelines are lost: each tells its `onLost` listeners (the room then has its clients
 * re-join, and the new room's pipeline goes to a server still up). The connection to
 * a lost server keeps being re-opened; once it is, the server takes new rooms again.
 */
export class KurentoBackend implements MediaBackend {
  private readonly members: PoolMember[];
  private readonly logger: Logger;
  private readonly lossTimeoutMs: number;
  private readonly waitMs: number;
  private closed = false;

  /** @throws TypeError when `urls` is empty or holds a URL that is not `ws:` or `wss:`. */
  constructor(options: KurentoBackendOptions) {
    if (options.urls.length === 0) throw new TypeError('the Kurento backend needs a media server');
    this.logger = options.logger ?? createLogger('silent');
    this.lossTimeoutMs = options.lossTimeoutMs ?? DEFAULT_LOSS_TIMEOUT_MS;
    this.waitMs = options.requestTimeoutMs ?? 5000;
    this.members = options.urls.map((url) => {
      if (!/^wss?:\/\//.test(url)) throw new TypeError(`not a ws: or wss: URL: ${url}`);
      const member = new PoolMember(new KurentoClient({ ...options, url, logger: this.logger }));
      member.client.onConnection((change) => this.handleConnection(member, change));
      member.client.onEvent((event) => {
        for (const pipeline of member.pipelines) if (pipeline.handleEvent(event)) return;
      });
      return member;
    });
  }

  /** The pool's connections, in the order of the URLs (for tests and `ServerManager` reads). */
  get clients(): readonly KurentoClient[] {
    return this.members.map((member) => member.client);
  }

  /**
   * {@inheritDoc MediaBackend.createPipeline}
   *
   * Goes to the connected media server with the fewest endpoints (then pipelines) of
   * ours; when its connection fails meanwhile, to the next. Waits up to the request
   * timeout for a media server to be connected when none is (the server just started,
   * or the whole pool is down).
   */
  async createPipeline(room: string): Promise<KurentoPipeline> {
    if (this.closed) throw new MediaError('the media backend is closed');
    // The lightest connected server; one that drops meanwhile passes to the next.
    const members = await this.connectedByLoad();
    for (const [index, member] of members.entries()) {
      try {
        return await this.track(member, await member.client.create('MediaPipeline'), room);
      } catch (error) {
        const last = index === members.length - 1;
        if (last || !(error instanceof KurentoConnectionError)) throw error;
        this.logger.warn({ err: error, kms: member.client.url }, 'creating a pipeline failed');
      }
    }
    throw new KurentoConnectionError('no media server is reachable');
  }

  /** Wraps a new pipeline of `member`'s and counts it in the pool's load. */
  private async track(member: PoolMember, id: string, room: string): Promise<KurentoPipeline> {
    const pipeline = new KurentoPipeline(id, room, {
      client: member.client,
      logger: this.logger,
      onGone: (gone) => member.pipelines.delete(gone),
      release: (object) => this.release(member, object),
    });
    if (this.closed) {
      await pipeline.release();
      throw new MediaError('the media backend is closed');
    }
    member.pipelines.add(pipeline);
    this.logger.info({ room, kms: member.client.url, pipeline: id }, 'media pipeline created');
    return pipeline;
  }

  /** {@inheritDoc MediaBackend.stats} */
  stats(): MediaBackendStats {
    let pipelines = 0;
    let endpoints = 0;
    for (const member of this.members) {
      const [memberEndpoints, memberPipelines] = member.load;
      endpoints += memberEndpoints;
      pipelines += memberPipelines;
    }
    return { pipelines, endpoints };
  }

  /** {@inheritDoc MediaBackend.close} */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const releases = this.members.flatMap((member) =>
      [...member.pipelines].map((pipeline) => pipeline.release()),
    );
    await Promise.all(releases);
    for (const member of this.members) {
      clearTimeout(member.lossTimer);
      member.client.close();
    }
  }

  /**
   * Kurento `release`; never rejects. An object whose release cannot reach the server
   * (the connection is down: it may come back in the same session, objects kept) is
   * released once the connection is re-opened, unless the server is lost meanwhile.
   */
  private async release(member: PoolMember, object: string): Promise<void> {
    try {
      await member.client.release(object);
    } catch (error) {
      if (error instanceof KurentoConnectionError && member.client.state !== 'closed') {
        member.unreleased.add(object);
      } else {
        this.logger.debug({ err: error, media: object }, 'releasing a media object failed');
      }
    }
  }

  /** The connected servers, lightest first; waits for one when none is connected. */
  private async connectedByLoad(): Promise<[PoolMember, ...PoolMember[]]> {
    const open = (): PoolMember[] => this.members.filter((m) => m.client.state === 'open');
    if (open().length === 0) {
      try {
        await Promise.any(this.members.map((member) => member.client.opened(this.waitMs)));
      } catch {
        throw new KurentoConnectionError(
          `no media server is reachable (${this.members.map((m) => m.client.url).join(', ')})`,
        );
      }
    }
    const [first, ...rest] = open().sort(byLoad);
    if (!first) throw new KurentoConnectionError('no media server is reachable');
    return [first, ...rest];
  }

  private handleConnection(member: PoolMember, change: KurentoConnectionChange): void {
    const { client } = member;
    if (change.state === 'reconnecting') {
      if (change.refused) {
        this.lose(member, 'refuses connections (its process is gone)');
      } else if (!member.lossTimer && member.pipelines.size > 0) {
        member.lossTimer = setTimeout(() => {
          member.lossTimer = undefined;
          this.lose(member, `stayed unreachable for ${this.lossTimeoutMs} ms`);
        }, this.lossTimeoutMs);
        member.lossTimer.unref();
      }
    } else if (change.state === 'open' && change.reopened) {
      clearTimeout(member.lossTimer);
      member.lossTimer = undefined;
      this.logger.info({ kms: client.url }, 'media server connected again');
      for (const object of member.unreleased) void this.release(member, object);
      member.unreleased.clear();
      if (member.pipelines.size > 0) void this.checkPipelines(member);
    }
  }

  /** After a re-open: pipelines KMS no longer lists went with a restart. */
  private async checkPipelines(member: PoolMember): Promise<void> {
    let present: Set<string>;
    try {
      present = new Set(await member.client.getPipelines());
    } catch (error) {
      this.logger.warn({ err: error, kms: member.client.url }, 'listing pipelines failed');
      return;
    }
    const error = new MediaError(`media server ${member.client.url} restarted`);
    for (const pipeline of [...member.pipelines]) {
      if (!present.has(pipeline.id)) pipeline.lose(error);
    }
  }

  private lose(member: PoolMember, why: string): void {
    clearTimeout(member.lossTimer);
    member.lossTimer = undefined;
    member.unreleased.clear();
    if (member.pipelines.size === 0) return;
    const error = new MediaError(`media server ${member.client.url} ${why}`);
    this.logger.warn({ kms: member.client.url, pipelines: member.pipelines.size }, error.message);
    for (const pipeline of [...member.pipelines]) pipeline.lose(error);
  }
}
