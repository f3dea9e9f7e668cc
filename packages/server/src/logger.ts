/**
 * Logging: pino, one JSON object per line.
 *
 * @packageDocumentation
 */

import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger, LevelWithSilent };

/**
 * Creates the server's root logger.
 *
 * @param level - the minimum level written; `'silent'` writes nothing.
 * @param fd - the file descriptor written to: 2 (stderr, the default) keeps stdout
 *   for the one "listening" line that `main.ts` prints and tests parse.
 */
export function createLogger(level: LevelWithSilent = 'info', fd: 1 | 2 = 2): Logger {
  return pino({ name: 'kurento-room', level }, pino.destination({ dest: fd, sync: true }));
}
