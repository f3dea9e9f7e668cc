// The browser's autoplay policy, simulated: `HTMLMediaElement.prototype.play` rejects with
// `NotAllowedError` (HTML, #dom-media-play) until the test calls `allow()`, as after a
// user gesture. Restored when the test's cleanup runs.
import { onCleanup } from './fixture.js';

/** Blocks `play()` on every media element until `allow()`; returns the switch. */
export function blockAutoplay(): { allow(): void } {
  const native = HTMLMediaElement.prototype.play;
  let allowed = false;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    if (allowed) return native.call(this);
    return Promise.reject(new DOMException('needs a gesture', 'NotAllowedError'));
  };
  onCleanup(() => {
    HTMLMediaElement.prototype.play = native;
  });
  return {
    allow: () => {
      allowed = true;
    },
  };
}
