/**
 * Public data types of `RoomClient`: the states, the participant view, mute state,
 * presets, connection quality and the stats figures. They import nothing, so every SDK
 * module may use them without a cycle.
 *
 * @packageDocumentation
 */

/**
 * Why the client rebuilt a peer connection on its own: its `connectionState` became
 * `failed` (webrtc-pc section 4.3.3), it was `closed` by something other than the SDK, or
 * its video `stalled` (no frame decoded for `stallTimeoutMs`), or it was never connected
 * within `negotiationTimeoutMs` (`timeout`: no answer, or no working ICE candidate pair).
 */
export type PeerRestartReason = 'failed' | 'closed' | 'stalled' | 'timeout';

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
