/**
 * The client's events: nanoevents, with every listener's exception caught and logged
 * (mediasoup-client's `safeEmit`), so that an app's bug cannot corrupt the SDK's state.
 *
 * @packageDocumentation
 */
import { createNanoEvents } from 'nanoevents';
import type { RoomClientEvents } from './events.js';
import { logger } from './log.js';
import type { Emit } from './monitor.js';

const log = logger('client');

/** Subscribes and emits {@link RoomClientEvents}. */
export interface SafeEmitter {
  /** Subscribes `listener` to `event`; returns the function that unsubscribes it. */
  on<E extends keyof RoomClientEvents>(event: E, listener: RoomClientEvents[E]): () => void;
  /**
   * Calls every listener of `event`; one that throws is logged and cannot break the others
   * or the SDK. An `error` with no listener is logged as a warning.
   */
  emit: Emit;
}

/** Creates a {@link SafeEmitter}. */
export function safeEmitter(): SafeEmitter {
  const emitter = createNanoEvents<RoomClientEvents>();
  return {
    on: (event, listener) => emitter.on(event, listener),
    emit: (event, ...args) => {
      const listeners = emitter.events[event] ?? [];
      if (event === 'error' && !listeners.length) log.warn('Unhandled error event:', args[0]);
      for (const listener of listeners) {
        try {
          (listener as (...values: unknown[]) => void)(...args);
        } catch (error) {
          log.error(`A "${event}" listener threw:`, error);
        }
      }
    },
  };
}
