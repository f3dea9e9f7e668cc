/**
 * Starts the reference server (`packages/server/src/main.ts`, or another command such as
 * `npx kurento-room-server` from an installed tarball) as a child process in its own
 * process group (FIELD-NOTES section 3: a busy browser in the same group starved the
 * server into packet loss), on 127.0.0.1 and a free port.
 *
 * With `E2E_BACKEND=kurento` in the environment, {@link startServerProcess} also starts a
 * Kurento Media Server for each server (on free ports, `test/helpers/kms.ts`), gives
 * the server its `KMS_URL`, and stops it when the server exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startKms, type KmsInstance } from './kms.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /listening on (https?:\/\/\S+)/;

/** How to start the server: a command, its arguments and its working directory. */
export interface ServerCommand {
  command: string;
  args: string[];
  cwd: string;
  /** The environment under the server's variables. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The server's sources under tsx, from the repository root, as `npm start` runs them. */
export const SOURCE_SERVER: ServerCommand = {
  command: process.execPath,
  args: ['--import', 'tsx', 'packages/server/src/main.ts'],
  cwd: ROOT,
};

/**
 * `server` under `taskset -c <cpu>`, pinned to that core (benches measure it per core).
 * taskset executes the command in its own process, so the PID is still the server's.
 */
export function pinnedTo(cpu: number, server: ServerCommand = SOURCE_SERVER): ServerCommand {
  return {
    ...server,
    command: 'taskset',
    args: ['-c', String(cpu), server.command, ...server.args],
  };
}

/** A server process as spawned: listening, not yet, or never (a bad environment). */
export interface SpawnedServer {
  /** The child's PID (also its process group id). */
  pid: number;
  child: ChildProcess;
  /** What the server wrote to stdout so far. */
  stdout(): string;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Everything the server wrote, both streams as they came, for failure messages. */
  output(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<[code: number | null, signal: NodeJS.Signals | null]>;
  /**
   * Resolves with the page URL of the listening line; rejects if the process exits first
   * or after `timeoutMs`.
   */
  listening(timeoutMs?: number): Promise<string>;
  /**
   * SIGTERM, then SIGKILL after `graceMs`, to the child's process group (the child and
   * whatever it started, e.g. the node process under `npx`); resolves when the child
   * has exited.
   */
  stop(graceMs?: number): Promise<void>;
}

/** A running server process. */
export interface ServerProcess extends SpawnedServer {
  /** The page's origin and path, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** The signaling WebSocket URL. */
  wsUrl: string;
  /** Its Kurento Media Server, with `E2E_BACKEND=kurento`. */
  kms?: KmsInstance;
}

/**
 * Spawns the server, `env` over 127.0.0.1, port 0 and LOG_LEVEL warn; does not wait for it.
 * `server` is the command (default {@link SOURCE_SERVER}).
 */
export function spawnServerProcess(
  env: Record<string, string> = {},
  server: ServerCommand = SOURCE_SERVER,
): SpawnedServer {
  const child = spawn(server.command, server.args, {
    cwd: server.cwd,
    env: {
      ...(server.env ?? process.env),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const running = () => child.exitCode === null && child.signalCode === null;
  /** Signals the child's process group (its PID: it was started detached). */
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal); // the group is gone; the child alone, if still there
    }
  };
  // Detached, the server would outlive a test process that dies or is interrupted.
  const killOnExit = () => {
    if (running()) signalGroup('SIGKILL');
  };
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return {
    pid: child.pid!,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    listening(timeoutMs = 20000) {
      return new Promise<string>((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
        };
        const timer = setTimeout(() => {
          settle();
          reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        function check() {
          const match = LISTENING.exec(stdout);
          if (!match) return;
          settle();
          resolve(match[1]!);
        }
        child.stdout!.on('data', check);
        check();
        void exited.then(([code]) => {
          settle();
          reject(new Error(`server exited with ${code} before listening:\n${output}`));
        });
      });
    },
    async stop(graceMs = 5000) {
      if (!running()) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Spawns the server and resolves once it prints its listening line; after `timeoutMs`,
 * or if it exits first, stops it and rejects. `command` as in {@link spawnServerProcess}.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  timeoutMs = 20000,
  command: ServerCommand = SOURCE_SERVER,
): Promise<ServerProcess> {
  const kms =
    process.env.E2E_BACKEND === 'kurento' && env.KMS_URL === undefined
      ? await startKms()
      : undefined;
  const server = spawnServerProcess(kms ? { KMS_URL: kms.url, ...env } : env, command);
  if (kms) void server.exited.then(() => kms.stop());
  let url: string;
  try {
    url = await server.listening(timeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, url, wsUrl: url.replace(/^http/, 'ws') + 'groupcall', ...(kms && { kms }) };
}
