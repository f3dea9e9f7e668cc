/**
 * Camera off that stops the camera, so its light goes off: black frames go on the same
 * sender while it is off (`stopCameraWhenOff()`).
 *
 * @packageDocumentation
 */
import type { LocalMedia } from '../core/local-media.js';
import type { RoomClient } from '../core/room-client.js';
import { blackFrames } from './black-frames.js';
import { replace, run, stopped, stoppedCamera, sync } from './local-tracks.js';

/**
 * The camera was turned off or on (see {@link stopCameraWhenOff}): stops it and sends black
 * frames, or opens it again (the device it had or was switched to while off) and sends it.
 * Runs in the media queue and acts on the state then, so quick toggles settle on the last.
 */
function cameraOff(media: LocalMedia, off: boolean): Promise<void> {
  return run(media, async () => {
    const camera = media.tracks.video;
    if (media.state.videoMuted !== off || !camera || stopped(media) === off) return;
    if (off) {
      const { deviceId = '', width = 320, height = 240 } = camera.getSettings();
      stoppedCamera.set(media, deviceId);
      camera.onended = null;
      media.tracks.video = blackFrames(width, height);
      await sync(media, 'video');
      camera.stop();
      return;
    }
    // The camera it had, else the one the constraints name (a camera never opened: joined off).
    const base = media.settings.media && media.settings.media.video;
    const id = stoppedCamera.get(media) || (typeof base === 'object' ? base.deviceId : undefined);
    try {
      await replace(media, 'video', id); // Stops the blank.
    } catch (error) {
      media.setMuted('video', true).catch(() => {}); // It stays off.
      throw error;
    }
    stoppedCamera.delete(media);
  });
}

/**
 * From now on, turning the camera off (`setCameraEnabled(false)`) stops it, so its light goes
 * off, and sends black frames in its place (a few a second, so that no subscriber's stall
 * watchdog fires); turning it on opens it again, the same device (or the one chosen with
 * `switchDevice` meanwhile), and resolves once it is sent; a camera that will not open
 * rejects with `MediaAccessError` and stays off. `getActiveDevice` names the camera to open
 * while it is off. For this and every later join, until the returned function is called.
 * Throws `InvalidStateError('closed')`.
 */
export function stopCameraWhenOff(client: RoomClient): () => void {
  client.media(true);
  client.settings.cameraOff = cameraOff;
  return () => {
    if (client.settings.cameraOff === cameraOff) client.settings.cameraOff = undefined;
  };
}
