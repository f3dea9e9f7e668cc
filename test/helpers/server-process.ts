/**
 * Starts the reference server (`packages/server/src/main.ts`) as a child process in its own
 * process group (FIELD-NOTES section 3: a busy browser in the same group starved the
 * server into packet loss), on 127.0.0.1 and a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /listening on (http:\/\/\S+)/;

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
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A running server process. */
export interface ServerProcess extends SpawnedServer {
  /** The page's origin and path, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** The signaling WebSocket URL. */
  wsUrl: string;
}

/** Spawns the server, `env` over 127.0.0.1, port 0 and LOG_LEVEL warn; does not wait for it. */
export function spawnServerProcess(env: Record<string, string> = {}): SpawnedServer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
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
  // Detached, the server would outlive a test process that dies or is interrupted.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Spawns the server and resolves once it prints its listening line; after `timeoutMs`,
 * or if it exits first, stops it and rejects.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  timeoutMs = 20000,
): Promise<ServerProcess> {
  const server = spawnServerProcess(env);
  let url: string;
  try {
    url = await server.listening(timeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, url, wsUrl: url.replace(/^http/, 'ws') + 'groupcall' };
}
