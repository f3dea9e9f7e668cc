/**
 * Black frames: the video track that stands for a stopped camera (see `stopCameraWhenOff()`),
 * and for a camera left off on `<kurento-room>`'s pre-join screen.
 *
 * @packageDocumentation
 */

/** How often the black frames are drawn, per second. */
const BLANK_FPS = 5;
/** The tracks of black frames made here. */
const blanks = new WeakSet<MediaStreamTrack>();

/**
 * A video track of black `width`×`height` frames drawn on a canvas (`captureStream(0)` and
 * `requestFrame()`, Media Capture from DOM Elements), {@link BLANK_FPS} a second, until the
 * track is stopped (`requestFrame()` is the track's, `CanvasCaptureMediaStreamTrack`, in
 * Chromium; the stream's, `CanvasCaptureMediaStream`, in Firefox). Also what
 * `<kurento-room>` joins with for a camera left off on its pre-join screen, so that joining
 * does not open it.
 *
 * @internal
 */
export function blackFrames(width: number, height: number): MediaStreamTrack {
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d')!;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0]!;
  const frames = ('requestFrame' in track ? track : stream) as CanvasCaptureMediaStreamTrack;
  blanks.add(track);
  const draw = () => {
    if (track.readyState === 'ended') return clearInterval(timer);
    context.fillRect(0, 0, width, height); // The default fill is black.
    frames.requestFrame();
  };
  const timer = setInterval(draw, 1000 / BLANK_FPS);
  draw();
  return track;
}

/** @internal Whether `track` is black frames from {@link blackFrames} (a stopped camera). */
export function isBlank(track: MediaStreamTrack | null | undefined): boolean {
  return !!track && blanks.has(track);
}
