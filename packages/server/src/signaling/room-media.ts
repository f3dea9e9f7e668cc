/**
 * The media side of a room: each participant's publisher endpoint and its subscriber
 * endpoints on the others, negotiated by the browser's offers, with trickle ICE both
 * ways (Kurento tutorial: CallHandler.java's `receiveVideoFrom` and `onIceCandidate`,
 * and UserSession.java's endpoint handling). Who is in the room is `room.ts`'s concern.
 *
 * @packageDocumentation
 */

import type { IceCandidateInit, SerialQueue } from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import type { MediaPipeline, PublisherEndpoint, WebRtcEndpoint } from '../media/media-backend.js';
import { EndpointSlot } from './endpoint-slot.js';
import type { Participant } from './participant.js';
import { SignalingError } from './signaling-error.js';

/** What a {@link RoomMedia} shares with its room. */
export interface RoomMediaOptions {
  /** The room's name, for logs. */
  room: string;
  /** The room's pipeline, where every endpoint is created. */
  pipeline: MediaPipeline;
  logger: Logger;
  /** The room's graph queue: endpoints are created and replaced on it, one change at a time. */
  graph: SerialQueue;
  /** The room's participants by name (read only here). */
  participants: ReadonlyMap<string, Participant>;
  /** Throws `NOT_JOINED` when `participant` left or the room closed. */
  assertMember(participant: Participant): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Publishing, subscribing and ICE for the participants of one room. Creating and
 * replacing endpoints runs on the room's graph queue, so no interleaving with a join or
 * a leave can leak one; offers are processed outside it, so one participant's
 * negotiation does not wait for another's. Methods throw {@link SignalingError}.
 */
export class RoomMedia {
  private readonly room: string;
  private readonly pipeline: MediaPipeline;
  private readonly logger: Logger;
  private readonly graph: SerialQueue;
  private readonly participants: ReadonlyMap<string, Participant>;
  private readonly assertMember: (participant: Participant) => void;

  constructor(options: RoomMediaOptions) {
    this.room = options.room;
    this.pipeline = options.pipeline;
    this.logger = options.logger;
    this.graph = options.graph;
    this.participants = options.participants;
    this.assertMember = options.assertMember;
  }

  /** Releases the pipeline (Kurento `MediaPipeline.release`), and with it every endpoint. */
  release(): Promise<void> {
    return this.pipeline.release();
  }

  /**
   * `receiveVideoFrom`: with the participant's own name, publishes (its send-only
   * offer goes to its publisher endpoint); with another's, subscribes to that
   * participant. A repeated request replaces the endpoint, releasing the old one first.
   * Sends `receiveVideoAnswer {name: whose media, sdpAnswer}`, then the server's
   * candidates.
   */
  async receiveVideoFrom(
    participant: Participant,
    sender: string,
    sdpOffer: string,
  ): Promise<void> {
    const slot = await this.graph.run(() =>
      sender === participant.name
        ? this.preparePublisher(participant)
        : this.prepareSubscriber(participant, sender),
    );
    await this.negotiate(participant, slot, sdpOffer);
  }

  /** The participant's publisher slot for a new offer (runs on the graph queue). */
  private async preparePublisher(
    participant: Participant,
  ): Promise<EndpointSlot<PublisherEndpoint>> {
    this.assertMember(participant);
    const current = participant.publisher;
    // Created early for a subscriber and never offered: this offer is its first.
    if (current && current.state === 'idle' && !current.released) return current;
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

  /** A new subscriber slot of `participant` on `sender`'s media (runs on the graph queue). */
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
    const endpoint = await this.media('create a subscriber endpoint', () =>
      this.pipeline.createSubscriber({
        participant: participant.name,
        publisher: publisher.endpoint,
      }),
    );
    const slot = new EndpointSlot(endpoint, sender, (message) => participant.send(message));
    participant.subscriptions.set(sender, slot);
    return slot;
  }

  /** The participant's publisher slot, created idle if it has none (runs on the graph queue). */
  private async ensurePublisher(
    participant: Participant,
  ): Promise<EndpointSlot<PublisherEndpoint>> {
    const current = participant.publisher;
    if (current && !current.released) return current;
    const endpoint = await this.media('create a publisher endpoint', () =>
      this.pipeline.createPublisher({ participant: participant.name }),
    );
    const slot = new EndpointSlot(endpoint, participant.name, (message) =>
      participant.send(message),
    );
    participant.publisher = slot;
    return slot;
  }

  /** Processes the offer, sends the answer, then applies the candidates that waited for it. */
  private async negotiate(
    participant: Participant,
    slot: EndpointSlot<WebRtcEndpoint>,
    sdpOffer: string,
  ): Promise<void> {
    slot.state = 'negotiating';
    let sdpAnswer: string;
    try {
      sdpAnswer = await slot.endpoint.processOffer(sdpOffer);
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
      try {
        await slot.endpoint.addIceCandidate(candidate);
      } catch (error) {
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
    try {
      await slot.endpoint.addIceCandidate(candidate);
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

  /** Runs a backend call; its failure becomes `MEDIA_ERROR`. */
  private async media<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw new SignalingError('MEDIA_ERROR', `could not ${what}: ${describe(error)}`, {
        cause: error,
      });
    }
  }
}
