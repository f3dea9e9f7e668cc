/**
 * The media backend behind the signaling layer: the few operations the group call
 * needs from a media server, with no backend types leaking through.
 *
 * The shapes follow Kurento's object model as the `kurento-group-call` tutorial uses
 * it (Room.java, UserSession.java):
 *
 * | here                                  | Kurento                                             |
 * |---------------------------------------|-----------------------------------------------------|
 * | {@link MediaBackend.createPipeline}   | `kurento.create('MediaPipeline')`, one per room     |
 * | {@link MediaPipeline.createPublisher} | `new WebRtcEndpoint.Builder(pipeline)`, outgoing    |
 * | {@link MediaPipeline.createSubscriber}| a `WebRtcEndpoint` plus `outgoing.connect(incoming)`|
 * | {@link PublisherEndpoint.connect}     | `MediaElement.connect(sink)`                        |
 * | {@link WebRtcEndpoint.processOffer}   | `WebRtcEndpoint.processOffer` + `gatherCandidates`  |
 * | {@link WebRtcEndpoint.addIceCandidate}| `WebRtcEndpoint.addIceCandidate`                    |
 * | {@link WebRtcEndpoint.onIceCandidate} | the `IceCandidateFound` event                       |
 * | `release()`                           | `MediaObject.release()`                             |
 *
 * Directions are the browser's view: a publisher endpoint receives the browser's
 * send-only offer, a subscriber endpoint answers a receive-only offer and sends the
 * media of the publisher it is connected to. The browser is always the offerer.
 *
 * @packageDocumentation
 */

import type { IceCandidateInit } from 'kurento-room/protocol';

export type { IceCandidateInit };

/**
 * A media backend: a factory of pipelines. The default is the embedded werift SFU
 * (`werift-backend.ts`); tests may pass their own.
 */
export interface MediaBackend {
  /**
   * Creates the pipeline of one room (Kurento `MediaPipeline`).
   *
   * @param room - the room's name, for logs only.
   * @throws {@link MediaError} (rejects) when the backend is closed or fails.
   */
  createPipeline(room: string): Promise<MediaPipeline>;

  /** Live object counts, for `RunningServer.stats()` and leak tests. */
  stats(): MediaBackendStats;

  /** Releases every pipeline and endpoint. Safe to call twice; later creations reject. */
  close(): Promise<void>;
}

/** Live object counts of a {@link MediaBackend}. */
export interface MediaBackendStats {
  /** Pipelines created and not yet released. */
  pipelines: number;
  /** Endpoints (publishers and subscribers) created and not yet released. */
  endpoints: number;
}

/**
 * The media graph of one room (Kurento `MediaPipeline`). Releasing it releases every
 * endpoint it created.
 */
export interface MediaPipeline {
  /** Unique within the backend; for logs. */
  readonly id: string;
  /** True once {@link MediaPipeline.release} was called. */
  readonly released: boolean;

  /**
   * Creates the endpoint that receives a participant's media (Kurento: the
   * `outgoingMedia` WebRtcEndpoint of UserSession.java). It may exist before any
   * offer, so that subscribers can connect to it ahead of the publisher's media.
   *
   * @throws {@link MediaError} (rejects) when the pipeline is released.
   */
  createPublisher(options: PublisherOptions): Promise<PublisherEndpoint>;

  /**
   * Creates an endpoint that sends `options.publisher`'s media to a participant, and
   * connects it (Kurento: a WebRtcEndpoint in `incomingMedia` plus
   * `sender.getOutgoingWebRtcPeer().connect(incoming)`). Media flows as soon as both
   * sides are connected, whichever comes first.
   *
   * @throws {@link MediaError} (rejects) when the pipeline or the publisher is released,
   *   or the publisher belongs to another pipeline or backend.
   */
  createSubscriber(options: SubscriberOptions): Promise<SubscriberEndpoint>;

  /** Releases the pipeline and all its endpoints. Safe to call twice. */
  release(): Promise<void>;

  /**
   * Listens for the loss of the pipeline: its media server died or restarted, and the
   * pipeline with every endpoint in it is gone (they read as released). Optional: a
   * backend in the server's own process (werift) never loses a pipeline alone.
   *
   * @returns a function that unsubscribes.
   */
  onLost?(listener: (error: MediaError) => void): () => void;
}

/** Arguments of {@link MediaPipeline.createPublisher}. */
export interface PublisherOptions {
  /** Whose media this endpoint receives. Also the stream id subscribers see (`a=msid`). */
  participant: string;
}

/** Arguments of {@link MediaPipeline.createSubscriber}. */
export interface SubscriberOptions {
  /** Who receives the media (for logs). */
  participant: string;
  /** The source of the media. */
  publisher: PublisherEndpoint;
}

/**
 * One WebRTC peer of the server (Kurento `WebRtcEndpoint`): negotiated by exactly one
 * offer from the browser, then trickle ICE in both directions.
 */
export interface WebRtcEndpoint {
  /** Unique within the backend; for logs. */
  readonly id: string;
  /** Publisher endpoints receive media, subscriber endpoints send it. */
  readonly role: 'publisher' | 'subscriber';
  /** True once {@link WebRtcEndpoint.release} was called (or its pipeline released). */
  readonly released: boolean;

  /**
   * Applies the browser's SDP offer and returns the SDP answer (Kurento
   * `processOffer`). Gathering starts with it (Kurento `gatherCandidates`).
   *
   * Candidates the endpoint finds meanwhile are held and handed to
   * {@link WebRtcEndpoint.onIceCandidate} listeners only after the returned promise has
   * resolved, in a later task: a caller that sends the answer as soon as the promise
   * resolves sends it before any candidate, as the Kurento contract requires.
   *
   * @param sdpOffer - an SDP offer (RFC 8866 text, JSEP RFC 8829 semantics).
   * @returns the SDP answer.
   * @throws {@link MediaError} (rejects) when the endpoint is released, already has an
   *   offer, or the offer is unusable (no Opus or VP8, malformed SDP).
   */
  processOffer(sdpOffer: string): Promise<string>;

  /**
   * Adds a trickle ICE candidate of the browser's (Kurento `addIceCandidate`). Before
   * the offer it is queued by the endpoint.
   *
   * @throws {@link MediaError} (rejects) when the endpoint is released or the
   *   candidate does not match the offer's media sections.
   */
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;

  /**
   * Subscribes to the endpoint's own ICE candidates (Kurento `IceCandidateFound`).
   * Listener exceptions are caught and ignored.
   *
   * @returns a function that unsubscribes.
   */
  onIceCandidate(listener: (candidate: IceCandidateInit) => void): () => void;

  /** Closes the peer and disconnects it from the graph. Safe to call twice; never rejects. */
  release(): Promise<void>;
}

/** The endpoint that receives one participant's published media. */
export interface PublisherEndpoint extends WebRtcEndpoint {
  readonly role: 'publisher';

  /**
   * Makes `subscriber` forward this publisher's media instead of its current source
   * (Kurento `MediaElement.connect`: a sink has one source). Used when a participant
   * publishes again: its subscribers follow the new publisher endpoint without
   * renegotiating. Asks the new source for a key frame.
   *
   * @throws TypeError when `subscriber` comes from another backend or pipeline.
   * @throws {@link MediaError} when either endpoint is released.
   */
  connect(subscriber: SubscriberEndpoint): void;
}

/** An endpoint that sends one publisher's media to one participant. */
export interface SubscriberEndpoint extends WebRtcEndpoint {
  readonly role: 'subscriber';
  /** The current source, or undefined once that publisher endpoint is released. */
  readonly publisher: PublisherEndpoint | undefined;
}

/** A backend failure: an unusable offer or candidate, or a released object. */
export class MediaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MediaError';
  }
}

/**
 * A backend call that did not settle within its deadline. The signaling layer rejects
 * with it (the backend never does), so that one hung operation cannot hold a participant,
 * its endpoints or the room registry: what the call produces if it settles later is
 * released then. Reaches the client as a `MEDIA_ERROR` reply, as other media errors do.
 */
export class MediaTimeoutError extends MediaError {
  /** The backend operation that timed out, e.g. `processOffer`. */
  readonly operation: string;
  /** The deadline it missed, in ms. */
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number) {
    super(`the media backend did not finish ${operation} within ${timeoutMs} ms`);
    this.name = 'MediaTimeoutError';
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}
