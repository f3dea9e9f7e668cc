// What the far end of a track hears and sees, and stubs for the browser's device APIs: for
// the media-control tests. The meters run on their own and are read in `until()`; they are
// closed at the end of the test.
import { onCleanup } from '../helpers-browser/fixture.js';

/** The native AudioContext, captured before {@link countAudioContexts} wraps it. */
const NativeAudioContext = window.AudioContext;

/** A level at or above this (linear RMS) is sound; the fake microphone's beep peaks near 0.4. */
const SOUND = 0.01;

/** Listens to an audio track through an AnalyserNode. */
export interface AudioMeter {
  /** ms since the track last carried sound; Infinity if it never did. */
  quietFor(): number;
  /** ms since the track last was silent; Infinity if it never was. */
  loudFor(): number;
}

/**
 * Starts listening to `track` (WebAudio: the page's own AudioContext, closed at the end of
 * the test). The fake microphone beeps every 500 ms, so silence means `quietFor() > 600`.
 */
export function audioMeter(track: MediaStreamTrack): AudioMeter {
  const stream = new MediaStream([track]);
  // Chromium feeds a received track to WebAudio only while a media element plays it too.
  const sink = new Audio();
  sink.muted = true;
  sink.srcObject = stream;
  void sink.play().catch(() => {});
  const context = new NativeAudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let lastLoud = -Infinity;
  let lastQuiet = -Infinity;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const value of samples) sum += value * value;
    if (Math.sqrt(sum / samples.length) >= SOUND) lastLoud = performance.now();
    else lastQuiet = performance.now();
  }, 20);
  onCleanup(async () => {
    clearInterval(timer);
    sink.srcObject = null;
    await context.close();
  });
  return {
    quietFor: () => performance.now() - lastLoud,
    loudFor: () => performance.now() - lastQuiet,
  };
}

/** Shows a video track in a hidden `<video>`; `brightness()` is its current frame's mean RGB, 0..255. */
export function videoProbe(track: MediaStreamTrack): { brightness(): number } {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  void video.play().catch(() => {});
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  onCleanup(() => {
    video.srcObject = null;
    video.remove();
  });
  return {
    brightness() {
      if (!video.videoWidth) return NaN;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
      return sum / (3 * (data.length / 4));
    },
  };
}

/** Counts the AudioContexts the code under test creates from now on, until the end of the test. */
export function countAudioContexts(): { created: AudioContext[] } {
  const created: AudioContext[] = [];
  class Counted extends NativeAudioContext {
    constructor(options?: AudioContextOptions) {
      super(options);
      created.push(this);
    }
  }
  window.AudioContext = Counted;
  onCleanup(() => {
    window.AudioContext = NativeAudioContext;
  });
  return { created };
}

/** Replaces a method of `navigator.mediaDevices` with `fake` until the end of the test. */
export function stubMediaDevices<K extends 'enumerateDevices' | 'getDisplayMedia'>(
  name: K,
  fake: MediaDevices[K],
): void {
  const devices = navigator.mediaDevices;
  Object.defineProperty(devices, name, { configurable: true, writable: true, value: fake });
  onCleanup(() => {
    delete (devices as Partial<MediaDevices>)[name];
  });
}

/** The `devicechange` listeners added to `navigator.mediaDevices` from now on and not removed since. */
export function watchDeviceChangeListeners(): { live: Set<unknown> } {
  const devices = navigator.mediaDevices;
  const live = new Set<unknown>();
  const wrap = (name: 'addEventListener' | 'removeEventListener', record: (l: unknown) => void) => {
    const native = devices[name] as (...args: unknown[]) => void;
    devices[name] = function (this: MediaDevices, type: string, ...rest: unknown[]) {
      if (type === 'devicechange') record(rest[0]);
      return native.call(this, type, ...rest);
    };
  };
  wrap('addEventListener', (listener) => live.add(listener));
  wrap('removeEventListener', (listener) => live.delete(listener));
  onCleanup(() => {
    delete (devices as Partial<MediaDevices>).addEventListener;
    delete (devices as Partial<MediaDevices>).removeEventListener;
  });
  return { live };
}

/** A canvas track that stands for a captured screen (for getDisplayMedia stubs). */
export function canvasTrack(): MediaStreamTrack {
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
  canvas.getContext('2d')!.fillRect(0, 0, 320, 180);
  const track = canvas.captureStream(5).getVideoTracks()[0];
  onCleanup(() => track.stop());
  return track;
}
