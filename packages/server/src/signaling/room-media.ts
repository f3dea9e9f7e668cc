/**
 * The media side of a room: each participant's publisher endpoint and its subscriber
 * endpoints on the others, negotiated by the browser's offers, with trickle ICE both
 * ways (Kurento tutorial: CallHandler.java's `receiveVideoFrom` and `onIceCandidate`,
 * and UserSession.java's endpoint handling). Who is in the room is `room.ts`'s concern.
 *
 * @packageDocumentation
 */

import type { IceCandidateInit, ServerMessage } from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import {
  MediaTimeoutError,
  type MediaPipeline,
  type PublisherEndpoint,
  type WebRtcEndpoint,
} from '../media/media-backend.js';
import { EndpointSlot } from './endpoint-slot.js';
import { DEFAULT_MEDIA_TIMEOUT_MS, releaseWithin, withinDeadline } from './media-deadline.js';
import type { Participant } from './participant.js';
import { SignalingError } from './signaling-error.js';
import type { TargetQueue } from './target-queue.js';

/** What a {@link RoomMedia} shares with its room. */
export interface RoomMediaOptions {
  /** The room's name, for logs. */
  room: string;
  /** The room's pipeline, where every endpoint is created. */
  pipeline: MediaPipeline;
  logger: Logger;
  /**
   * The room's graph queue: endpoints are created and replaced in the lane of the
   * participant whose media they carry; the room's joins and leaves are its barriers.
   */
  graph: TargetQueue;
  /** The room's participants by name (read only here). */
  participants: ReadonlyMap<string, Participant>;
  /** Throws `NOT_JOINED` when `participant` left or the room closed. */
  assertMember(participant: Participant): void;
  /**
   * The deadline of each backend call, in ms (see `media-deadline.ts`). Default
   * {@link DEFAULT_MEDIA_TIMEOUT_MS}.
   */
  timeoutMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Publishing, subscribing and ICE for the participants of one room. Creating and
 * replacing endpoints runs on the room's graph queue, so no interleaving with a join or
 * a leave (its barriers) can leak one. Its lane is the participant whose media the
 * endpoint carries (the publisher's name): a publisher endpoint, and the subscriber
 * endpoints connected to it, change one at a time (no second publisher endpoint made for
 * two subscriptions at once, no subscription missed when a publisher endpoint is
 * replaced), while endpoints on different participants' media are created side by side.
 * Offers are processed outside the queue, so one participant's negotiation does not wait
 * for another's. Methods throw {@link SignalingError}.
 *
 * Every backend call has a deadline (`timeoutMs`): a call that misses it fails the
 * request with `MEDIA_ERROR`, so that neither queue waits on a hung backend. An endpoint
 * created after its deadline is released when it arrives; an offer processed after its
 * deadline leaves its slot `failed`, as a refused offer does (its answer is never sent),
 * and the participant's next `receiveVideoFrom` replaces the endpoint.
 */
export class RoomMedia {
  private readonly room: string;
  private readonly pipeline: MediaPipeline;
  private readonly logger: Logger;
  private readonly graph: TargetQueue;
  private readonly participants: ReadonlyMap<string, Participant>;
  private readonly assertMember: (participant: Participant) => void;
  private readonly timeoutMs: number;

  constructor(options: RoomMediaOptions) {
    this.room = options.room;
    this.pipeline = options.pipeline;
    this.logger = options.logger;
    this.graph = options.graph;
    this.participants = options.participants;
    this.assertMember = options.assertMember;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
  }

  /**
   * Releases the pipeline (Kurento `MediaPipeline.release`), and with it every endpoint.
   * Resolves once released or once the deadline has passed; never rejects.
   */
  release(): Promise<void> {
    return releaseWithin(this.pipeline, this.timeoutMs, this.logger);
  }

  /**
   * `receiveVideoFrom`: with the participant's own name, publishes (its send-only
   * offer goes to its publisher endpoint); with another's, subscribes to that
   * participant. A repeated request replaces the endpoint, releasing the old one first.
   * Sends `receiveVideoAnswer {name: whose media, sdpAnswer}`, then the server's
   * candidates.
   *
   * The endpoint is found or made on the graph queue, except a publisher endpoint made
   * early for the others' subscriptions and not yet offered: that one changes nothing in
   * the graph, so the offer goes to it at once instead of waiting behind the endpoints
   * being created in the room (a joiner's publisher offer arrives while the others
   * subscribe to it).
   */
  async receiveVideoFrom(
    participant: Participant,
    sender: string,
    sdpOffer: string,
  ): Promise<void> {
    const slot =
      (sender === participant.name && this.idlePublisher(participant)) ||
      (await this.graph.run(sender, () =>
        sender === participant.name
          ? this.preparePublisher(participant)
          : this.prepareSubscriber(participant, sender),
      ));
    await this.negotiate(participant, slot, sdpOffer);
  }

  /**
   * The participant's publisher endpoint if it was created early for a subscriber and
   * never offered (its first offer is this one), else `undefined`. Synchronous, so no
   * graph change can come between the check and {@link RoomMedia.negotiate} marking the
   * slot `negotiating`.
   */
  private idlePublisher(participant: Participant): EndpointSlot<PublisherEndpoint> | undefined {
    this.assertMember(participant);
    const current = participant.publisher;
    return current && current.state === 'idle' && !current.released ? current : undefined;
  }

  /** The participant's publisher slot for a new offer (runs in its lane of the graph queue). */
  private async preparePublisher(
    participant: Participant,
  ): Promise<EndpointSlot<PublisherEndpoint>> {
    // Created early for a subscriber and never offered: this offer is its first.
    const idle = this.idlePublisher(participant);
    if (idle) return idle;
    const current = participant.publisher;
    if (current) {
      participant.publisher = undefined;
      await current.release();
    }
    const slot = await this.ensurePublisher(participant);
    if (current) {
      // Subscribers of the old endpoint follow the new one (Kurento: connect again).
      for (const other of this.participants.values()) {
        const subscription = other.subscriptions.get(participant.name);
        if (!subscription || subscription.released) continue;
        try {
          slot.endpoint.connect(subscription.endpoint);
        } catch (error) {
          this.logger.warn({ err: error, room: this.room }, 'reconnecting a subscriber failed');
        }
      }
    }
    return slot;
  }

  /** A new subscriber slot of `participant` on `sender`'s media (runs in `sender`'s lane). */
  private async prepareSubscriber(
    participant: Participant,
    sender: string,
  ): Promise<EndpointSlot<WebRtcEndpoint>> {
    this.assertMember(participant);
    const target = this.participants.get(sender);
    if (!target) {
      throw new SignalingError('UNKNOWN_PARTICIPANT', `nobody named "${sender}" is in this room`);
    }
    // The sender may not have published yet: its publisher endpoint is created now,
    // and media flows once it publishes.
    const publisher = await this.ensurePublisher(target);
    const previous = participant.subscriptions.get(sender);
    if (previous) {
      participant.subscriptions.delete(sender);
      await previous.release();
    }
    const endpoint = await this.create('create a subscriber endpoint', 'createSubscriber', () =>
      this.pipeline.createSubscriber({
        participant: participant.name,
        publisher: publisher.endpoint,
      }),
    );
    const slot = this.slot(endpoint, sender, participant);
    participant.subscriptions.set(sender, slot);
    return slot;
  }

  /** The participant's publisher slot, created idle if it has none (runs in its lane). */
  private async ensurePublisher(
    participant: Participant,
  ): Promise<EndpointSlot<PublisherEndpoint>> {
    const current = participant.publisher;
    if (current && !current.released) return current;
    const endpoint = await this.create('create a publisher endpoint', 'createPublisher', () =>
      this.pipeline.createPublisher({ participant: participant.name }),
    );
    const slot = this.slot(endpoint, participant.name, participant);
    participant.publisher = slot;
    return slot;
  }

  /**
   * Processes the offer, sends the answer, then applies the candidates that waited for it.
   * Marks the slot `negotiating` before its first `await`.
   */
  private async negotiate(
    participant: Participant,
    slot: EndpointSlot<WebRtcEndpoint>,
    sdpOffer: string,
  ): Promise<void> {
    slot.state = 'negotiating';
    slot.offer = sdpOffer;
    let sdpAnswer: string;
    try {
      sdpAnswer = await withinDeadline(
        'processOffer',
        this.timeoutMs,
        () => slot.endpoint.processOffer(sdpOffer),
        () => this.logger.warn({ room: this.room }, 'an answer came after its deadline: dropped'),
      );
    } catch (error) {
      if (slot.released) return; // its publisher or subscriber left meanwhile
      slot.state = 'failed';
      throw new SignalingError(
        'MEDIA_ERROR',
        `could not process the offer for "${slot.mediaName}": ${describe(error)}`,
        { cause: error },
      );
    }
    if (slot.released || participant.left) return;
    slot.answer(sdpAnswer);
    for (const candidate of participant.takeCandidates(slot.mediaName)) {
      if (!slot.accepts(candidate)) continue;
      try {
        await this.addCandidate(slot.endpoint, candidate);
      } catch (error) {
        if (error instanceof MediaTimeoutError) {
          // One hung candidate is enough: the rest would each wait as long.
          this.logger.warn({ err: error, room: this.room }, 'queued ICE candidates dropped');
          return;
        }
        this.logger.debug({ err: error, room: this.room }, 'a queued ICE candidate was refused');
      }
    }
  }

  /**
   * `onIceCandidate`: adds a browser candidate to the endpoint for `name` (own name =
   * publisher), or queues it until that endpoint has answered (the tutorial dropped it).
   */
  async addIceCandidate(
    participant: Participant,
    name: string,
    candidate: IceCandidateInit,
  ): Promise<void> {
    const slot = participant.slotFor(name);
    if (!slot || slot.state !== 'answered') {
      if (name !== participant.name && !this.participants.has(name)) {
        throw new SignalingError('UNKNOWN_PARTICIPANT', `nobody named "${name}" is in this room`);
      }
      participant.queueCandidate(name, candidate);
      return;
    }
    if (!slot.accepts(candidate)) {
      this.logger.debug({ room: this.room }, 'a candidate of a replaced peer connection: dropped');
      return;
    }
    try {
      await this.addCandidate(slot.endpoint, candidate);
    } catch (error) {
      if (slot.released) return;
      throw new SignalingError(
        'MEDIA_ERROR',
        `could not add the ICE candidate: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** `addIceCandidate` within the deadline. */
  private addCandidate(endpoint: WebRtcEndpoint, candidate: IceCandidateInit): Promise<void> {
    return withinDeadline('addIceCandidate', this.timeoutMs, () =>
      endpoint.addIceCandidate(candidate),
    );
  }

  /** A slot for a new endpoint that serves `participant` and carries `mediaName`'s media. */
  private slot<E extends WebRtcEndpoint>(
    endpoint: E,
    mediaName: string,
    participant: Participant,
  ): EndpointSlot<E> {
    const send = (message: ServerMessage): void => participant.send(message);
    return new EndpointSlot(endpoint, mediaName, send, this.timeoutMs, this.logger);
  }

  /**
   * Creates an endpoint within the deadline; one that arrives after it is released then.
   * A failure becomes `MEDIA_ERROR`.
   */
  private async create<E extends WebRtcEndpoint>(
    what: string,
    operation: string,
    action: () => Promise<E>,
  ): Promise<E> {
    try {
      return await withinDeadline(operation, this.timeoutMs, action, (late) => {
        this.logger.warn(
          { room: this.room, media: late.id },
          `${operation} came after its deadline`,
        );
        void releaseWithin(late, this.timeoutMs, this.logger);
      });
    } catch (error) {
      throw new SignalingError('MEDIA_ERROR', `could not ${what}: ${describe(error)}`, {
        cause: error,
      });
    }
  }
}
