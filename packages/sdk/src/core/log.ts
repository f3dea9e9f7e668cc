/**
 * Named loggers with one public log level, shared by every SDK module.
 *
 * @packageDocumentation
 */

/** How much the SDK logs to the console. Default `'warn'`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
let threshold = 2;

/** Sets the SDK's console log level for every logger (default `'warn'`). */
export function setLogLevel(level: LogLevel): void {
  const index = LEVELS.indexOf(level);
  if (index >= 0) threshold = index;
}

/** A logger that prefixes its lines with `[kurento-room:<name>]`. */
export type Logger = Record<Exclude<LogLevel, 'silent'>, (...args: unknown[]) => void>;

/** Creates the logger named `name` (for example `client`, `signaling`). */
export function logger(name: string): Logger {
  const line =
    (level: number) =>
    (...args: unknown[]): void => {
      if (level >= threshold) console[LEVELS[level] as 'debug'](`[kurento-room:${name}]`, ...args);
    };
  return { debug: line(0), info: line(1), warn: line(2), error: line(3) };
}

/** The client's logger (`[kurento-room:client]`), one for every part of `RoomClient`. */
export const clientLog = /* @__PURE__ */ logger('client');
