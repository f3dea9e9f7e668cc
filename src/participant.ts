/**
 * A participant's internal record and its read-only public view.
 *
 * @packageDocumentation
 */
import type { Peer } from './peer.js';
import type { IceCandidateInit } from './protocol.js';
import type { Participant, PeerState } from './types.js';

/** The SDK's mutable record of a participant; apps only see {@link Member.view}. */
export interface Member {
  readonly name: string;
  /** The frozen view handed to apps; its getters read this record, so they are always current. */
  readonly view: Participant;
  /** Send-only for the local participant, receive-only for a remote one; null before it exists. */
  peer: Peer | null;
  stream: MediaStream | null;
  state: PeerState;
  /** Remote candidates that came before `peer` existed (the publisher, while the camera opens). */
  early: IceCandidateInit[];
}

/** Creates the record of participant `name`. */
export function createMember(name: string, isLocal: boolean): Member {
  const member: Member = {
    name,
    view: Object.freeze({
      name,
      isLocal,
      get stream() {
        return member.stream;
      },
      get peerState() {
        return member.state;
      },
    }),
    peer: null,
    stream: null,
    state: 'none',
    early: [],
  };
  return member;
}
