// What a browser test sets up and must take down: a stack of clean-ups that `cleanup()`
// runs in `afterEach`, and a fake group-call server on it.
import { FakeKurento, type FakeKurentoOptions } from './fake-kurento.js';

const cleanups: (() => void | Promise<void>)[] = [];

/** Runs `fn` at the end of the current test (last registered, first run). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

/** Runs every clean-up the test registered; call it in `afterEach`. */
export async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

/** A {@link FakeKurento} with `options`, stopped at the end of the test. */
export function fakeKurento(options: FakeKurentoOptions = {}): FakeKurento {
  const server = new FakeKurento(options);
  onCleanup(() => server.stop());
  return server;
}
