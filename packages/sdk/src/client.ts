/**
 * kurento-room's SDK core alone, without the web component or Lit: `RoomClient`,
 * its types and errors, and the wire protocol. Import `kurento-room/client` when
 * building your own UI.
 *
 * @packageDocumentation
 */
export { RoomClient } from './core/room-client.js';
export { VideoPresets } from './core/video-presets.js';
export {
  listDevices,
  getActiveDevice,
  switchDevice,
  followDevices,
  stopCameraWhenOff,
  startScreenShare,
  stopScreenShare,
  setMaxBitrate,
  setVideoPreset,
  getStats,
} from './controls/media-controls.js';
export { activeSpeaker } from './controls/active-speaker.js';
export type { ActiveSpeakerOptions } from './controls/active-speaker.js';
export { connectionQuality, rateMedia, QUALITY_THRESHOLDS } from './controls/quality.js';
export type { MonitorFactory } from './core/monitor.js';
export { DefaultReconnectPolicy, DEFAULT_RECONNECT_DELAYS_MS } from './core/reconnect-policy.js';
export type { DefaultReconnectPolicyOptions } from './core/reconnect-policy.js';
export type {
  RoomClientOptions,
  RoomClientEvents,
  ConnectionState,
  Participant,
  PeerState,
  PeerRestartReason,
  ReconnectContext,
  ReconnectPolicy,
  MediaControlEvents,
  MediaKind,
  InputKind,
  MediaMuteState,
  LocalMediaState,
  VideoPreset,
  ConnectionQuality,
  MediaStats,
  ParticipantStats,
  RoomStats,
} from './core/types.js';
export {
  RoomError,
  MediaAccessError,
  SignalingError,
  NegotiationError,
  InvalidStateError,
} from './core/errors.js';
export type { MediaAccessDevice, RoomErrorOptions } from './core/errors.js';
export * from './protocol/messages.js';
export { setLogLevel } from './core/log.js';
export type { LogLevel } from './core/log.js';
