/**
 * A room: its participants by name, who joins, is taken over and leaves, and what the
 * others are told (Kurento tutorial: Room.java, with the handling of CallHandler.java
 * for joined users). Their endpoints and negotiation are `room-media.ts`'s.
 *
 * @packageDocumentation
 */

import type { ClientMessage } from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import type { MediaPipeline } from '../media/media-backend.js';
import { Participant, type MessageSink } from './participant.js';
import { RoomMedia } from './room-media.js';
import { SignalingError } from './signaling-error.js';
import { TargetQueue } from './target-queue.js';

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
  /**
   * The deadline of each media-backend call, in ms (see `media-deadline.ts`). Default
   * `DEFAULT_MEDIA_TIMEOUT_MS` (10 s).
   */
  mediaTimeoutMs?: number;
}

/**
 * Participants by name (names are per room), and one switch over their messages;
 * publishing, subscribing and ICE go to its {@link RoomMedia}.
 *
 * Changes to the graph run on the room's graph queue (a {@link TargetQueue}), so no
 * interleaving can leak an endpoint: joins, take-overs, leaves and the room's close are
 * barriers, one at a time with nothing else; the endpoints carrying one participant's
 * media (its publisher, and the others' subscriptions to it) are created and replaced
 * one at a time in that participant's lane, side by side with other participants'
 * lanes. Offers are processed outside the queue, so one participant's negotiation does
 * not wait for another's.
 * Handlers throw {@link SignalingError}; the connection turns it into an `error` reply.
 * Every media-backend call has a deadline, so a hung backend holds neither queue: a
 * release that misses it is logged and no longer waited for.
 */
export class Room {
  readonly name: string;
  private readonly media: RoomMedia;
  private readonly logger: Logger;
  private readonly onEmpty: (room: Room) => void;
  private readonly maxParticipants: number;
  private readonly participants = new Map<string, Participant>();
  private readonly graph = new TargetQueue();
  private closed = false;

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.logger = options.logger;
    this.onEmpty = options.onEmpty;
    this.maxParticipants = options.maxParticipants;
    this.media = new RoomMedia({
      room: this.name,
      pipeline: options.pipeline,
      logger: this.logger,
      graph: this.graph,
      participants: this.participants,
      assertMember: (participant) => this.assertMember(participant),
      timeoutMs: options.mediaTimeoutMs,
    });
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
    return this.graph.barrier(async () => {
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
   * Moves a participant to a new connection (a barrier on the graph queue). The old
   * connection is closed as replaced and its leave does nothing; the participant's
   * subscriber endpoints are released (the client subscribes again on its new peer
   * connections); its publisher endpoint stays, so the others keep receiving until the
   * client publishes again, when {@link RoomMedia.receiveVideoFrom} replaces it and moves
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
        return this.media.receiveVideoFrom(participant, message.sender, message.sdpOffer);
      case 'onIceCandidate':
        return this.media.addIceCandidate(participant, message.name, message.candidate);
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
    return this.graph.barrier(async () => {
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

  /**
   * The room's pipeline was lost (its media server died): closes the room, then closes
   * every participant's connection with `SERVICE_RESTART`. Clients re-join under the same
   * names into a new room, whose pipeline goes to a media server that is up, and
   * negotiate every peer connection again (the SDK's reconnection); the others keep
   * their tiles meanwhile (its re-join grace).
   */
  async mediaLost(): Promise<void> {
    const participants = [...this.participants.values()];
    await this.close();
    for (const participant of participants) participant.restart();
  }

  /** Releases every endpoint and the pipeline. Participants are not told. Safe to call twice. */
  close(): Promise<void> {
    return this.graph.barrier(async () => {
      if (this.closed) return;
      this.closed = true;
      const releases: Promise<void>[] = [];
      for (const participant of this.participants.values()) {
        participant.left = true;
        releases.push(...participant.slots().map((slot) => slot.release()));
      }
      this.participants.clear();
      await Promise.all(releases);
      await this.media.release();
      this.logger.info({ room: this.name }, 'room closed');
    });
  }

  private assertMember(participant: Participant): void {
    if (participant.left || this.closed) throw new SignalingError('NOT_JOINED', 'not in a room');
  }
}
