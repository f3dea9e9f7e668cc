/**
 * The roster (livekit's Room participants map): the remote participants by name, their
 * read-only views, the grace timers of those a re-join did not list, and their mute state
 * as the room last told it.
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
import type { Participant } from './media-types.js';
import type { Emit } from './monitor.js';
import { createMember, type Member } from './participant.js';

/** The remote participants of one client (the local one is not in it). */
export class Roster {
  /** The views by name, as `client.participants` (the same map for the client's life). */
  readonly views = new Map<string, Participant>();
  readonly #members = new Map<string, Member>();
  readonly #emit: Emit;
  readonly #graceMs: number;
  readonly #expired: (name: string) => void;

  /**
   * @param graceMs How long a participant not listed on a re-join is kept, in ms.
   * @param expired Called with the name of one whose grace ran out (they did not come back).
   */
  constructor(emit: Emit, graceMs: number, expired: (name: string) => void) {
    this.#emit = emit;
    this.#graceMs = graceMs;
    this.#expired = expired;
  }

  /** The record of remote participant `name`, if known. */
  get(name: string): Member | undefined {
    return this.#members.get(name);
  }

  /** Every remote participant's record, in arrival order. */
  list(): Member[] {
    return [...this.#members.values()];
  }

  /** Adds participant `name` (not known yet) and returns their record. */
  add(name: string): Member {
    const member = createMember(name, false);
    this.#members.set(name, member);
    this.views.set(name, member.view);
    return member;
  }

  /** Removes participant `name` and ends their grace; returns their record, if they were known. */
  remove(name: string): Member | undefined {
    const member = this.#members.get(name);
    if (!member) return undefined;
    this.endGrace(member);
    this.#members.delete(name);
    this.views.delete(name);
    return member;
  }

  /** After a re-join: everyone known but not in `listed` gets `graceMs` to come back. */
  expectBack(listed: readonly string[]): void {
    for (const member of this.#members.values()) {
      if (!listed.includes(member.name)) {
        member.grace ??= setTimeout(() => this.#expired(member.name), this.#graceMs);
      }
    }
  }

  /** `member` is back (or gone): their grace timer, if any, is cancelled. */
  endGrace(member: Member): void {
    clearTimeout(member.grace);
    member.grace = undefined;
  }

  /** Sets a participant's mute state; emits `remoteMediaStateChanged` when it changed. */
  setMuteState(member: Member, audioMuted: boolean, videoMuted: boolean): void {
    if (member.audioMuted === audioMuted && member.videoMuted === videoMuted) return;
    member.audioMuted = audioMuted;
    member.videoMuted = videoMuted;
    this.#emit('remoteMediaStateChanged', member.view, { audioMuted, videoMuted });
  }

  /** Forgets everyone and every grace timer (on leave); returns the records that were here. */
  clear(): Member[] {
    const members = this.list();
    for (const member of members) this.endGrace(member);
    this.#members.clear();
    this.views.clear();
    return members;
  }
}
