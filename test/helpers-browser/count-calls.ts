// Counting calls to a browser API while letting them through (getUserMedia,
// requestAnimationFrame): the original is put back when the test's cleanup runs.
import { onCleanup } from './fixture.js';

/** Counts calls of `target[method]` from now on, each passed to the original; returns the count's reader. */
export function countCalls<T extends object, K extends keyof T>(
  target: T,
  method: K,
): () => number {
  const native = target[method] as (...args: unknown[]) => unknown;
  let calls = 0;
  target[method] = function (this: unknown, ...args: unknown[]) {
    calls += 1;
    return native.apply(target, args);
  } as T[K];
  onCleanup(() => {
    target[method] = native as T[K];
  });
  return () => calls;
}
