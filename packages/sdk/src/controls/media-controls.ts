/**
 * The optional media controls of a `RoomClient`: device choice (`devices.ts`), camera
 * off that stops the camera (`camera-off.ts`), the screen share (`screen-share.ts`), the
 * video bitrate cap and presets (`video-quality.ts`), and the stats snapshot
 * (`room-stats.ts`). Standalone functions taking the client rather than methods, so that an
 * app bundles only those it imports (a class's methods cannot be tree-shaken); mute
 * (`setMicrophoneEnabled`, `setCameraEnabled`) stays on the client. Each works on the
 * client's local media through its one internal hook, `RoomClient.media()`, and changes the
 * publisher in place, without a new offer; those that open devices or replace tracks run
 * one at a time (`local-tracks.ts`). One accessor, rather than plugins registered in the
 * options, keeps them usable on any client without setup, and keeps the client's own state
 * (connection, peers) out of their reach.
 *
 * ```ts
 * import { RoomClient, startScreenShare, switchDevice } from 'kurento-room/client';
 * await startScreenShare(client);
 * ```
 *
 * @packageDocumentation
 */
export { listDevices, getActiveDevice, switchDevice, followDevices } from './devices.js';
export { stopCameraWhenOff } from './camera-off.js';
export { startScreenShare, stopScreenShare } from './screen-share.js';
export { setMaxBitrate, setVideoPreset } from './video-quality.js';
export { getStats } from './room-stats.js';
