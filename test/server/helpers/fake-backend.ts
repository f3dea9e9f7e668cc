/**
 * A scripted media backend for signaling tests: no media, every call recorded.
 * Its endpoints find an ICE candidate *while* processing an offer (before the answer
 * is handed back), the worst case for the "candidates after the answer" rule.
 * An offer containing "reject" is refused. {@link FakeBackend.hang} makes the next call of
 * an operation wait until the test lets it go on.
 */
import {
  MediaError,
  type IceCandidateInit,
  type MediaBackend,
  type MediaBackendStats,
  type MediaPipeline,
  type PublisherEndpoint,
  type PublisherOptions,
  type SubscriberEndpoint,
  type SubscriberOptions,
} from '../../../packages/server/src/media/media-backend.js';

/** The backend operations {@link FakeBackend.hang} can hold. */
export type FakeOperation =
  | 'createPipeline'
  | 'createPublisher'
  | 'createSubscriber'
  | 'processOffer'
  | 'addIceCandidate'
  | 'release';

/** One hung call, made by {@link FakeBackend.hang}. */
export interface Hang {
  readonly operation: FakeOperation;
  /** Resolves when the call has been made (and waits). */
  readonly started: Promise<void>;
  /** Lets the call carry on. */
  resume(): void;
}

/** A publisher or subscriber endpoint that records its offers and candidates. */
export class FakeEndpoint {
  readonly offers: string[] = [];
  /** Remote candidates, with whether the offer had been processed when each arrived. */
  readonly candidates: { candidate: IceCandidateInit; afterOffer: boolean }[] = [];
  released = false;
  source: FakeEndpoint | undefined;
  private readonly listeners = new Set<(candidate: IceCandidateInit) => void>();

  constructor(
    readonly id: string,
    readonly role: 'publisher' | 'subscriber',
    readonly participant: string,
    private readonly pipeline: FakePipeline,
  ) {}

  get publisher(): PublisherEndpoint | undefined {
    return this.source as unknown as PublisherEndpoint | undefined;
  }

  async processOffer(sdpOffer: string): Promise<string> {
    const gate = this.pipeline.gate('processOffer');
    if (gate) await gate;
    if (this.released) throw new MediaError('released');
    if (sdpOffer.includes('reject')) throw new MediaError('unusable offer');
    this.offers.push(sdpOffer);
    const candidate = {
      candidate: `candidate:1 1 udp 1 127.0.0.1 ${1000 + this.offers.length} typ host`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    for (const listener of this.listeners) listener(candidate);
    return `answer to ${sdpOffer}`;
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    const gate = this.pipeline.gate('addIceCandidate');
    if (gate) await gate;
    if (this.released) throw new MediaError('released');
    this.candidates.push({ candidate, afterOffer: this.offers.length > 0 });
  }

  onIceCandidate(listener: (candidate: IceCandidateInit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(subscriber: SubscriberEndpoint): void {
    (subscriber as unknown as FakeEndpoint).source = this;
  }

  async release(): Promise<void> {
    const gate = this.pipeline.gate('release');
    if (gate) await gate;
    if (this.released) return;
    this.released = true;
    this.pipeline.live.delete(this);
    for (const endpoint of [...this.pipeline.all, ...this.pipeline.live])
      if (endpoint.source === this) endpoint.source = undefined;
  }
}

/** A room's pipeline: its endpoints, live and (with history) all. */
export class FakePipeline implements MediaPipeline {
  /** Every endpoint created, when the backend keeps history. */
  readonly all: FakeEndpoint[] = [];
  private created = 0;
  readonly live = new Set<FakeEndpoint>();
  released = false;

  constructor(
    readonly id: string,
    readonly room: string,
    private readonly backend: FakeBackend,
  ) {}

  private get history(): boolean {
    return this.backend.history;
  }

  async createPublisher(options: PublisherOptions): Promise<PublisherEndpoint> {
    const gate = this.gate('createPublisher');
    if (gate) await gate;
    return this.create('publisher', options.participant) as unknown as PublisherEndpoint;
  }

  async createSubscriber(options: SubscriberOptions): Promise<SubscriberEndpoint> {
    const gate = this.gate('createSubscriber');
    if (gate) await gate;
    const endpoint = this.create('subscriber', options.participant);
    endpoint.source = options.publisher as unknown as FakeEndpoint;
    return endpoint as unknown as SubscriberEndpoint;
  }

  async release(): Promise<void> {
    this.released = true;
    await Promise.all([...this.live].map((endpoint) => endpoint.release()));
    this.backend.live.delete(this);
  }

  /** The wait {@link FakeBackend.hang} put on the next call of `operation`, if any. */
  gate(operation: FakeOperation): Promise<void> | undefined {
    return this.backend.gate(operation);
  }

  private create(role: 'publisher' | 'subscriber', participant: string): FakeEndpoint {
    if (this.released) throw new MediaError('pipeline released');
    const endpoint = new FakeEndpoint(`${this.id}/${++this.created}`, role, participant, this);
    if (this.history) this.all.push(endpoint);
    this.live.add(endpoint);
    return endpoint;
  }
}

/** The scripted backend: pipelines by room, live counts for `stats()`. */
export class FakeBackend implements MediaBackend {
  /** Every pipeline created, when keeping history. */
  readonly pipelines: FakePipeline[] = [];
  readonly live = new Set<FakePipeline>();
  private created = 0;
  private readonly hangs = new Map<FakeOperation, (() => Promise<void>)[]>();

  /**
   * @param history - keep every pipeline and endpoint ever created, for assertions
   *   (default); load tests turn it off so that the backend holds only live objects.
   */
  constructor(readonly history = true) {}

  async createPipeline(room: string): Promise<MediaPipeline> {
    const gate = this.gate('createPipeline');
    if (gate) await gate;
    const pipeline = new FakePipeline(`p${++this.created}`, room, this);
    if (this.history) this.pipelines.push(pipeline);
    this.live.add(pipeline);
    return pipeline;
  }

  stats(): MediaBackendStats {
    let endpoints = 0;
    for (const pipeline of this.live) endpoints += pipeline.live.size;
    return { pipelines: this.live.size, endpoints };
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((pipeline) => pipeline.release()));
  }

  /**
   * Makes the next call of `operation` hang: it waits, before doing anything, until the
   * returned hang's `resume()`, then carries on as usual (a late endpoint is created then,
   * a late offer answered). Hangs on one operation are used in the order they were made.
   */
  hang(operation: FakeOperation): Hang {
    let resume!: () => void;
    let started!: () => void;
    const hang: Hang = {
      operation,
      started: new Promise<void>((resolve) => (started = resolve)),
      resume: () => resume(),
    };
    const wait = new Promise<void>((resolve) => (resume = resolve));
    const queue = this.hangs.get(operation) ?? [];
    queue.push(() => {
      started();
      return wait;
    });
    this.hangs.set(operation, queue);
    return hang;
  }

  /** Takes the hang waiting for the next call of `operation`: the promise to wait on. */
  gate(operation: FakeOperation): Promise<void> | undefined {
    return this.hangs.get(operation)?.shift()?.();
  }

  /** Every endpoint ever created, over all pipelines. */
  endpoints(): FakeEndpoint[] {
    return this.pipelines.flatMap((pipeline) => pipeline.all);
  }

  /** The live endpoint of `role` serving `participant` (the newest one). */
  find(role: 'publisher' | 'subscriber', participant: string): FakeEndpoint | undefined {
    return this.endpoints()
      .filter((e) => e.role === role && e.participant === participant && !e.released)
      .at(-1);
  }
}
