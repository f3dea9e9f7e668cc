/**
 * A participant's internal record and its read-only public view.
 *
 * @packageDocumentation
 */
import type { Peer } from './peer.js';
import type { IceCandidateInit } from '../protocol/messages.js';
import type { StatsSample } from './stats.js';
import type { ConnectionQuality, Participant, PeerState } from './media-types.js';

/** The SDK's mutable record of a participant; apps only see {@link Member.view}. */
export interface Member {
  readonly name: string;
  /** The frozen view handed to apps; its getters read this record, so they are always current. */
  readonly view: Participant;
  /** Send-only for the local participant, receive-only for a remote one; null before it exists. */
  peer: Peer | null;
  stream: MediaStream | null;
  peerState: PeerState;
  /** Remote candidates that came before `peer` existed (the publisher, while the camera opens). */
  early: IceCandidateInit[];
  audioMuted: boolean;
  videoMuted: boolean;
  /** Audio level, 0..1 (set by `activeSpeaker()`). */
  audioLevel: number;
  speaking: boolean;
  connectionQuality: ConnectionQuality;
  /** A remote participant's grace timer, while a re-join did not list them (see `Roster.expectBack`). */
  grace?: ReturnType<typeof setTimeout>;
  /** The stats loop's samples of `peer`, oldest first, one a tick over ~2 s; emptied when `peer` changes. */
  samples: StatsSample[];
}

/** The view's live members, each read from the record's field of the same name. */
const VIEW_FIELDS = [
  'stream',
  'peerState',
  'audioMuted',
  'videoMuted',
  'audioLevel',
  'speaking',
  'connectionQuality',
] as const satisfies readonly (Exclude<keyof Participant, 'name' | 'isLocal'> & keyof Member)[];

/** Creates the record of participant `name`. */
export function createMember(name: string, isLocal: boolean): Member {
  const view = { name, isLocal };
  for (const key of VIEW_FIELDS) {
    Object.defineProperty(view, key, { enumerable: true, get: () => member[key] });
  }
  const member: Member = {
    name,
    view: Object.freeze(view) as Participant,
    peer: null,
    stream: null,
    peerState: 'none',
    early: [],
    audioMuted: false,
    videoMuted: false,
    audioLevel: 0,
    speaking: false,
    connectionQuality: 'unknown',
    samples: [],
  };
  return member;
}
