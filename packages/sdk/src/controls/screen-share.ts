/**
 * The screen share: a screen, window or tab (getDisplayMedia, W3C Screen Capture) sent in
 * place of the camera on the same sender, without a new offer.
 *
 * @packageDocumentation
 */
import { MediaAccessError } from '../core/errors.js';
import type { LocalMedia } from '../core/local-media.js';
import { mediaDevices } from '../core/media.js';
import type { RoomClient } from '../core/room-client.js';
import { need, run, sync } from './local-tracks.js';

/**
 * Sends a screen, window or tab the user picks (getDisplayMedia, W3C Screen Capture) in
 * place of the camera video, by `replaceTrack` (no new offer); the camera stays open to
 * come back. When the user stops it from the browser's own UI (the track's `ended`), the
 * camera is sent again. Emits `localTrackReplaced`, `screenShareChanged(true)` and
 * `localMediaStateChanged`; resolves at once when already sharing. `client.screenSharing`
 * tells whether a screen is sent. Rejects with `MediaAccessError` (`denied`: refused or the
 * picker cancelled), `InvalidStateError` (`closed`, `not-joined`, `no-media` when no video
 * is published).
 */
export async function startScreenShare(client: RoomClient): Promise<void> {
  const media = client.media()!;
  await run(media, async () => {
    need(media, 'video');
    if (media.screen) return;
    let track: MediaStreamTrack;
    try {
      [track] = (await mediaDevices().getDisplayMedia({ video: true })).getVideoTracks();
    } catch (error) {
      throw MediaAccessError.from(error, 'screen');
    }
    if (media.stopped) return track.stop();
    track.contentHint = 'detail'; // Text stays sharp at low bitrates (mst-content-hint).
    track.onended = () => void stopShare(media);
    media.screen = track;
    await shared(media, true);
  });
}

/**
 * Stops the screen share and sends the camera again (muted if `videoMuted`); emits
 * `localTrackReplaced`, `screenShareChanged(false)` and `localMediaStateChanged`. Resolves at
 * once when not sharing. Rejects with `InvalidStateError` (`closed`, `not-joined`).
 */
export async function stopScreenShare(client: RoomClient): Promise<void> {
  await stopShare(client.media()!);
}

function stopShare(media: LocalMedia): Promise<void> {
  return run(media, async () => {
    const screen = media.screen;
    if (!screen) return;
    media.screen = null;
    await shared(media, false);
    screen.stop();
  });
}

/** Sends the screen or the camera as `media.screen` says, and tells the app. */
async function shared(media: LocalMedia, on: boolean): Promise<void> {
  await sync(media, 'video');
  media.emit('screenShareChanged', on);
  media.changed();
}
