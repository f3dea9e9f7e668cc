/**
 * Device choice: list the microphones and cameras, say which is in use, switch to another,
 * and follow a device that goes away (Media Capture and Streams #enumerating-devices).
 *
 * @packageDocumentation
 */
import { badArguments, type RoomError } from '../core/errors.js';
import type { LocalMedia } from '../core/local-media.js';
import { mediaDevices } from '../core/media.js';
import type { RoomClient } from '../core/room-client.js';
import type { ConnectionState, InputKind, MediaKind } from '../core/types.js';
import { isBlank } from './black-frames.js';
import {
  checkKind,
  device,
  log,
  need,
  replace,
  run,
  stopped,
  stoppedCamera,
  sync,
} from './local-tracks.js';

/**
 * The input devices (`enumerateDevices()`, Media Capture and Streams #enumerating-devices):
 * microphones and cameras, or only `kind`. Labels are empty until the page was allowed the
 * camera or microphone (after `join()` opened them). Works joined or not. Rejects with
 * `MediaAccessError('unavailable')` without `navigator.mediaDevices` (an insecure origin),
 * `InvalidStateError` (`closed`, `arguments`).
 */
export async function listDevices(
  client: RoomClient,
  kind?: InputKind,
): Promise<MediaDeviceInfo[]> {
  client.media(true);
  if (kind !== undefined) checkKind(kind);
  return (await mediaDevices().enumerateDevices()).filter((d) =>
    kind ? d.kind === kind : d.kind !== 'audiooutput',
  );
}

/** The `deviceId` of the microphone or camera in use; null when none is open or not joined. Throws `InvalidStateError` (`closed`, `arguments`). */
export function getActiveDevice(client: RoomClient, kind: InputKind): string | null {
  const media = client.media(true);
  return (media && device(media, checkKind(kind))) ?? null;
}

/**
 * Sends the device `deviceId` (from {@link listDevices}) for `kind` instead of the one in
 * use: getUserMedia with `deviceId: { exact }` and the same constraints, then
 * `RTCRtpSender.replaceTrack` (no new offer); the old track is stopped, the new one muted as
 * the state says, `localParticipant.stream` updated in place. Emits `localTrackReplaced`
 * (the camera's only when no screen is shared) and `activeDeviceChanged`. The same
 * `deviceId` opens a fresh track all the same. Rejects with `MediaAccessError` (`no-device`
 * for an unknown id; the old track stays), `InvalidStateError` (`closed`, `not-joined`,
 * `no-media` when `kind` is not published, `arguments`).
 */
export async function switchDevice(
  client: RoomClient,
  kind: InputKind,
  deviceId: string,
): Promise<void> {
  const media = client.media()!;
  if (!deviceId || typeof deviceId !== 'string') throw badArguments('deviceId');
  const k = checkKind(kind);
  await run(media, async () => {
    need(media, k);
    // A stopped camera is only chosen: it opens when the camera is turned on.
    if (k === 'video' && stopped(media)) {
      stoppedCamera.set(media, deviceId);
      return media.emit('activeDeviceChanged', 'videoinput', deviceId);
    }
    await replace(media, k, { exact: deviceId });
  });
}

/**
 * `track`'s device went away: `deviceLost`, then the default device in its place, or, when
 * none opens, nothing sent for `kind` and an `error`.
 */
function lose(media: LocalMedia, kind: MediaKind, track: MediaStreamTrack): Promise<void> {
  const id = track.getSettings().deviceId ?? '';
  return run(media, async () => {
    if (media.tracks[kind] !== track) return; // Replaced meanwhile.
    media.emit('deviceLost', `${kind}input`, id);
    try {
      await replace(media, kind);
    } catch (error) {
      track.onended = null;
      track.stop();
      media.tracks[kind] = null;
      await sync(media, kind);
      media.emit('error', error as RoomError);
    }
  });
}

/**
 * Follows the devices of `client`: when the microphone or camera in use goes away (its track
 * ends on its own, or `devicechange`, Media Capture and Streams
 * #event-mediadevices-devicechange, no longer lists it), emits `deviceLost`, then sends the
 * default device in its place (`localTrackReplaced`, `activeDeviceChanged`), or, when none
 * opens, nothing for that kind and an `error` (`MediaAccessError`). Without it a lost
 * device's track just ends. The `devicechange` listener is there while joined (until
 * `leave()`), for every join until the returned function is called or the client is closed. Throws
 * `MediaAccessError('unavailable')` without `navigator.mediaDevices`,
 * `InvalidStateError('closed')`.
 */
export function followDevices(client: RoomClient): () => void {
  client.media(true);
  const devices = mediaDevices();
  const check = async () => {
    const media = client.media(true);
    if (!media) return;
    const listed = await devices.enumerateDevices();
    for (const kind of ['audio', 'video'] as const) {
      const track = media.tracks[kind];
      const id = device(media, kind);
      const gone = !listed.some((d) => d.kind === `${kind}input` && d.deviceId === id);
      // A stopped camera (black frames) is not in use: nothing to fall back from.
      if (track && gone && !isBlank(track)) {
        void lose(media, kind, track);
      }
    }
  };
  const listener = () => {
    check().catch((error) => log.warn('enumerateDevices failed:', error));
  };
  let listening = false;
  const listen = (state: ConnectionState) => {
    const joined = state !== 'disconnected' && state !== 'closed';
    if (joined === listening) return;
    listening = joined;
    if (joined) devices.addEventListener('devicechange', listener);
    else devices.removeEventListener('devicechange', listener);
  };
  const off = client.on('connectionStateChanged', (state) => {
    listen(state);
    if (state === 'closed') stop();
  });
  const stop = () => {
    listen('closed');
    off();
    if (client.settings.lost === lose) client.settings.lost = undefined;
  };
  client.settings.lost = lose;
  listen(client.state);
  return stop;
}
