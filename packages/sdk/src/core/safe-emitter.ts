/**
 * The client's events: nanoevents, with every listener's exception caught and logged
 * (mediasoup-client's `safeEmit`), so that an app's bug cannot corrupt the SDK's state.
 *
 * @packageDocumentation
 */
import type { Emitter } from 'nanoevents';
import type { RoomClientEvents } from './events.js';
import { clientLog as log } from './log.js';
import type { Emit } from './monitor.js';

/**
 * Returns the function that emits on `emitter`: it calls every listener of `event`; one
 * that throws is logged and cannot break the others or the SDK. An `error` with no listener
 * is logged as a warning.
 */
export function safeEmit(emitter: Emitter<RoomClientEvents>): Emit {
  return (event, ...args) => {
    const listeners = emitter.events[event] ?? [];
    if (event === 'error' && !listeners.length) log.warn('Unhandled error event:', args[0]);
    for (const listener of listeners) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (error) {
        log.error(`A "${event}" listener threw:`, error);
      }
    }
  };
}
