/**
 * Kurento Media Server instances for tests: each on a free WebSocket port and its own
 * RTP port range, started with `run.sh PREFIX PORT` from the shared KMS build
 * (`../shared/kms`, see its README), in its own process group.
 *
 * Where things are: `run.sh` is `$KMS_DIR/run.sh`, else `<repo>/../shared/kms/run.sh`,
 * else `/work/shared/kms/run.sh`; the install prefix is `$KMS_PREFIX`, else
 * `/opt/kurento`. {@link findKms} says whether both are there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** RTP ports per instance; instance ranges start at 42000 and never overlap within a process. */
const RTP_PORTS_PER_INSTANCE = 200;
let nextRtpRange = 0;

/** Where a KMS can be started from. */
export interface KmsLocation {
  /** The `run.sh` script. */
  runScript: string;
  /** The install prefix it runs (holds `bin/kurento-media-server`). */
  prefix: string;
}

/** The KMS `run.sh` and prefix on this machine, or undefined when either is missing. */
export function findKms(): KmsLocation | undefined {
  const scripts = [
    process.env.KMS_DIR && join(process.env.KMS_DIR, 'run.sh'),
    join(ROOT, '..', 'shared', 'kms', 'run.sh'),
    '/work/shared/kms/run.sh',
  ].filter((path): path is string => Boolean(path));
  const runScript = scripts.find((path) => existsSync(path));
  const prefix = process.env.KMS_PREFIX || '/opt/kurento';
  if (!runScript || !existsSync(join(prefix, 'bin', 'kurento-media-server'))) return undefined;
  return { runScript, prefix };
}

/** Why {@link findKms} found nothing, for a skip message. */
export const NO_KMS =
  'no Kurento Media Server (KMS_DIR/run.sh, ../shared/kms/run.sh or /work/shared/kms/run.sh, with KMS_PREFIX or /opt/kurento)';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A running KMS instance. */
export interface KmsInstance {
  /** Its Kurento Protocol URL, `ws://127.0.0.1:PORT/kurento`. */
  url: string;
  port: number;
  /** PID of `run.sh` (also its process group id). */
  pid: number;
  /** PID of `kurento-media-server` itself. */
  kmsPid: number;
  /** Everything it wrote to stderr, for failure messages. */
  output(): string;
  /** SIGKILL to the media server process (not run.sh): a crash. Resolves once it exited. */
  kill(): Promise<void>;
  /** SIGTERM to run.sh (a clean stop; SIGKILL to the group after 5 s). Resolves once exited. */
  stop(): Promise<void>;
  /** Starts the same instance again (same ports) after a kill or stop. */
  restart(): Promise<KmsInstance>;
}

/**
 * Starts one KMS on `port` (default: a free one) with its own RTP port range, and
 * resolves once its WebSocket listens. With `cpu`, it runs under `taskset -c <cpu>`
 * (pinned to that core, its threads too: benches measure it per core).
 *
 * @throws Error when no KMS is found ({@link findKms}) or it did not start in `timeoutMs`.
 */
export async function startKms(
  options: { port?: number; rtpRange?: [number, number]; timeoutMs?: number; cpu?: number } = {},
): Promise<KmsInstance> {
  const location = findKms();
  if (!location) throw new Error(NO_KMS);
  const port = options.port ?? (await freePort());
  const rtpRange = options.rtpRange ?? nextRange();
  const timeoutMs = options.timeoutMs ?? 20000;
  const run = [location.runScript, location.prefix, String(port)];
  const [command, ...args] =
    options.cpu === undefined ? run : ['taskset', '-c', String(options.cpu), ...run];
  const child = spawn(command!, args, {
    env: {
      ...process.env,
      KMS_MIN_PORT: String(rtpRange[0]),
      KMS_MAX_PORT: String(rtpRange[1]),
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  const killOnExit = (): void => signalGroup(child, 'SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  let kmsPid: number;
  try {
    kmsPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`KMS on port ${port} did not start in ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const check = (): void => {
        const pid = /kurento-media-server pid (\d+)/.exec(output)?.[1];
        if (!pid || !/WebSocket server \(ws:\/\/\) listening/.test(output)) return;
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve(Number(pid));
      };
      child.stderr!.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`KMS on port ${port} exited before listening:\n${output}`));
      });
    });
  } catch (error) {
    signalGroup(child, 'SIGKILL');
    throw error;
  }

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    url: `ws://127.0.0.1:${port}/kurento`,
    port,
    pid: child.pid!,
    kmsPid,
    output: () => output,
    async kill() {
      if (!running()) return;
      try {
        process.kill(kmsPid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
    async stop() {
      if (!running()) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    restart: () => startKms({ ...options, port, rtpRange, timeoutMs }),
  };
}

function nextRange(): [number, number] {
  // Spread by PID too, so that test processes running side by side do not collide.
  const slot = (process.pid % 40) * 4 + nextRtpRange++;
  const start = 42000 + (slot % 100) * RTP_PORTS_PER_INSTANCE;
  return [start, start + RTP_PORTS_PER_INSTANCE - 1];
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}
