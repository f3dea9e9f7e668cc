/**
 * kurento-room's SDK core alone, without the web component or Lit: `RoomClient`,
 * its types and errors, and the wire protocol. Import `kurento-room/client` when
 * building your own UI.
 *
 * @packageDocumentation
 */
export { RoomClient } from './room-client.js';
export { VideoPresets } from './video-presets.js';
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
} from './media-controls.js';
export { activeSpeaker } from './active-speaker.js';
export type { ActiveSpeakerOptions } from './active-speaker.js';
export { connectionQuality, rateMedia, QUALITY_THRESHOLDS } from './quality.js';
export type { MonitorFactory } from './monitor.js';
export { DefaultReconnectPolicy, DEFAULT_RECONNECT_DELAYS_MS } from './reconnect-policy.js';
export type { DefaultReconnectPolicyOptions } from './reconnect-policy.js';
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
} from './types.js';
export {
  RoomError,
  MediaAccessError,
  SignalingError,
  NegotiationError,
  InvalidStateError,
} from './errors.js';
export type { MediaAccessDevice, RoomErrorOptions } from './errors.js';
export * from './protocol.js';
export { setLogLevel } from './log.js';
export type { LogLevel } from './log.js';
