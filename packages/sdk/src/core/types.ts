/**
 * Public types of `RoomClient`: its options and reconnection policy; with the states,
 * participants and events of `media-types.ts` and `events.ts`, re-exported here.
 *
 * @packageDocumentation
 */
import type { RoomError } from './errors.js';
import type { MonitorFactory } from './monitor.js';
import type { VideoPreset } from './media-types.js';

export type { MediaControlEvents, RoomClientEvents } from './events.js';
export type {
  ConnectionQuality,
  ConnectionState,
  InputKind,
  LocalMediaState,
  MediaKind,
  MediaMuteState,
  MediaStats,
  Participant,
  ParticipantStats,
  PeerRestartReason,
  PeerState,
  RoomStats,
  VideoPreset,
} from './media-types.js';

/** Options for `new RoomClient(options)`. */
export interface RoomClientOptions {
  /** The signaling WebSocket URL, e.g. `wss://example.com/groupcall`. */
  url: string;
  /** STUN/TURN servers for every peer connection (webrtc-pc `RTCConfiguration.iceServers`). Default: none (host candidates only). */
  iceServers?: RTCIceServer[];
  /**
   * Which ICE candidates every peer connection may use (webrtc-pc section 4.2.1,
   * `RTCConfiguration.iceTransportPolicy`): `relay` for TURN relay candidates only (the
   * media goes through a TURN server in `iceServers`, hiding the client's addresses), `all`
   * for any. Default `all`.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * What to publish: getUserMedia constraints, a {@link VideoPreset} (the microphone and
   * the camera at that size), or `false` to join receive-only. A preset may also stand as
   * the `video` constraints (`{ audio: true, video: VideoPresets.h360 }`); its
   * `maxBitrateKbps` then caps the video unless `maxBitrateKbps` is given.
   * Default: `{ audio: true, video: true }`.
   */
  media?: MediaStreamConstraints | VideoPreset | false;
  /**
   * Opens the camera and/or microphone whenever the client needs them (joining, a device
   * switch, the fallback after a device loss), given the constraints it would pass to
   * `navigator.mediaDevices.getUserMedia` (Media Capture and Streams section 10), which is the
   * default. Supply it to publish tracks you already hold (a pre-join preview's, as
   * `<kurento-room>` does) or processed ones. The client owns what it returns: it stops the
   * tracks at leave. A rejection is classified like getUserMedia's (`MediaAccessError`).
   */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /**
   * The cap on the published video's bitrate, in kbps (`RTCRtpEncodingParameters.maxBitrate`,
   * webrtc-pc section 5.2); see `setMaxBitrate(client, kbps)`. Default: the preset's in `media`,
   * else none (the browser's own congestion control decides).
   */
  maxBitrateKbps?: number;
  /**
   * Opt-in monitors that read the client's one stats loop (every second while connected):
   * `activeSpeaker()` and `connectionQuality()`. Without them `speaking`, `audioLevel` and
   * `connectionQuality` keep their defaults and their events never fire, and their code is
   * left out of a tree-shaken bundle. Default none.
   */
  monitors?: MonitorFactory[];
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
  /**
   * The negotiation deadline: how long a peer connection may take from its offer to
   * `connected` (the answer, ICE and DTLS), in ms. One that takes longer (no answer, or no
   * candidate pair that works, as behind a firewall that blocks UDP without TURN) is
   * rebuilt with a new offer on a backoff, and `error` carries a
   * `NegotiationError('timeout')` each time. Default 10000.
   */
  negotiationTimeoutMs?: number;
  /**
   * Makes every peer connection the client uses, from the `RTCConfiguration` it would pass
   * to `new RTCPeerConnection(config)` (webrtc-pc section 4.4.1), which is the default. It
   * must return a new, unused connection built from `config`; the client adds its
   * transceivers, sets its `onicecandidate`, `ontrack` and `onconnectionstatechange`, and
   * closes it. One call per peer connection: the publisher's, each subscription's, and
   * each rebuild's. Supply it to instrument or wrap the connections (a test seam, stats
   * probes), or to use another WebRTC implementation. A throw is emitted as `error`
   * (`NegotiationError('offer')`) and that participant's media is not connected.
   */
  peerConnectionFactory?: (config: RTCConfiguration) => RTCPeerConnection;
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
