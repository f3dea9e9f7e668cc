/**
 * Autoplay: plays the media elements the app attaches, and says when the browser's autoplay
 * policy blocks them (`play()` rejects with `NotAllowedError`, HTML #dom-media-play), so the
 * app can ask for the user gesture that unblocks them. The SDK owns no element.
 *
 * @packageDocumentation
 */
import type { Emit } from './monitor.js';

/** The attached elements and whether playback is blocked; the shape of LiveKit's `startAudio()`. */
export class Playback {
  /** True from a `NotAllowedError` until every attached element plays. */
  blocked = false;
  readonly #elements = new Set<HTMLMediaElement>();

  readonly #emit: Emit;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /** Sets `element.srcObject` to `stream`, plays it, and keeps it for {@link Playback.start}; returns the function that forgets it. */
  attach(element: HTMLMediaElement, stream: MediaStream): () => void {
    element.srcObject = stream;
    // iOS Safari would go full screen (HTML: the playsinline attribute, which the
    // property reflects; an audio element, or a browser without it, gets a plain expando).
    (element as HTMLVideoElement).playsInline = true;
    this.#elements.add(element);
    void this.#play(element);
    return () => void this.#elements.delete(element);
  }

  /** Plays every attached element again (call it from a user gesture); `playbackStarted` once none is blocked. */
  async start(): Promise<void> {
    const played = await Promise.all([...this.#elements].map((element) => this.#play(element)));
    if (this.blocked && played.every(Boolean)) {
      this.blocked = false;
      this.#emit('playbackStarted');
    }
  }

  /** Forgets every element (on leave); they are the app's to clear. */
  clear(): void {
    this.#elements.clear();
  }

  /** Plays `element`; false when the autoplay policy refused (then `playbackBlocked`, once). */
  async #play(element: HTMLMediaElement): Promise<boolean> {
    try {
      await element.play();
    } catch (error) {
      // An AbortError (the source changed meanwhile) is not the policy's doing.
      if ((error as Error)?.name !== 'NotAllowedError') return true;
      if (!this.blocked) {
        this.blocked = true;
        this.#emit('playbackBlocked');
      }
      return false;
    }
    return true;
  }
}
