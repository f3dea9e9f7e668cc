/**
 * A pino logger that keeps its lines in memory, for tests that check what the server
 * logs and at which level.
 */
import { pino, type Logger } from 'pino';

/** One pino JSON line, parsed. */
export interface LogLine {
  /** pino's numeric level: 20 debug, 30 info, 40 warn, 50 error. */
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric levels by name. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A logger at `level` and the lines it wrote, in order. */
export function captureLogs(level: keyof typeof LEVEL = 'debug'): {
  logger: Logger;
  lines: LogLine[];
} {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}
