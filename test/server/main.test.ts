/**
 * `packages/server/src/main.ts` as `npm start` runs it: configured from the environment, one
 * "listening" line on stdout, a graceful exit on SIGTERM. The server runs in its own
 * process group (FIELD-NOTES section 3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloseCode } from '../../packages/sdk/src/protocol/index.js';
import { spawnServerProcess, startServerProcess } from '../helpers/server-process.js';
import { publish, subscribe } from './helpers/werift-peer.js';
import { TestClient, upgradeStatus } from './helpers/ws-client.js';

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

test('SIGINT in a call: every client closed with 1001, media released, exit 0 within 5 s', async (t) => {
  const server = await startServerProcess();
  t.after(() => server.stop());
  const alice = await TestClient.connect(server.wsUrl);
  await alice.join('room', 'alice');
  const bob = await TestClient.connect(server.wsUrl);
  await bob.join('room', 'bob');
  const peers = [await publish(alice, 'alice'), await subscribe(bob, 'alice')];
  t.after(() => peers.forEach((peer) => peer.pc.close()));
  await Promise.all(peers.map((peer) => peer.connected));
  const started = performance.now();
  server.child.kill('SIGINT');
  assert.equal((await alice.closed).code, CloseCode.GOING_AWAY);
  assert.deepEqual(await bob.closed, {
    code: CloseCode.GOING_AWAY,
    reason: 'server shutting down',
  });
  const [code, signal] = await server.exited;
  assert.deepEqual([code, signal], [0, null]);
  assert.ok(performance.now() - started < 5000, 'within the hard deadline');
});

test('the limits and the origin allowlist come from the environment', async (t) => {
  const server = await startServerProcess({
    ALLOWED_ORIGINS: 'https://meet.example.com, https://other.example.com',
    ALLOW_NO_ORIGIN: 'false',
    MAX_ROOMS: '1',
    MAX_PARTICIPANTS_PER_ROOM: '1',
  });
  t.after(() => server.stop());
  assert.equal(await upgradeStatus(server.wsUrl), 403);
  assert.equal(await upgradeStatus(server.wsUrl, server.url.slice(0, -1)), 403);
  const origin = { origin: 'https://other.example.com' };
  const alice = await TestClient.connect(server.wsUrl, origin);
  t.after(() => alice.close());
  await alice.join('one', 'alice');
  const bob = await TestClient.connect(server.wsUrl, origin);
  t.after(() => bob.close());
  await assert.rejects(bob.join('one', 'bob'), /ROOM_FULL/);
  await assert.rejects(bob.join('two', 'bob'), /TOO_MANY_ROOMS/);
});
