/**
 * The published video's quality: its bitrate cap (`RTCRtpSender.setParameters`, webrtc-pc
 * section 5.2) and capture presets, both applied without a new offer.
 *
 * @packageDocumentation
 */
import { MediaAccessError, badArguments } from '../core/errors.js';
import type { LocalMedia } from '../core/local-media.js';
import type { RoomClient } from '../core/room-client.js';
import type { VideoPreset } from '../core/types.js';
import { log, stopped } from './local-tracks.js';

/**
 * Caps the published video at `kbps` (`RTCRtpEncodingParameters.maxBitrate` in bps, via
 * `RTCRtpSender.setParameters`, webrtc-pc section 5.2; no new offer), or removes the cap
 * (`null`). Applies now when publishing and to every later publish, in this room or the
 * next. Audio is not capped. Rejects with `InvalidStateError` (`closed`, `arguments`).
 */
export async function setMaxBitrate(client: RoomClient, kbps: number | null): Promise<void> {
  const media = client.media(true);
  if (kbps !== null && !(typeof kbps === 'number' && kbps > 0 && kbps < Infinity)) {
    throw badArguments('kbps');
  }
  client.settings.maxBitrate = kbps === null ? undefined : kbps * 1000;
  await applyBitrate(media);
}

/**
 * Switches the camera to `preset` (see `VideoPresets`): its size and frame rate
 * (`applyConstraints` on the open camera, and the constraints of every later camera), and
 * its bitrate cap (as {@link setMaxBitrate}). Rejects with `MediaAccessError` when the
 * camera refuses, `InvalidStateError` (`closed`, `arguments`).
 */
export async function setVideoPreset(client: RoomClient, preset: VideoPreset): Promise<void> {
  const media = client.media(true);
  const { width, height, frameRate, maxBitrateKbps } = preset ?? {};
  if (![width, height, frameRate, maxBitrateKbps].every((n) => n > 0)) {
    throw badArguments('preset');
  }
  const { settings } = client;
  const video = settings.media && settings.media.video;
  if (video) {
    const base = typeof video === 'object' ? video : {};
    settings.media = { ...settings.media, video: { ...base, width, height, frameRate } };
  }
  settings.maxBitrate = maxBitrateKbps * 1000;
  try {
    // A stopped camera (black frames) takes the new constraints when it opens again.
    if (media && !stopped(media)) {
      await media.tracks.video?.applyConstraints({ width, height, frameRate });
    }
  } catch (error) {
    throw MediaAccessError.from(error, 'camera');
  }
  await applyBitrate(media);
}

/** Applies the settings' bitrate cap to the video sender now (`setParameters`), when publishing. */
async function applyBitrate(media: LocalMedia | null): Promise<void> {
  const sender = media?.sender('video');
  if (!sender) return;
  const parameters = sender.getParameters();
  for (const encoding of parameters.encodings ?? []) {
    if (media!.settings.maxBitrate) encoding.maxBitrate = media!.settings.maxBitrate;
    else delete encoding.maxBitrate;
  }
  await sender.setParameters(parameters).catch((error) => {
    log.warn('setParameters failed; the cap applies from the next publish:', error);
  });
}
