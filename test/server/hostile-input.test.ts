/**
 * What the server refuses, with real WebSocket clients: foreign origins, oversized
 * frames, message floods, and joins beyond its room and participant limits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { until, withFakeBackend } from './helpers/fixture.js';
import { captureLogs, LEVEL } from './helpers/log-capture.js';
import { upgradeStatus, type TestClient } from './helpers/ws-client.js';

/**
 * Resolves once the server has processed everything `client` sent before, on a rate
 * limited connection: sends a barrier every 100 ms until one is let through.
 */
async function barrierThroughLimit(client: TestClient): Promise<void> {
  let n = 0;
  const send = () => client.sendRaw(JSON.stringify({ id: `barrier-${n++}` }));
  send();
  const timer = setInterval(send, 100);
  try {
    await client.next('error', (e) => e.request?.startsWith('barrier-') ?? false, 10_000);
  } finally {
    clearInterval(timer);
  }
}

const countErrors = (client: TestClient, code: string, request?: string) =>
  client.history.filter(
    (m) => m.id === 'error' && m.code === code && (request === undefined || m.request === request),
  ).length;

describe('the Origin check on the WebSocket upgrade', () => {
  test('by default the own (loopback) origins and requests without Origin connect; others get 403 and a warning', async (t) => {
    const { logger, lines } = captureLogs('warn');
    const { server } = await withFakeBackend(t, { logger });
    assert.equal(await upgradeStatus(server.wsUrl, `http://127.0.0.1:${server.port}`), 101);
    assert.equal(await upgradeStatus(server.wsUrl, `http://localhost:${server.port}`), 101);
    assert.equal(await upgradeStatus(server.wsUrl), 101);
    assert.equal(
      await upgradeStatus(server.wsUrl, 'http://127.0.0.1:5173'),
      101,
      'another local page',
    );
    const foreign = ['http://evil.example', 'null', `http://127.0.0.1.evil.example:${server.port}`];
    for (const origin of foreign) {
      assert.equal(await upgradeStatus(server.wsUrl, origin), 403, origin);
    }
    const refusals = lines.filter((line) => /origin not allowed/.test(line.msg));
    assert.deepEqual(
      refusals.map((line) => [line.level, line.origin]),
      [
        [LEVEL.warn, 'http://evil.example'],
        [LEVEL.warn, 'null'],
        [LEVEL.warn, `http://127.0.0.1.evil.example:${server.port}`],
      ],
    );
  });

  test('allowedOrigins replaces the default; `*` allows any origin', async (t) => {
    const listed = await withFakeBackend(t, { allowedOrigins: ['https://meet.example.com'] });
    assert.equal(await upgradeStatus(listed.server.wsUrl, 'https://meet.example.com'), 101);
    assert.equal(
      await upgradeStatus(listed.server.wsUrl, `http://127.0.0.1:${listed.server.port}`),
      403,
    );
    const any = await withFakeBackend(t, { allowedOrigins: ['*'] });
    assert.equal(await upgradeStatus(any.server.wsUrl, 'http://evil.example'), 101);
  });

  test('allowNoOrigin: false refuses upgrades without Origin', async (t) => {
    const { server } = await withFakeBackend(t, { allowNoOrigin: false });
    assert.equal(await upgradeStatus(server.wsUrl), 403);
    assert.equal(await upgradeStatus(server.wsUrl, `http://127.0.0.1:${server.port}`), 101);
  });

  test('an invalid allowedOrigins entry makes startServer reject', async (t) => {
    await assert.rejects(withFakeBackend(t, { allowedOrigins: ['meet.example.com'] }), TypeError);
  });
});

describe('frame size', () => {
  /** A text frame of exactly `bytes` bytes that the server refuses as UNKNOWN_MESSAGE. */
  const frameOf = (bytes: number) => {
    const frame = JSON.stringify({ id: 'big', pad: '' });
    return JSON.stringify({ id: 'big', pad: 'x'.repeat(bytes - frame.length) });
  };

  test('a frame of exactly 64 KiB is processed; one byte more closes the socket with 1009', async (t) => {
    const { connect } = await withFakeBackend(t);
    const client = await connect();
    client.sendRaw(frameOf(64 * 1024));
    assert.equal((await client.next('error')).request, 'big');
    client.sendRaw(frameOf(64 * 1024 + 1));
    assert.equal((await client.closed).code, 1009);
  });
});

describe('message rate limit', () => {
  test('a flood gets one RATE_LIMITED; only `burst` messages are processed and the connection stays usable', async (t) => {
    const { connect } = await withFakeBackend(t, {
      rateLimit: { messagesPerSecond: 2, burst: 20 },
    });
    const client = await connect();
    for (let i = 0; i < 100; i++) client.sendRaw('{"id":"flood"}');
    const notice = await client.next('error', (e) => e.code === 'RATE_LIMITED');
    assert.equal(notice.request, undefined);
    await barrierThroughLimit(client);
    assert.equal(countErrors(client, 'UNKNOWN_MESSAGE', 'flood'), 20);
    assert.equal(countErrors(client, 'RATE_LIMITED'), 1);
    assert.equal(client.socket.readyState, WebSocket.OPEN);
  });

  test('a sustained flood gets about one RATE_LIMITED per second, not one per message', async (t) => {
    const { connect } = await withFakeBackend(t, { rateLimit: { messagesPerSecond: 2, burst: 2 } });
    const client = await connect();
    const started = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 20; i++, sent++) client.sendRaw('{"id":"flood"}');
        if (performance.now() - started >= 2200) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
    });
    await barrierThroughLimit(client);
    const seconds = (performance.now() - started) / 1000;
    const notices = countErrors(client, 'RATE_LIMITED');
    assert.ok(sent >= 500, `sent ${sent}`);
    assert.ok(notices >= 2 && notices <= Math.ceil(seconds) + 1, `${notices} in ${seconds} s`);
  });

  test('the defaults let a browser join a full room at once: join, 16 offers and 150 candidates', async (t) => {
    const { connect } = await withFakeBackend(t);
    const others: string[] = [];
    for (let i = 0; i < 15; i++) {
      const other = await connect();
      await other.join('room', `p${i}`);
      others.push(`p${i}`);
    }
    const client = await connect();
    client.send({ id: 'joinRoom', room: 'room', name: 'me' });
    for (const sender of ['me', ...others]) {
      client.send({ id: 'receiveVideoFrom', sender, sdpOffer: `offer-${sender}` });
    }
    for (let i = 0; i < 150; i++) {
      const candidate = `candidate:${i} 1 udp 2122260223 127.0.0.1 ${50000 + i} typ host`;
      client.send({
        id: 'onIceCandidate',
        name: others[i % others.length]!,
        candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 },
      });
    }
    await client.barrier();
    assert.equal(client.history.filter((m) => m.id === 'receiveVideoAnswer').length, 16);
    assert.deepEqual(
      client.history.filter((m) => m.id === 'error').map((m) => m.id === 'error' && m.request),
      ['barrier'],
    );
  });

  test('a connection far over the limit for long is closed with 1008; its participant leaves', async (t) => {
    const rateLimit = { messagesPerSecond: 10, burst: 10, abuseFactor: 10, abuseSeconds: 1 };
    const { connect, server } = await withFakeBackend(t, { rateLimit });
    const flooder = await connect();
    await flooder.join('room', 'flooder');
    const bob = await connect();
    await bob.join('room', 'bob');
    for (let i = 0; i < 150; i++) flooder.sendRaw('{"id":"flood"}');
    assert.equal((await flooder.closed).code, 1008);
    assert.equal((await bob.next('participantLeft')).name, 'flooder');
    await until(() => server.stats().participants === 1, 'the flooder is gone');
  });
});

describe('room and participant limits', () => {
  test('a join beyond maxParticipantsPerRoom gets ROOM_FULL; a place freed is taken', async (t) => {
    const { connect, server } = await withFakeBackend(t, { maxParticipantsPerRoom: 2 });
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    const carol = await connect();
    await assert.rejects(carol.join('room', 'carol'), /ROOM_FULL/);
    assert.deepEqual(await carol.join('other', 'carol'), [], 'another room has places');
    carol.send({ id: 'leaveRoom' });
    bob.send({ id: 'leaveRoom' });
    await alice.next('participantLeft');
    assert.deepEqual(await carol.join('room', 'carol'), ['alice']);
    assert.equal(server.stats().participants, 2);
  });

  test('a join that would open one room more than maxRooms gets TOO_MANY_ROOMS; existing rooms still take joins', async (t) => {
    const { connect, server } = await withFakeBackend(t, { maxRooms: 2 });
    const a = await connect();
    await a.join('one', 'a');
    const b = await connect();
    await b.join('two', 'b');
    const c = await connect();
    await assert.rejects(c.join('three', 'c'), /TOO_MANY_ROOMS/);
    assert.deepEqual(await c.join('two', 'c'), ['b']);
    a.send({ id: 'leaveRoom' });
    await until(() => server.stats().rooms === 1, 'room "one" is closed');
    const d = await connect();
    assert.deepEqual(await d.join('three', 'd'), []);
  });
});
