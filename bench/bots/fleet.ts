/**
 * Bots in a process of their own (`bot-process.ts`), optionally pinned to one core with
 * `taskset`, so that a bench measures the server on the other core and the bots' cost
 * apart. The parent commands the child over Node's IPC channel (`process.send`), one
 * request at a time per call, answered by id.
 *
 * The child ends when the parent calls {@link Fleet.close}, when the parent exits (an
 * `exit` handler kills it by PID) and when the parent dies without one (by SIGINT,
 * SIGTERM or SIGKILL: the IPC channel closes, and the child makes its bots leave and
 * exits).
 *
 * @packageDocumentation
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { BotOptions } from './bot.js';
import type { SentCounts } from './clip-sender.js';
import { processUsage } from './proc-usage.js';
import type { StreamStats } from './rtp-stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOT_PROCESS = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

/** One bot's figures, as {@link Fleet.stats} reports them. */
export interface BotStats {
  sent: SentCounts;
  received: StreamStats[];
  /** ms from each key frame request to its key frame (see `Bot.keyFrameDelaysMs`). */
  keyFrameDelaysMs: number[];
  /** Video frames decoded by a libwebrtc bot (`transport: 'wrtc'`); werift bots decode nothing. */
  framesDecoded?: number;
}

/** What the parent asks of the bot process. */
export type FleetCommand =
  | { op: 'join'; options: BotOptions }
  | { op: 'stats' }
  | { op: 'leave'; name: string }
  | { op: 'close' };

/** A command as sent, with the id its reply carries. */
export type FleetRequest = FleetCommand & { id: number };

/** The bot process's answer to the request of the same `id`, or its ready signal. */
export type FleetReply =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: string }
  | { ready: true };

/** Bots in a child process. */
export interface Fleet {
  /** The child's PID. */
  readonly pid: number;
  /**
   * A bot joins in the child (`Bot.join`).
   *
   * @throws Error as `Bot.join` does, or when the child has exited.
   */
  join(options: BotOptions): Promise<void>;
  /** Every bot's figures, by bot name (bots that left are not included). */
  stats(): Promise<Record<string, BotStats>>;
  /** Bot `name` leaves (`Bot.leave`); nothing when there is no such bot. */
  leave(name: string): Promise<void>;
  /** The child's CPU time so far (user + system), in seconds, from `/proc`. */
  cpuSeconds(): number;
  /** The child's resident memory, in MB, from `/proc`. */
  rssMb(): number;
  /**
   * Every bot leaves and the child exits; it is killed by PID (SIGKILL) if it has not
   * exited within `graceMs` (default 5000). Safe to call twice.
   */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@link startFleet}. */
export interface FleetOptions {
  /** Pin the child to this CPU (`taskset -c`). Default: not pinned. */
  cpu?: number;
  /**
   * The bots' WebRTC stack: `werift` (default, `Bot`) or `wrtc` (`WrtcBot`, libwebrtc
   * from `WRTC_MODULE`, for `bench/bot-transport.ts`).
   */
  transport?: 'werift' | 'wrtc';
}

/**
 * Starts a bot process: `node --import tsx bench/bots/bot-process.ts`, under
 * `taskset -c <cpu>` when `cpu` is given. Resolves once it is ready for requests.
 *
 * @throws Error when the child exits or is not ready within 20 s.
 */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const node = [process.execPath, '--import', 'tsx', BOT_PROCESS];
  const [command, ...args] =
    options.cpu === undefined ? node : ['taskset', '-c', String(options.cpu), ...node];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, KRBOT_TRANSPORT: options.transport ?? 'werift' },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-8000);
    process.stderr.write(chunk);
  });
  const exited = once(child, 'exit');
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let ready: () => void;
  const readySignal = new Promise<void>((resolve) => (ready = resolve));
  child.on('message', (reply: FleetReply) => {
    if ('ready' in reply) return ready();
    const request = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) request?.resolve(reply.result);
    else request?.reject(new Error(reply.error));
  });
  const gone = exited.then(([code, signal]) => {
    const error = new Error(`the bot process exited (${signal ?? code}):\n${output}`);
    for (const request of pending.values()) request.reject(error);
    pending.clear();
    throw error;
  });
  gone.catch(() => undefined);

  const request = <T>(message: FleetCommand): Promise<T> => {
    if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
      return Promise.reject(new Error(`the bot process has exited:\n${output}`));
    }
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...message, id } satisfies FleetRequest);
    });
  };

  try {
    await Promise.race([readySignal, gone, timeout(20000, 'the bot process was not ready')]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    pid: child.pid!,
    join: (botOptions) => request({ op: 'join', options: botOptions }),
    stats: () => request({ op: 'stats' }),
    leave: (name) => request({ op: 'leave', name }),
    cpuSeconds: () => processUsage(child.pid!).cpuSeconds,
    rssMb: () => processUsage(child.pid!).rssMb,
    close(graceMs = 5000) {
      closing ??= closeChild(child, exited, graceMs, () => request({ op: 'close' }));
      return closing;
    },
  };
}

/** Asks the child to close, then waits for its exit; SIGKILL by PID after `graceMs`. */
async function closeChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
  close: () => Promise<unknown>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  close().catch(() => undefined);
  await exited;
  clearTimeout(timer);
}

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}
