/**
 * A participant of a room: its name, its connection and its endpoints (Kurento
 * tutorial: UserSession.java).
 *
 * @packageDocumentation
 */

import type {
  IceCandidateInit,
  ParticipantMediaStateMessage,
  ServerMessage,
} from 'kurento-room/protocol';
import type { EndpointSlot } from './endpoint-slot.js';
import type { PublisherEndpoint, SubscriberEndpoint } from '../media/media-backend.js';
import { sameSessionId } from './session-id.js';

/** Where a participant's messages go: its signaling connection. Must not throw. */
export interface MessageSink {
  /** Delivers a message to the client. */
  send(message: ServerMessage): void;
  /**
   * The participant was taken over by a newer connection (same name and `sessionId`):
   * the sink stops acting for it and closes (`CloseCode.REPLACED`), without leaving.
   */
  replaced(): void;
  /**
   * The room's media was lost (its media server died): the sink closes with
   * `CloseCode.SERVICE_RESTART`, so that the client re-joins and negotiates again.
   */
  restart?(): void;
}

/** Remote candidates kept per endpoint name while that endpoint is not negotiated. */
export const MAX_QUEUED_CANDIDATES = 64;

/**
 * One name in one room. Owns its publisher endpoint (UserSession's `outgoingMedia`)
 * and one subscriber endpoint per participant it receives (`incomingMedia`, keyed by
 * the sender's name).
 */
export class Participant {
  /** The endpoint receiving this participant's media; may exist before it publishes. */
  publisher: EndpointSlot<PublisherEndpoint> | undefined;
  /** Subscriber endpoints, by the name of the participant whose media they carry. */
  readonly subscriptions = new Map<string, EndpointSlot<SubscriberEndpoint>>();
  /** True once the participant left (or its socket closed). */
  left = false;
  /** Its mute state, as its last `setMediaState` said (both false until then); kept on a takeover. */
  mediaState = { audioMuted: false, videoMuted: false };
  /** Browser candidates that arrived before their endpoint was negotiated, by name. */
  private readonly queued = new Map<string, IceCandidateInit[]>();

  /**
   * @param name - the participant's name, unique in its room.
   * @param sink - its connection.
   * @param sessionId - the secret that lets a later connection take the name over
   *   (see {@link Participant.hasSession}); none for foreign clients.
   */
  constructor(
    readonly name: string,
    private readonly sink: MessageSink,
    private readonly sessionId?: string,
  ) {}

  /** Delivers a message, unless the participant left. */
  send(message: ServerMessage): void {
    if (!this.left) this.sink.send(message);
  }

  /**
   * True when `sessionId` is given and equal to the one this participant joined with
   * (compared in constant time).
   */
  hasSession(sessionId: string | undefined): boolean {
    return (
      sessionId !== undefined &&
      this.sessionId !== undefined &&
      sameSessionId(this.sessionId, sessionId)
    );
  }

  /**
   * Marks this participant left without the leave's side effects, and tells its old
   * connection it was replaced: a newer participant object holds the name now.
   */
  retire(): void {
    this.left = true;
    this.queued.clear();
    this.sink.replaced();
  }

  /** Tells its connection that the room's media was lost (see {@link MessageSink.restart}). */
  restart(): void {
    this.sink.restart?.();
  }

  /** This participant's `participantMediaState` message, for the others. */
  mediaStateMessage(): ParticipantMediaStateMessage {
    return { id: 'participantMediaState', name: this.name, ...this.mediaState };
  }

  /** The slot a candidate or answer for `name` belongs to: own name = publisher. */
  slotFor(name: string): EndpointSlot<PublisherEndpoint | SubscriberEndpoint> | undefined {
    return name === this.name ? this.publisher : this.subscriptions.get(name);
  }

  /**
   * Keeps a candidate until the endpoint for `name` is negotiated. Beyond
   * {@link MAX_QUEUED_CANDIDATES} per name the oldest is dropped.
   */
  queueCandidate(name: string, candidate: IceCandidateInit): void {
    let list = this.queued.get(name);
    if (!list) this.queued.set(name, (list = []));
    list.push(candidate);
    if (list.length > MAX_QUEUED_CANDIDATES) list.shift();
  }

  /** Removes and returns the candidates queued for `name`. */
  takeCandidates(name: string): IceCandidateInit[] {
    const list = this.queued.get(name) ?? [];
    this.queued.delete(name);
    return list;
  }

  /** Every endpoint slot the participant holds. */
  slots(): EndpointSlot<PublisherEndpoint | SubscriberEndpoint>[] {
    return [...(this.publisher ? [this.publisher] : []), ...this.subscriptions.values()];
  }
}
