/**
 * The events of `RoomClient` (`client.on(name, listener)`), and of its media controls.
 *
 * @packageDocumentation
 */
import type { RoomError } from './errors.js';
import type {
  ConnectionQuality,
  ConnectionState,
  InputKind,
  LocalMediaState,
  MediaKind,
  MediaMuteState,
  Participant,
  PeerRestartReason,
  PeerState,
} from './media-types.js';

/** Events of {@link RoomClient}, subscribed with `client.on(name, listener)`. */
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
