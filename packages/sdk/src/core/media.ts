/**
 * Local media: opening the camera and microphone, and stopping them.
 *
 * @packageDocumentation
 */
import { MediaAccessError, type MediaAccessDevice } from './errors.js';

/** What the client publishes when `RoomClientOptions.media` is not given. */
export const DEFAULT_MEDIA: MediaStreamConstraints = { audio: true, video: true };

/**
 * `navigator.mediaDevices`. Throws a {@link MediaAccessError} where it is missing:
 * `insecure` on a page that is not a secure context (Media Capture and Streams requires
 * one), else `unavailable`.
 */
export function mediaDevices(): MediaDevices {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices) {
    throw new MediaAccessError(
      globalThis.isSecureContext === false ? 'insecure' : 'unavailable',
      'navigator.mediaDevices is missing (the page needs HTTPS?).',
    );
  }
  return devices;
}

/**
 * Opens the camera and/or microphone (getUserMedia, Media Capture and Streams section 10),
 * or what `open` gives instead; a failure names `device` (default `camera or microphone`).
 * Rejects with a {@link MediaAccessError}: `denied`, `no-device`, `unavailable`, or
 * `insecure` (`navigator.mediaDevices` is missing on a page that is not a secure context).
 */
export async function openMedia(
  constraints: MediaStreamConstraints,
  open?: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  device?: MediaAccessDevice,
): Promise<MediaStream> {
  const devices = open ? null : mediaDevices();
  try {
    return await (open ? open(constraints) : devices!.getUserMedia(constraints));
  } catch (error) {
    throw MediaAccessError.from(error, device);
  }
}

/** Stops every track of `stream` (the camera light goes off). */
export function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
