/**
 * Public types of {@link RoomClient}: options, states, participants and events.
 *
 * @packageDocumentation
 */
import type { RoomError } from './errors.js';
import type { MonitorFactory } from './monitor.js';

/** Options for `new RoomClient(options)`. */
export interface RoomClientOptions {
  /** The signaling WebSocket URL, e.g. `wss://example.com/groupcall`. */
  url: string;
  /** STUN/TURN servers for every peer connection (webrtc-pc `RTCConfiguration.iceServers`). Default: none (host candidates only). */
  iceServers?: RTCIceServer[];
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
   * Opt-in monitors that read the client's one stats loop (every 250 ms while connected):
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

/** A kind of published media: the microphone or the camera (or screen). */
export type MediaKind = 'audio' | 'video';

/** A kind of input device, as `MediaDeviceInfo.kind` (Media Capture and Streams, #enumerating-devices). */
export type InputKind = 'audioinput' | 'videoinput';

/**
 * A participant's mute state. For the local participant it is what `setMicrophoneEnabled()`
 * and `setCameraEnabled()` set; for a remote one what the room last said (the
 * `participantMediaState` message), `false` until it says anything.
 */
export interface MediaMuteState {
  /** Their microphone is muted: silence is sent. */
  audioMuted: boolean;
  /** Their camera is off: black frames are sent (their screen, when they share it). */
  videoMuted: boolean;
}

/** The local participant's media state, as `localMediaStateChanged` reports it. */
export interface LocalMediaState extends MediaMuteState {
  /** A screen (or window, or tab) is sent in place of the camera. */
  screenSharing: boolean;
}

/**
 * A camera capture preset: the getUserMedia `width` and `height` (px, ideal) and `frameRate`
 * (fps), and the video bitrate cap that suits them (kbps). The values of LiveKit's
 * `VideoPresets`.
 */
export interface VideoPreset {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly maxBitrateKbps: number;
}

/**
 * How well a participant's media flows, from the stats loop's last 2 s (see
 * `connectionQuality()` for the thresholds): `unknown` until measured, `lost` when media
 * that flowed stopped or the peer connection is `disconnected` or `failed`.
 */
export type ConnectionQuality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';

/**
 * One peer connection's media over the last ~2 s (the stats loop's oldest sample to now),
 * from `RTCPeerConnection.getStats()` (W3C webrtc-stats). `null` where not measured yet (a
 * peer connection younger than one stats tick) or not applicable.
 */
export interface MediaStats {
  /** RTP payload bitrate, audio and video together, in kbps: received (a subscription) or sent (the publisher). */
  bitrateKbps: number | null;
  /** Packets lost over packets expected, in % (0..100): inbound-rtp `packetsLost`, or the server's reports (remote-inbound-rtp) for the publisher. */
  packetLossPercent: number | null;
  /** ICE round-trip time, in ms (candidate-pair `currentRoundTripTime`). */
  rttMs: number | null;
  /** Interarrival jitter, the larger of audio and video, in ms (inbound-rtp or remote-inbound-rtp `jitter`). */
  jitterMs: number | null;
  /** Video frames decoded (a subscription) or sent (the publisher) per second, in fps. */
  framesPerSecond: number | null;
  /**
   * Audio level, 0..1 linear (1 = full scale), the RMS over the same ~2 s:
   * `sqrt(ΔtotalAudioEnergy / ΔtotalSamplesDuration)` (webrtc-stats,
   * #dom-rtcinboundrtpstreamstats-totalaudioenergy; the microphone's media-source for the
   * publisher). 0 for a remote participant whose audio is not played (Chromium decodes
   * received audio only for a sink).
   */
  audioLevel: number;
}

/** {@link MediaStats} of one participant's peer connection. */
export interface ParticipantStats extends MediaStats {
  name: string;
  connectionQuality: ConnectionQuality;
}

/** What `getStats(client)` returns: plain data, safe to `JSON.stringify`. */
export interface RoomStats {
  /** When it was taken, in ms since the epoch. */
  timestamp: number;
  /** The local participant's send-only peer connection; null when not publishing. */
  publisher: ParticipantStats | null;
  /** Each remote participant's receive-only peer connection, by name (those with one). */
  participants: Record<string, ParticipantStats>;
}

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
  /** Their microphone is muted (see {@link MediaMuteState}). Default false. */
  readonly audioMuted: boolean;
  /** Their camera is off (see {@link MediaMuteState}). Default false. */
  readonly videoMuted: boolean;
  /** Their audio level, 0..1 linear RMS over the last 500 ms (see `MediaStats.audioLevel`); 0 when muted. Needs `activeSpeaker()`. */
  readonly audioLevel: number;
  /** They are speaking (with hysteresis; see `activeSpeaker()`); false when muted. Needs `activeSpeaker()`. */
  readonly speaking: boolean;
  /** How well their media flows. Needs `connectionQuality()`; `unknown` otherwise. */
  readonly connectionQuality: ConnectionQuality;
}

/** Events of {@link RoomClient}, subscribed with `client.on(name, listener)` (nanoevents). */
export interface RoomClientEvents extends MediaControlEvents {
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

/** The events of the media controls, part of {@link RoomClientEvents}. */
export interface MediaControlEvents {
  /**
   * The local mute or screen-share state changed (`setMicrophoneEnabled`,
   * `setCameraEnabled`, `startScreenShare`, `stopScreenShare`, or the browser ending the share).
   */
  localMediaStateChanged: (state: LocalMediaState) => void;
  /** A remote participant's mute state changed, as the room told (`participant.audioMuted`, `videoMuted` are current). */
  remoteMediaStateChanged: (participant: Participant, state: MediaMuteState) => void;
  /**
   * The track sent for `kind` changed without renegotiation (`RTCRtpSender.replaceTrack`,
   * webrtc-pc section 5.2): a device switch, a device loss (`track` null when no device could
   * take its place), a screen share started or stopped. Not for mute, which keeps the track.
   * `localParticipant.stream` is the same `MediaStream`, updated in place (a `<video>`
   * showing it keeps playing); `previous` is stopped, but for the camera while a screen is
   * shared (it comes back after).
   */
  localTrackReplaced: (
    kind: MediaKind,
    track: MediaStreamTrack | null,
    previous: MediaStreamTrack | null,
  ) => void;
  /** The device in use for `kind` changed: `switchDevice()`, or a `followDevices()` fallback after `deviceLost`. */
  activeDeviceChanged: (kind: InputKind, deviceId: string) => void;
  /**
   * The device in use for `kind` disappeared (`devicechange` without it, or its track ended
   * on its own); only with `followDevices(client)`. The client then falls back to the default device (`activeDeviceChanged`), or,
   * when none can open, sends nothing for `kind` and emits `error` (`MediaAccessError`).
   */
  deviceLost: (kind: InputKind, deviceId: string) => void;
  /** A screen share started (`true`) or stopped (`false`: `stopScreenShare()`, or the user stopped it in the browser). */
  screenShareChanged: (active: boolean) => void;
  /** `participant.speaking` changed (needs `activeSpeaker()`). */
  speakingChanged: (participant: Participant, speaking: boolean) => void;
  /**
   * The participant to show as the speaker changed: the loudest speaking one, kept while they
   * speak even if someone else is louder; null when nobody speaks (needs `activeSpeaker()`).
   */
  activeSpeakerChanged: (participant: Participant | null) => void;
  /** `participant.connectionQuality` changed (needs `connectionQuality()`). */
  connectionQualityChanged: (participant: Participant, quality: ConnectionQuality) => void;
  /**
   * An element passed to `attachMediaElement()` may not play (`play()` rejected with
   * `NotAllowedError`: the autoplay policy wants a user gesture); call `startPlayback()`
   * from one. Emitted once until playback starts.
   */
  playbackBlocked: () => void;
  /** Every attached element plays again after `playbackBlocked` (`startPlayback()` worked). */
  playbackStarted: () => void;
}
