/**
 * Camera presets: a capture size and frame rate with the video bitrate that suits them.
 *
 * @packageDocumentation
 */
import type { VideoPreset } from './types.js';

/**
 * Presets for `RoomClientOptions.media` and `setVideoPreset(client, preset)`, 16:9, named by
 * height; the values of LiveKit's `VideoPresets` (livekit-client `track/options.ts`).
 * Sizes are ideal constraints: a camera that cannot give them gives the nearest it can.
 */
export const VideoPresets: Readonly<Record<'h180' | 'h360' | 'h540' | 'h720', VideoPreset>> = {
  /** 320x180 px, 20 fps, 160 kbps. */
  h180: { width: 320, height: 180, frameRate: 20, maxBitrateKbps: 160 },
  /** 640x360 px, 20 fps, 450 kbps. */
  h360: { width: 640, height: 360, frameRate: 20, maxBitrateKbps: 450 },
  /** 960x540 px, 25 fps, 800 kbps. */
  h540: { width: 960, height: 540, frameRate: 25, maxBitrateKbps: 800 },
  /** 1280x720 px, 30 fps, 1700 kbps. */
  h720: { width: 1280, height: 720, frameRate: 30, maxBitrateKbps: 1700 },
};
