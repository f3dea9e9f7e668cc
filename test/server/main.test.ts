/**
 * `demo/server/main.ts` as `npm start` runs it: configured from the environment, one
 * "listening" line on stdout, a graceful exit on SIGTERM. The server runs in its own
 * process group (FIELD-NOTES section 3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnServerProcess } from '../helpers/server-process.js';
import { TestClient } from './helpers/ws-client.js';

test('prints one listening line, serves the contract and /config.json, and exits 0 on SIGTERM', async (t) => {
  const iceServers = [{ urls: 'stun:stun.example.org:3478' }];
  const server = spawnServerProcess({ ICE_SERVERS: JSON.stringify(iceServers) });
  t.after(() => server.stop());
  const url = await server.listening();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const config = await (await fetch(new URL('/config.json', url))).json();
  assert.deepEqual(config, { iceServers });
  const client = await TestClient.connect(url.replace(/^http/, 'ws') + 'groupcall');
  assert.deepEqual(await client.join('room', 'alice'), []);
  server.child.kill('SIGTERM');
  assert.equal((await client.closed).code, 1001);
  const [code, signal] = await server.exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.equal(
    server.stdout(),
    `kurento-room server listening on ${url}\n`,
    'exactly one stdout line',
  );
});

test('an invalid environment exits 2 and names the variable', async () => {
  const server = spawnServerProcess({ RTC_MIN_PORT: '50000' });
  const [code] = await server.exited;
  assert.equal(code, 2);
  assert.match(server.stderr(), /RTC_MIN_PORT and RTC_MAX_PORT/);
  assert.equal(server.stdout(), '');
});
