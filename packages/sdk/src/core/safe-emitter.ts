/**
 * The client's events: a listener table with every listener's exception caught and logged
 * (mediasoup-client's `safeEmit`), so that an app's bug cannot corrupt the SDK's state.
 * (nanoevents served here before; its own `emit`, which lets a throw escape, went unused, so
 * the table is ours.)
 *
 * @packageDocumentation
 */
import type { RoomClientEvents } from './events.js';
import { clientLog as log } from './log.js';
import type { Emit } from './monitor.js';

/** The listeners of each event, in subscription order. */
export type Listeners = Partial<Record<keyof RoomClientEvents, ((...args: never[]) => void)[]>>;

/**
 * Subscribes `listener` to `event` in `listeners`; returns the function that unsubscribes it
 * (idempotent). A listener added while an event is emitted hears the next one.
 */
export function listen<E extends keyof RoomClientEvents>(
  listeners: Listeners,
  event: E,
  listener: RoomClientEvents[E],
): () => void {
  listeners[event] = [...(listeners[event] ?? []), listener];
  return () => {
    listeners[event] = listeners[event]?.filter((l) => l !== listener);
  };
}

/**
 * Returns the function that emits on `listeners`: it calls every listener of `event`; one
 * that throws is logged and cannot break the others or the SDK. An `error` with no listener
 * is logged as a warning.
 */
export function safeEmit(listeners: Listeners): Emit {
  return (event, ...args) => {
    const called = listeners[event] ?? [];
    if (event === 'error' && !called.length) log.warn('Unhandled error event:', args[0]);
    for (const listener of called) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (error) {
        log.error('A listener threw:', event, error);
      }
    }
  };
}
