/**
 * Public types of {@link RoomClient}: options, states, participants and events.
 *
 * @packageDocumentation
 */
import type { RoomError } from './errors.js';

/** Options for `new RoomClient(options)`. */
export interface RoomClientOptions {
  /** The signaling WebSocket URL, e.g. `wss://example.com/groupcall`. */
  url: string;
  /** STUN/TURN servers for every peer connection (webrtc-pc `RTCConfiguration.iceServers`). Default: none (host candidates only). */
  iceServers?: RTCIceServer[];
  /**
   * What to publish: getUserMedia constraints, or `false` to join receive-only.
   * Default: `{ audio: true, video: true }`.
   */
  media?: MediaStreamConstraints | false;
  /** How long `join()` waits for the socket to open and the room to answer, in ms. Default 10000. */
  joinTimeoutMs?: number;
}

/**
 * The signaling connection's state.
 * `disconnected` (initial, and after `leave()` or a lost socket) → `connecting` (in `join()`)
 * → `connected` (the room answered) → `disconnected` | `closed` (after `close()`, final).
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'closed';

/** A peer connection's state as webrtc-pc `RTCPeerConnectionState`, or `none` before one exists. */
export type PeerState = RTCPeerConnectionState | 'none';

/** A participant in the room, as a read-only view; the SDK updates it in place. */
export interface Participant {
  /** The participant's name, unique in the room. */
  readonly name: string;
  /** True for the local participant (the publisher). */
  readonly isLocal: boolean;
  /** Their media: the local camera stream for the local participant, the received stream otherwise; `null` until available. */
  readonly stream: MediaStream | null;
  /** The state of the peer connection that carries their media (send-only for the local participant, receive-only otherwise). */
  readonly peerState: PeerState;
}

/** Events of {@link RoomClient}, subscribed with `client.on(name, listener)` (nanoevents). */
export interface RoomClientEvents {
  /** The signaling connection changed state. */
  connectionStateChanged: (state: ConnectionState, previous: ConnectionState) => void;
  /** A remote participant is in the room (on join for each existing one, then for each arrival). */
  participantJoined: (participant: Participant) => void;
  /** A remote participant left the room; their peer connection is already closed. */
  participantLeft: (participant: Participant) => void;
  /** A remote participant's media stream is available (first remote track arrived). */
  remoteStreamAdded: (participant: Participant, stream: MediaStream) => void;
  /** A remote participant's media stream is gone (they left, or we left). */
  remoteStreamRemoved: (participant: Participant, stream: MediaStream) => void;
  /** The local camera/microphone stream is open and being published. */
  localStreamAdded: (stream: MediaStream) => void;
  /** The local stream was stopped (leave or close). */
  localStreamRemoved: (stream: MediaStream) => void;
  /** A participant's peer connection changed state. */
  peerStateChanged: (participant: Participant, state: PeerState) => void;
  /** Something went wrong that did not reject a call: media access, negotiation, a server error reply, a lost socket. */
  error: (error: RoomError) => void;
}
