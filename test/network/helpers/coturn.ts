/**
 * coturn in a namespace, run as the README's deployment runs it: `turnserver -c` with
 * `packages/server/deploy/turnserver.conf`, in the foreground (FIELD-NOTES section 4: it
 * does not start itself here). The command line overrides only the lines the file marks
 * EDIT (address, secret, realm, certificate), plus what a test run must keep to itself:
 * logs on stdout, its pid file and user database in a temporary folder, and the SFU's
 * address allowed as a peer (the file denies the RFC 5737 ranges the tests live in).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The configuration file the README shows. */
export const TURNSERVER_CONF = fileURLToPath(
  new URL('../../../packages/server/deploy/turnserver.conf', import.meta.url),
);

/** A running coturn. */
export interface Coturn {
  /** Its PID (the process group it leads). */
  pid: number;
  /** What it logged so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** How coturn is run. */
export interface CoturnOptions {
  /** The namespace to run it in. */
  ns: string;
  /** Its listening and relay address. */
  address: string;
  /** `static-auth-secret`, the server's `TURN_SECRET`. */
  secret: string;
  /** Addresses relays may reach although the file denies their range (the SFU's). */
  allowedPeers: string[];
  /** The listening port (default 3478). */
  port?: number;
}

/**
 * Starts coturn and resolves once its relay threads are up ("Total General servers");
 * rejects with its output if it exits first or is not up within 10 s.
 */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'krnet-coturn-'));
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      options.ns,
      'turnserver',
      '-c',
      TURNSERVER_CONF,
      `--listening-ip=${options.address}`,
      `--relay-ip=${options.address}`,
      `--listening-port=${options.port ?? 3478}`,
      `--static-auth-secret=${options.secret}`,
      '--realm=krnet.test',
      ...options.allowedPeers.map((peer) => `--allowed-peer-ip=${peer}`),
      // turn: over UDP and TCP only: the tests give coturn no certificate.
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => {
    if (running()) signal('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  const stop = async () => {
    if (running()) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coturn not up in 10 s:\n${output}`)), 10000);
      const check = () => {
        if (!/Total General servers/.test(output)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`coturn exited with ${child.exitCode}:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, output: () => output, stop };
}
