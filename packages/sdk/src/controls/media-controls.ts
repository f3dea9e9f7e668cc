/**
 * The optional media controls of a {@link RoomClient}: device choice, the screen share, the
 * video bitrate cap and presets, and the stats snapshot. Standalone functions taking the
 * client rather than methods, so that an app bundles only those it imports (a class's
 * methods cannot be tree-shaken); mute (`setMicrophoneEnabled`, `setCameraEnabled`) stays
 * on the client. Each works on the client's local media through its one internal hook,
 * `RoomClient.media()`, and changes the publisher in place, without a new offer.
 *
 * ```ts
 * import { RoomClient, startScreenShare, switchDevice } from 'kurento-room/client';
 * await startScreenShare(client);
 * ```
 *
 * @packageDocumentation
 */
import {
  InvalidStateError,
  KIND_DEVICE,
  MediaAccessError,
  type RoomError,
} from '../core/errors.js';
import type { LocalMedia } from '../core/local-media.js';
import { logger } from '../core/log.js';
import { mediaDevices, openMedia } from '../core/media.js';
import { badArguments, type RoomClient } from '../core/room-client.js';
import { summarize, toSample, type StatsSample } from '../core/stats.js';
import type {
  ConnectionState,
  InputKind,
  MediaKind,
  ParticipantStats,
  RoomStats,
  VideoPreset,
} from '../core/types.js';

const log = logger('media');

/** Throws `InvalidStateError('no-media')` unless `media` publishes `kind`; returns it. */
function need(media: LocalMedia, kind: MediaKind): MediaKind {
  if (!media.kinds.includes(kind)) {
    throw new InvalidStateError('no-media', `No ${kind} is published.`);
  }
  return kind;
}

function checkKind(kind: InputKind): MediaKind {
  if (kind !== 'audioinput' && kind !== 'videoinput') throw badArguments('kind');
  return kind === 'audioinput' ? 'audio' : 'video';
}

/** Each local media's last queued operation (see {@link run}). */
const tails = new WeakMap<LocalMedia, Promise<unknown>>();

/**
 * Runs `task` after the operations queued before it on `media` (the ones that open devices
 * or replace tracks run one at a time); skipped after `media.stop()`.
 */
function run(media: LocalMedia, task: () => Promise<void>): Promise<void> {
  const result = (tails.get(media) ?? Promise.resolve()).then(() =>
    media.stopped ? undefined : task(),
  );
  tails.set(
    media,
    result.catch(() => {}),
  );
  return result;
}

/**
 * The device id of the track in use for `kind` (`MediaTrackSettings.deviceId`), or of the
 * camera to open again while it is stopped (see {@link stopCameraWhenOff}); undefined if none.
 */
function device(media: LocalMedia, kind: MediaKind): string | undefined {
  const track = media.tracks[kind];
  return track && blanks.has(track) ? stoppedCamera.get(media) : track?.getSettings().deviceId;
}

/** Puts what should be sent for `kind` in the local stream and on the sender; emits `localTrackReplaced`. */
async function sync(media: LocalMedia, kind: MediaKind): Promise<void> {
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

// ------------------------------------------------------------ devices

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
 * Opens `kind` with the settings' constraints and `deviceId` (none: the default device),
 * makes it the device track, sends it, stops the old one; emits `activeDeviceChanged`.
 */
async function replace(
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
      if (track && gone && !blanks.has(track)) {
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

// ------------------------------------------------------------ camera off

/** How often the black frames are drawn while the camera is stopped, per second. */
const BLANK_FPS = 5;
/** The camera to open again when turned on, per local media, while it is stopped. */
const stoppedCamera = new WeakMap<LocalMedia, string>();
/** The tracks of black frames that stand for a stopped camera. */
const blanks = new WeakSet<MediaStreamTrack>();

/** Whether `media`'s camera is stopped (black frames in its place). */
function stopped(media: LocalMedia): boolean {
  const video = media.tracks.video;
  return !!video && blanks.has(video);
}

/**
 * A video track of black `width`×`height` frames drawn on a canvas (`captureStream(0)` and
 * `requestFrame()`, Media Capture from DOM Elements), {@link BLANK_FPS} a second, until the
 * track is stopped. Also what `<kurento-room>` joins with for a camera left off on its
 * pre-join screen, so that joining does not open it.
 *
 * @internal
 */
export function blackFrames(width: number, height: number): MediaStreamTrack {
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d')!;
  const track = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  blanks.add(track);
  const draw = () => {
    if (track.readyState === 'ended') return clearInterval(timer);
    context.fillRect(0, 0, width, height); // The default fill is black.
    track.requestFrame();
  };
  const timer = setInterval(draw, 1000 / BLANK_FPS);
  draw();
  return track;
}

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

// ------------------------------------------------------------ screen share

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

// ------------------------------------------------------------ bitrate and presets

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

// ------------------------------------------------------------ stats

/**
 * The media figures of every peer connection of `client` now (one `getStats()` each), rated
 * against the stats loop's sample of ~2 s ago: bitrate, loss, RTT, jitter, frame rate and
 * audio level, with units in the names (see {@link RoomStats}). Resolves with no participant
 * when not joined. Rejects with `InvalidStateError('closed')`.
 */
export async function getStats(client: RoomClient): Promise<RoomStats> {
  client.media(true);
  const stats: RoomStats = { timestamp: Date.now(), publisher: null, participants: {} };
  await Promise.all(
    client.members().map(async (member) => {
      const peer = member.peer;
      const local = member.view.isLocal;
      if (!peer || peer.closed) return;
      let now: StatsSample;
      try {
        now = toSample(await peer.pc.getStats(), local);
      } catch {
        return; // Closed meanwhile.
      }
      const entry: ParticipantStats = {
        name: member.name,
        ...summarize(member.samples[0] ?? now, now),
        connectionQuality: member.quality,
      };
      if (local) stats.publisher = entry;
      else stats.participants[member.name] = entry;
    }),
  );
  return stats;
}
