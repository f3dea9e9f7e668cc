/**
 * The roster (livekit's Room participants map): the remote participants by name, their
 * read-only views and subscriptions (through the peer manager), the grace timers of those
 * a re-join did not list, and their mute state as the room last told it.
 *
 * After a re-join, anyone known but not listed in `existingParticipants` gets
 * `rejoinGraceMs` to come back before `participantLeft`. A `participantLeft` for a stranger,
 * or a candidate or mute state for someone gone, is ignored; a `newParticipantArrived` for
 * someone already here re-subscribes to them (they re-joined) and resets their mute state
 * to the default, as the room does. The others' mute states arrive as
 * `participantMediaState` (ours; Kurento's servers never send it) and are kept through
 * reconnections and peer restarts until the room says otherwise or they leave.
 *
 * @packageDocumentation
 */
import type { MediaMuteState, Participant } from './media-types.js';
import type { Emit } from './monitor.js';
import { createMember, type Member } from './participant.js';
import type { PeerManager } from './peer-manager.js';

/** The remote participants of one client (the local one is not in it). */
export class Roster {
  /** The views by name, as `client.participants` (the same map for the client's life). */
  readonly views = new Map<string, Participant>();
  readonly #members = new Map<string, Member>();
  readonly #emit: Emit;
  readonly #graceMs: number;
  readonly #peers: PeerManager;

  /**
   * @param graceMs How long a participant not listed on a re-join is kept, in ms.
   * @param peers What subscribes to each participant and closes their subscription.
   */
  constructor(emit: Emit, graceMs: number, peers: PeerManager) {
    this.#emit = emit;
    this.#graceMs = graceMs;
    this.#peers = peers;
  }

  /** The record of remote participant `name`, if known. */
  get(name: string): Member | undefined {
    return this.#members.get(name);
  }

  /** Every remote participant's record, in arrival order. */
  list(): Member[] {
    return [...this.#members.values()];
  }

  /**
   * `name` is in the room: subscribes to them on a receive-only peer, then emits
   * `participantJoined`. Someone already known (they re-joined) gets a new subscription and
   * no event, and, when `arrived` (`newParticipantArrived`), the default mute state.
   */
  subscribe(name: string, arrived?: boolean): void {
    const peers = this.#peers;
    let member = this.#members.get(name);
    if (member) {
      if (arrived) this.setMuteState({ name, audioMuted: false, videoMuted: false });
      this.#endGrace(member);
      peers.unplug(member);
      return peers.connect(member, null);
    }
    member = createMember(name, false);
    this.#members.set(name, member);
    this.views.set(name, member.view);
    peers.connect(member, null);
    this.#emit('participantJoined', member.view);
  }

  /**
   * `name` left (or their grace ran out): ends their grace, closes their subscription, then
   * emits `participantLeft`. Returns false when they were not known.
   */
  remove(name: string): boolean {
    const member = this.#members.get(name);
    if (!member) return false;
    this.#endGrace(member);
    this.#members.delete(name);
    this.views.delete(name);
    this.#peers.drop(member);
    this.#emit('participantLeft', member.view);
    return true;
  }

  /** After a re-join: everyone known but not in `listed` gets `graceMs` to come back. */
  expectBack(listed: readonly string[]): void {
    for (const member of this.#members.values()) {
      if (!listed.includes(member.name)) {
        member.grace ??= setTimeout(() => this.remove(member.name), this.#graceMs);
      }
    }
  }

  /** `member` is back (or gone): their grace timer, if any, is cancelled. */
  #endGrace(member: Member): void {
    clearTimeout(member.grace);
    member.grace = undefined;
  }

  /**
   * Sets participant `name`'s mute state (`participantMediaState`); emits
   * `remoteMediaStateChanged` when it changed. Returns false when `name` is not known.
   */
  setMuteState({ name, audioMuted, videoMuted }: MediaMuteState & { name: string }): boolean {
    const member = this.#members.get(name);
    if (member && (member.audioMuted !== audioMuted || member.videoMuted !== videoMuted)) {
      member.audioMuted = audioMuted;
      member.videoMuted = videoMuted;
      this.#emit('remoteMediaStateChanged', member.view, { audioMuted, videoMuted });
    }
    return !!member;
  }

  /**
   * Forgets everyone and every grace timer (on leave), then closes their subscriptions and
   * removes their streams (`remoteStreamRemoved`); emits no `participantLeft`.
   */
  clear(): void {
    const members = this.list();
    for (const member of members) this.#endGrace(member);
    this.#members.clear();
    this.views.clear();
    for (const member of members) this.#peers.drop(member);
  }
}
