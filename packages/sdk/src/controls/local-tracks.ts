/**
 * What the media controls share: the queue their operations run on, the argument checks,
 * and the two ways a track reaches the publisher without a new offer (`sync`, `replace`:
 * `RTCRtpSender.replaceTrack`, webrtc-pc section 5.2).
 *
 * @packageDocumentation
 */
import { InvalidStateError, KIND_DEVICE, badArguments } from '../core/errors.js';
import type { LocalMedia } from '../core/local-media.js';
import { logger } from '../core/log.js';
import { openMedia } from '../core/media.js';
import type { InputKind, MediaKind } from '../core/types.js';
import { SerialQueue } from '../protocol/serial-queue.js';
import { isBlank } from './black-frames.js';

/** @internal */
export const log = logger('media');

/** @internal Throws `InvalidStateError('no-media')` unless `media` publishes `kind`; returns it. */
export function need(media: LocalMedia, kind: MediaKind): MediaKind {
  if (!media.kinds.includes(kind)) {
    throw new InvalidStateError('no-media', `No ${kind} is published.`);
  }
  return kind;
}

/** @internal The media kind of an input kind; throws `InvalidStateError('arguments')` for another value. */
export function checkKind(kind: InputKind): MediaKind {
  if (kind !== 'audioinput' && kind !== 'videoinput') throw badArguments('kind');
  return kind === 'audioinput' ? 'audio' : 'video';
}

/** Each local media's queue (see {@link run}). */
const queues = new WeakMap<LocalMedia, SerialQueue>();

/**
 * @internal Runs `task` after the operations queued before it on `media` (the ones that open
 * devices or replace tracks run one at a time); skipped after `media.stop()`.
 */
export function run(media: LocalMedia, task: () => Promise<void>): Promise<void> {
  let queue = queues.get(media);
  if (!queue) queues.set(media, (queue = new SerialQueue()));
  return queue.run(() => (media.stopped ? undefined : task()));
}

/** @internal The camera to open again when turned on, per local media, while it is stopped. */
export const stoppedCamera = new WeakMap<LocalMedia, string>();

/** @internal Whether `media`'s camera is stopped (black frames in its place). */
export function stopped(media: LocalMedia): boolean {
  return isBlank(media.tracks.video);
}

/**
 * @internal The device id of the track in use for `kind` (`MediaTrackSettings.deviceId`), or
 * of the camera to open again while it is stopped (see `stopCameraWhenOff`); undefined if none.
 */
export function device(media: LocalMedia, kind: MediaKind): string | undefined {
  const track = media.tracks[kind];
  return isBlank(track) ? stoppedCamera.get(media) : track?.getSettings().deviceId;
}

/** @internal Puts what should be sent for `kind` in the local stream and on the sender; emits `localTrackReplaced`. */
export async function sync(media: LocalMedia, kind: MediaKind): Promise<void> {
  const track = media.sent(kind);
  const previous = media.stream.getTracks().find((t) => t.kind === kind) ?? null;
  if (previous === track) return;
  if (previous) media.stream.removeTrack(previous);
  if (track) media.stream.addTrack(track);
  await media
    .sender(kind)
    ?.replaceTrack(track)
    .catch((error) => log.warn(`replaceTrack(${kind}) failed:`, error));
  media.emit('localTrackReplaced', kind, track, previous);
}

/**
 * @internal Opens `kind` with the settings' constraints and `deviceId` (none: the default
 * device), makes it the device track, sends it, stops the old one; emits `activeDeviceChanged`.
 */
export async function replace(
  media: LocalMedia,
  kind: MediaKind,
  deviceId?: ConstrainDOMString,
): Promise<void> {
  const base = media.settings.media && media.settings.media[kind];
  const constraints = { ...(typeof base === 'object' && base), deviceId };
  const opened = await openMedia({ [kind]: constraints }, media.settings.open, KIND_DEVICE[kind]);
  const [track] = opened.getTracks();
  if (media.stopped) return track.stop();
  const old = media.tracks[kind];
  if (old) old.onended = null;
  media.adopt(kind, track);
  await sync(media, kind);
  old?.stop();
  media.emit('activeDeviceChanged', `${kind}input`, device(media, kind) ?? '');
}
