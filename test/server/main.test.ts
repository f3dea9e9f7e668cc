/**
 * `demo/server/main.ts` as `npm start` runs it: configured from the environment, one
 * "listening" line on stdout, a graceful exit on SIGTERM. The server runs in its own
 * process group (FIELD-NOTES section 3).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { TestClient } from './helpers/ws-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /^kurento-room server listening on (http:\/\/127\.0\.0\.1:(\d+)\/)$/;

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function spawnServer(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the listening URL once the line is out; rejects if the process exits first. */
async function listening(started: Started, timeoutMs = 20_000): Promise<string> {
  const { child } = started;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line:\n${started.stderr()}`)),
      timeoutMs,
    );
    const check = () => {
      const match = LISTENING.exec(started.stdout().split('\n')[0] ?? '');
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    void started.exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${started.stderr()}`));
    });
  });
}

test('prints one listening line, serves the contract and /config.json, and exits 0 on SIGTERM', async (t) => {
  const iceServers = [{ urls: 'stun:stun.example.org:3478' }];
  const started = spawnServer({ ICE_SERVERS: JSON.stringify(iceServers) });
  t.after(() => {
    if (started.child.exitCode === null && started.child.signalCode === null)
      started.child.kill('SIGKILL');
  });
  const url = await listening(started);
  const config = await (await fetch(new URL('/config.json', url))).json();
  assert.deepEqual(config, { iceServers });
  const client = await TestClient.connect(url.replace(/^http/, 'ws') + 'groupcall');
  assert.deepEqual(await client.join('room', 'alice'), []);
  started.child.kill('SIGTERM');
  assert.equal((await client.closed).code, 1001);
  const [code, signal] = await started.exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.equal(
    started.stdout(),
    `kurento-room server listening on ${url}\n`,
    'exactly one stdout line',
  );
});

test('an invalid environment exits 2 and names the variable', async () => {
  const started = spawnServer({ RTC_MIN_PORT: '50000' });
  const [code] = await started.exited;
  assert.equal(code, 2);
  assert.match(started.stderr(), /RTC_MIN_PORT and RTC_MAX_PORT/);
  assert.equal(started.stdout(), '');
});
