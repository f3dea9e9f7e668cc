/**
 * The contract between the client's stats loop and the opt-in monitors
 * (`activeSpeaker()`, `connectionQuality()`): types only.
 *
 * @packageDocumentation
 */
import type { Member } from './participant.js';
import type { RoomClientEvents } from './events.js';

/** Emits one of the client's events (its listeners' exceptions are caught). */
export type Emit = <E extends keyof RoomClientEvents>(
  event: E,
  ...args: Parameters<RoomClientEvents[E]>
) => void;

/** A running monitor. */
export interface Monitor {
  /**
   * Runs after each stats tick (every `WATCHDOG_TICK_MS`, 1 s, while connected) with every
   * participant's record, the local one first; it may set their `level`, `speaking` and
   * `quality` and emit events.
   */
  update(members: readonly Member[]): void;
}

/**
 * Makes a monitor for one client, given the client's `emit`. Pass the factories that
 * `activeSpeaker()` and `connectionQuality()` return as `RoomClientOptions.monitors`; the
 * records a monitor reads are the SDK's internal ones, so `Monitor` and `Emit` are not
 * part of the documented API.
 */
export type MonitorFactory = (emit: Emit) => Monitor;
