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
  /**
   * When the signaling socket drops after joining: how long to wait before each attempt
   * to re-join, or `false` never to reconnect. Default: {@link DefaultReconnectPolicy}.
   */
  reconnectPolicy?: ReconnectPolicy | false;
  /**
   * After a reconnection, how long a participant the room no longer lists keeps its
   * `Participant` (and its tile) while waiting for them to re-join, in ms; after a server
   * restart the others come back one by one as `newParticipantArrived`. Those who do not
   * come back in time get `participantLeft`. Default 10000.
   */
  rejoinGraceMs?: number;
  /**
   * How long a subscription's video may go without decoding a new frame (inbound-rtp
   * `framesDecoded`, checked twice a second, only after its first frame) before its
   * peer connection is rebuilt, in ms. Default 2500.
   */
  stallTimeoutMs?: number;
}

/** What a {@link ReconnectPolicy} decides from. */
export interface ReconnectContext {
  /** Attempts made so far in this outage (0 before the first). */
  attempt: number;
  /** Time since the socket dropped, in ms. */
  elapsedMs: number;
  /** Why the socket dropped, or why the last attempt failed. */
  reason: RoomError;
}

/**
 * A reconnection policy (the shape of LiveKit's `ReconnectPolicy`): the delay before the
 * next attempt in ms, or `null` to give up (the client goes `disconnected`).
 */
export interface ReconnectPolicy {
  /**
   * Called once when the socket drops (`attempt` 0) and after each failed attempt. A
   * policy that throws gives up; a negative or non-finite delay counts as 0.
   */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/**
 * Why the client rebuilt a peer connection on its own: its `connectionState` became
 * `failed` (webrtc-pc section 4.3.3), it was `closed` by something other than the SDK, or
 * its video `stalled` (no frame decoded for `stallTimeoutMs`).
 */
export type PeerRestartReason = 'failed' | 'closed' | 'stalled';

/**
 * The signaling connection's state.
 * `disconnected` (initial, and after `leave()` or a lost socket) → `connecting` (in `join()`)
 * → `connected` (the room answered) → `reconnecting` (the socket dropped; re-joining on the
 * reconnect policy) → `connected` again, or `disconnected` when the policy gives up;
 * `closed` after `close()`, final.
 */
export type ConnectionState =
  'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

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
  /**
   * The signaling socket dropped after joining (`reason`, a `SignalingError('socket')`,
   * whose `cause` is the `CloseEvent`); emitted once per outage, with the state
   * `reconnecting`. Every peer connection is closed; the camera and every `Participant`
   * are kept while the client re-joins on its reconnect policy.
   */
  reconnecting: (reason: RoomError) => void;
  /**
   * The room answered a re-join: state `connected` again; the client republishes and
   * resubscribes to everyone listed (`remoteStreamAdded` follows with new streams).
   */
  reconnected: () => void;
  /**
   * The client rebuilt one participant's peer connection on its own (a new offer, the
   * others untouched): a subscription is re-subscribed, the local publisher republished.
   */
  peerRestarted: (participant: Participant, reason: PeerRestartReason) => void;
  /**
   * Something went wrong that did not reject a call: media access, negotiation, a server
   * error reply, a lost socket (with `reconnectPolicy: false`, or `replaced`), or a
   * reconnection that gave up (`SignalingError('reconnect-failed')`).
   */
  error: (error: RoomError) => void;
}
