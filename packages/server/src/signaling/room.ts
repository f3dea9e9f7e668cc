/**
 * A room: its participants by name and the media graph between them (Kurento
 * tutorial: Room.java, with the handling of CallHandler.java for joined users).
 *
 * @packageDocumentation
 */

import type { ClientMessage, IceCandidateInit } from 'kurento-room/protocol';
import { EndpointSlot } from './endpoint-slot.js';
import type { Logger } from '../logger.js';
import type { MediaPipeline, PublisherEndpoint, WebRtcEndpoint } from '../media/media-backend.js';
import { Participant, type MessageSink } from './participant.js';
import { SerialQueue } from './serial-queue.js';
import { SignalingError } from './signaling-error.js';

/** What a {@link Room} needs. */
export interface RoomOptions {
  name: string;
  /** The room's pipeline; the room releases it when closed. */
  pipeline: MediaPipeline;
  logger: Logger;
  /** The most participants at once; a join beyond gets `ROOM_FULL`. */
  maxParticipants: number;
  /** Called when the last participant has left; the owner then closes the room. */
  onEmpty(room: Room): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Participants by name (names are per room), and one switch over their messages.
 *
 * Changes to the graph (join, leave, creating and releasing endpoints) run one at a
 * time on the room's queue, so no interleaving can leak an endpoint; offers are
 * processed outside it, so one participant's negotiation does not wait for another's.
 * Handlers throw {@link SignalingError}; the connection turns it into an `error` reply.
 */
export class Room {
  readonly name: string;
  private readonly pipeline: MediaPipeline;
  private readonly logger: Logger;
  private readonly onEmpty: (room: Room) => void;
  private readonly maxParticipants: number;
  private readonly participants = new Map<string, Participant>();
  private readonly graph = new SerialQueue();
  private closed = false;

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.pipeline = options.pipeline;
    this.logger = options.logger;
    this.onEmpty = options.onEmpty;
    this.maxParticipants = options.maxParticipants;
  }

  /** The number of participants. */
  get size(): number {
    return this.participants.size;
  }

  /** True once {@link Room.close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds a participant: replies `existingParticipants {data: [everyone else]}` to it
   * and tells the others `newParticipantArrived {name}` (tutorial: Room.join).
   *
   * When `name` is held by a participant that joined with the same `sessionId`, the
   * new connection takes it over instead (see {@link Room.takeOver}): the others are
   * told nothing.
   *
   * @param sessionId - the client's secret for taking the name back later, if any
   *   (already checked by `assertValidSessionId`).
   * @throws {@link SignalingError} `NAME_TAKEN` when the name is in use in this room
   *   under another or no session id (the holder keeps it, unlike the tutorial, which
   *   overwrote it); `ROOM_FULL` at the room's participant limit.
   */
  join(name: string, sink: MessageSink, sessionId?: string): Promise<Participant> {
    return this.graph.run(async () => {
      if (this.closed) throw new SignalingError('INTERNAL_ERROR', 'the room is closing');
      const holder = this.participants.get(name);
      if (holder) {
        if (!holder.hasSession(sessionId)) {
          throw new SignalingError('NAME_TAKEN', `the name "${name}" is taken in this room`);
        }
        return this.takeOver(holder, sink, sessionId);
      }
      if (this.participants.size >= this.maxParticipants) {
        throw new SignalingError(
          'ROOM_FULL',
          `the room has ${this.maxParticipants} participants, the most allowed`,
        );
      }
      const participant = new Participant(name, sink, sessionId);
      const others = [...this.participants.values()];
      for (const other of others) other.send({ id: 'newParticipantArrived', name });
      this.participants.set(name, participant);
      this.welcome(participant, others);
      this.logger.info({ room: this.name, participant: name }, 'joined');
      return participant;
    });
  }

  /**
   * Moves a participant to a new connection (runs on the graph queue). The old
   * connection is closed as replaced and its leave does nothing; the participant's
   * subscriber endpoints are released (the client subscribes again on its new peer
   * connections); its publisher endpoint stays, so the others keep receiving until the
   * client publishes again, when {@link Room.preparePublisher} replaces it and moves
   * their subscriber endpoints to the new one. The others see no leave and no arrival.
   */
  private async takeOver(
    holder: Participant,
    sink: MessageSink,
    sessionId: string | undefined,
  ): Promise<Participant> {
    const participant = new Participant(holder.name, sink, sessionId);
    const releases = [...holder.subscriptions.values()].map((slot) => slot.release());
    holder.subscriptions.clear();
    const publisher = holder.publisher;
    holder.publisher = undefined;
    if (publisher && !publisher.released) {
      participant.publisher = publisher;
      // An endpoint never offered takes the new connection's first offer; one that was
      // negotiated belongs to the old peer connection, whose messages go nowhere now.
      publisher.redirect(
        publisher.state === 'idle' ? (message) => participant.send(message) : undefined,
      );
    }
    holder.retire();
    this.participants.set(holder.name, participant);
    participant.mediaState = holder.mediaState;
    const others = [...this.participants.values()].filter((other) => other !== participant);
    this.welcome(participant, others);
    await Promise.all(releases);
    this.logger.info(
      { room: this.name, participant: holder.name },
      'taken over by a new connection',
    );
    return participant;
  }

  /**
   * Replies `existingParticipants {data: [the others' names]}` to a participant that just
   * joined, then one `participantMediaState` per other, defaults included, in the same
   * order: a client re-joining (after a takeover, or after this server restarted) may hold
   * states that changed while it was away, and only the whole set puts them right.
   */
  private welcome(participant: Participant, others: Participant[]): void {
    participant.send({ id: 'existingParticipants', data: others.map((other) => other.name) });
    for (const other of others) participant.send(other.mediaStateMessage());
  }

  /**
   * `setMediaState` (ours): keeps the participant's mute state and, when it changed, relays
   * it as `participantMediaState` to every other participant of the room (not the sender).
   */
  private setMediaState(participant: Participant, audioMuted: boolean, videoMuted: boolean): void {
    this.assertMember(participant);
    const { mediaState } = participant;
    if (mediaState.audioMuted === audioMuted && mediaState.videoMuted === videoMuted) return;
    participant.mediaState = { audioMuted, videoMuted };
    this.logger.debug(
      { room: this.name, participant: participant.name, audioMuted, videoMuted },
      'media state',
    );
    const message = participant.mediaStateMessage();
    for (const other of this.participants.values()) {
      if (other !== participant) other.send(message);
    }
  }

  /**
   * Handles a message of a joined participant.
   *
   * @throws {@link SignalingError} `ALREADY_JOINED`, `UNKNOWN_PARTICIPANT`, `MEDIA_ERROR`,
   *   `NOT_JOINED` (a participant that left or was taken over).
   */
  async handle(participant: Participant, message: ClientMessage): Promise<void> {
    switch (message.id) {
      case 'joinRoom':
        throw new SignalingError('ALREADY_JOINED', `already joined as "${participant.name}"`);
      case 'receiveVideoFrom':
        return this.receiveVideoFrom(participant, message.sender, message.sdpOffer);
      case 'onIceCandidate':
        return this.addIceCandidate(participant, message.name, message.candidate);
      case 'leaveRoom':
        return this.leave(participant);
      case 'setMediaState':
        return this.setMediaState(participant, message.audioMuted, message.videoMuted);
    }
  }

  /**
   * Removes a participant (on `leaveRoom` or when its socket closes): releases its
   * endpoints and every subscriber endpoint others hold on it, and tells the others
   * `participantLeft {name}`. Safe to call twice. The last one out empties the room.
   */
  leave(participant: Participant): Promise<void> {
    return this.graph.run(async () => {
      if (participant.left) return;
      participant.left = true;
      if (this.participants.get(participant.name) === participant) {
        this.participants.delete(participant.name);
      }
      const releases = participant.slots().map((slot) => slot.release());
      participant.publisher = undefined;
      participant.subscriptions.clear();
      for (const other of this.participants.values()) {
        const subscription = other.subscriptions.get(participant.name);
        if (subscription) {
          other.subscriptions.delete(participant.name);
          releases.push(subscription.release());
        }
        other.takeCandidates(participant.name);
        other.send({ id: 'participantLeft', name: participant.name });
      }
      await Promise.all(releases);
      this.logger.info({ room: this.name, participant: participant.name }, 'left');
      if (this.participants.size === 0 && !this.closed) this.onEmpty(this);
    });
  }

  /** Releases every endpoint and the pipeline. Participants are not told. Safe to call twice. */
  close(): Promise<void> {
    return this.graph.run(async () => {
      if (this.closed) return;
      this.closed = true;
      const releases: Promise<void>[] = [];
      for (const participant of this.participants.values()) {
        participant.left = true;
        releases.push(...participant.slots().map((slot) => slot.release()));
      }
      this.participants.clear();
      await Promise.all(releases);
      await this.pipeline.release();
      this.logger.info({ room: this.name }, 'room closed');
    });
  }

  /**
   * `receiveVideoFrom`: with the participant's own name, publishes (its send-only
   * offer goes to its publisher endpoint); with another's, subscribes to that
   * participant. A repeated request replaces the endpoint, releasing the old one first.
   * Sends `receiveVideoAnswer {name: whose media, sdpAnswer}`, then the server's
   * candidates.
   */
  private async receiveVideoFrom(
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
          this.logger.warn({ err: error, room: this.name }, 'reconnecting a subscriber failed');
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
        this.logger.debug({ err: error, room: this.name }, 'a queued ICE candidate was refused');
      }
    }
  }

  /**
   * `onIceCandidate`: adds a browser candidate to the endpoint for `name` (own name =
   * publisher), or queues it until that endpoint has answered (the tutorial dropped it).
   */
  private async addIceCandidate(
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

  private assertMember(participant: Participant): void {
    if (participant.left || this.closed) throw new SignalingError('NOT_JOINED', 'not in a room');
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
