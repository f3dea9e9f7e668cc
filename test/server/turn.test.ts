/**
 * TURN credentials from coturn's shared secret (`use-auth-secret`, the "TURN REST API"
 * of draft-uberti-behave-turn-rest-00): the formula, `/config.json` per request, the
 * variables that configure it, and `main.ts` wiring them.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { readConfig } from '../../packages/server/src/env-config.js';
import {
  checkTurnRestConfig,
  DEFAULT_TURN_TTL_S,
  turnCredentials,
  turnPassword,
  type TurnRestConfig,
} from '../../packages/server/src/turn-credentials.js';
import { startServer } from '../../packages/server/src/server.js';
import { spawnServerProcess } from '../helpers/server-process.js';
import { FakeBackend } from './helpers/fake-backend.js';
import { withServer } from './helpers/fixture.js';

const SECRET = 'north-of-the-wall';
const TURN: TurnRestConfig = {
  urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349?transport=tcp'],
  secret: SECRET,
  ttlSeconds: 600,
};

/** coturn's check, computed here without the module under test. */
function hmacSha1Base64(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

interface ServedIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** `GET /config.json` of `url`, decoded. */
async function config(url: string): Promise<{
  iceServers: ServedIceServer[];
  iceTransportPolicy?: string;
}> {
  const response = await fetch(new URL('/config.json', url));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()) as { iceServers: ServedIceServer[] };
}

/** The expiry of an `EXPIRY:ID` user name, in Unix seconds. */
function expiryOf(username: string): number {
  const match = /^(\d+):([0-9a-f]{12})$/.exec(username);
  assert.ok(match, `user name "${username}" is EXPIRY:ID`);
  return Number(match[1]);
}

describe('turnCredentials (TURN REST API, as coturn checks it)', () => {
  test('the password is base64(HMAC-SHA1(secret, username)): a vector from openssl', () => {
    // echo -n 1700000000:alice | openssl dgst -sha1 -hmac north-of-the-wall -binary | base64
    assert.equal(turnPassword(SECRET, '1700000000:alice'), 'DUc97LAZ4+61uBE+vszNmAGi1XA=');
  });

  test('the user name is EXPIRY:ID, EXPIRY being now + TTL in whole Unix seconds', () => {
    const server = turnCredentials(TURN, 1_700_000_000_999, 'alice');
    assert.deepEqual(server, {
      urls: TURN.urls,
      username: '1700000600:alice',
      credential: hmacSha1Base64(SECRET, '1700000600:alice'),
    });
    assert.notEqual(server.urls, TURN.urls, 'a copy of the URLs');
  });

  test('without an ID each call draws a random one; time moving moves the expiry', () => {
    const now = 1_700_000_000_000;
    const first = turnCredentials(TURN, now);
    const second = turnCredentials(TURN, now);
    assert.notEqual(first.username, second.username);
    assert.equal(expiryOf(first.username), 1_700_000_600);
    assert.equal(expiryOf(turnCredentials(TURN, now + 90_000).username), 1_700_000_690);
    for (const server of [first, second]) {
      assert.equal(server.credential, hmacSha1Base64(SECRET, server.username));
    }
  });

  test('checkTurnRestConfig refuses no URLs, a stun: URL, an empty secret, a bad lifetime', () => {
    assert.doesNotThrow(() => checkTurnRestConfig(TURN));
    assert.throws(() => checkTurnRestConfig({ ...TURN, urls: [] }), TypeError);
    assert.throws(() => checkTurnRestConfig({ ...TURN, urls: ['stun:x'] }), /stun:x/);
    assert.throws(() => checkTurnRestConfig({ ...TURN, secret: '' }), TypeError);
    for (const ttlSeconds of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => checkTurnRestConfig({ ...TURN, ttlSeconds }), RangeError);
    }
  });
});

describe('/config.json with a TURN secret', () => {
  test('every GET signs credentials for the TURN URLs, after the static ICE servers kept as given', async (t) => {
    const iceServers = [
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turn:static.example.org'], username: 'u', credential: 'p' },
    ];
    const { server } = await withServer(t, { backend: new FakeBackend(), iceServers, turn: TURN });
    const before = Math.floor(Date.now() / 1000);
    const served = await config(server.url);
    const after = Math.floor(Date.now() / 1000);
    assert.deepEqual(Object.keys(served), ['iceServers'], 'no iceTransportPolicy unless set');
    assert.equal(served.iceServers.length, 3);
    assert.deepEqual(served.iceServers.slice(0, 2), iceServers);
    const signed = served.iceServers[2]!;
    assert.deepEqual(signed.urls, TURN.urls);
    const expiry = expiryOf(signed.username!);
    assert.ok(
      expiry >= before + TURN.ttlSeconds && expiry <= after + TURN.ttlSeconds,
      `expiry ${expiry} is now + ${TURN.ttlSeconds} s (now: ${before}..${after})`,
    );
    assert.equal(signed.credential, hmacSha1Base64(SECRET, signed.username!));
  });

  test('two pages a minute apart get different user names, expiries 60 s apart', async (t) => {
    const { server } = await withServer(t, { backend: new FakeBackend(), turn: TURN });
    const start = Date.UTC(2030, 0, 1);
    t.mock.timers.enable({ apis: ['Date'], now: start });
    const first = (await config(server.url)).iceServers[0]!;
    t.mock.timers.tick(60_000);
    const second = (await config(server.url)).iceServers[0]!;
    assert.notEqual(first.username, second.username);
    assert.equal(expiryOf(first.username!), start / 1000 + TURN.ttlSeconds);
    assert.equal(expiryOf(second.username!), start / 1000 + 60 + TURN.ttlSeconds);
    assert.equal(second.credential, hmacSha1Base64(SECRET, second.username!));
  });

  test('iceTransportPolicy is carried as given', async (t) => {
    const { server } = await withServer(t, {
      backend: new FakeBackend(),
      turn: TURN,
      iceTransportPolicy: 'relay',
    });
    assert.equal((await config(server.url)).iceTransportPolicy, 'relay');
  });

  test('startServer rejects an invalid TURN configuration before listening', async () => {
    const backend = new FakeBackend();
    const start = async (turn: TurnRestConfig) => {
      const server = await startServer({ port: 0, logLevel: 'silent', backend, turn });
      await server.close(); // only if it wrongly started
    };
    await assert.rejects(start({ ...TURN, urls: ['http://turn.example.org'] }), TypeError);
    await assert.rejects(start({ ...TURN, ttlSeconds: 0 }), RangeError);
  });
});

describe('readConfig: TURN_URLS, TURN_SECRET, TURN_TTL_S, ICE_TRANSPORT_POLICY', () => {
  test('reads the URLs, the secret and the lifetime (default 86400 s); the SFU keeps the static list', () => {
    const config = readConfig({
      ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]',
      TURN_URLS: ' turn:turn.example.org:3478?transport=udp , turns:turn.example.org:5349 ',
      TURN_SECRET: SECRET,
      ICE_TRANSPORT_POLICY: 'relay',
    });
    assert.deepEqual(config.turn, {
      urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      secret: SECRET,
      ttlSeconds: DEFAULT_TURN_TTL_S,
    });
    assert.equal(DEFAULT_TURN_TTL_S, 86_400);
    assert.deepEqual(config.iceServers, [{ urls: 'stun:stun.example.org' }]);
    assert.equal(config.iceTransportPolicy, 'relay');
    const short = readConfig({
      TURN_URLS: 'turn:t.example.org',
      TURN_SECRET: 's',
      TURN_TTL_S: '60',
    });
    assert.equal(short.turn?.ttlSeconds, 60);
    assert.equal(short.iceTransportPolicy, undefined);
  });

  test('relay with a static TURN server in ICE_SERVERS is accepted; all is carried too', () => {
    const iceServers = '[{"urls":"turns:t.example.org","username":"u","credential":"p"}]';
    assert.equal(
      readConfig({ ICE_SERVERS: iceServers, ICE_TRANSPORT_POLICY: 'relay' }).iceTransportPolicy,
      'relay',
    );
    assert.equal(readConfig({ ICE_TRANSPORT_POLICY: 'all' }).iceTransportPolicy, 'all');
  });

  test('names the variable that is wrong', () => {
    const turn = { TURN_URLS: 'turn:t.example.org', TURN_SECRET: 's' };
    const cases: [Record<string, string>, RegExp][] = [
      [{ TURN_SECRET: 's' }, /TURN_URLS and TURN_SECRET go together/],
      [{ TURN_URLS: 'turn:t.example.org' }, /TURN_URLS and TURN_SECRET go together/],
      [{ TURN_TTL_S: '600' }, /TURN_TTL_S needs TURN_URLS and TURN_SECRET/],
      [{ ...turn, TURN_URLS: 'stun:t.example.org' }, /TURN_URLS: "stun:t.example.org"/],
      [{ ...turn, TURN_URLS: 'turn:a.example.org, https://b' }, /TURN_URLS: "https:\/\/b"/],
      [{ ...turn, TURN_URLS: 'turn:t.example.org?transport=tls' }, /TURN_URLS/],
      [{ ...turn, TURN_URLS: ' , ' }, /TURN_URLS/],
      [{ ...turn, TURN_TTL_S: '0' }, /TURN_TTL_S/],
      [{ ...turn, TURN_TTL_S: '-60' }, /TURN_TTL_S/],
      [{ ...turn, TURN_TTL_S: '1.5' }, /TURN_TTL_S/],
      [{ ...turn, TURN_TTL_S: 'a day' }, /TURN_TTL_S/],
      [{ ICE_TRANSPORT_POLICY: 'relay-only' }, /ICE_TRANSPORT_POLICY must be all or relay/],
      [{ ICE_TRANSPORT_POLICY: 'relay' }, /ICE_TRANSPORT_POLICY=relay needs/],
      [
        { ICE_SERVERS: '[{"urls":"stun:s.example.org"}]', ICE_TRANSPORT_POLICY: 'relay' },
        /ICE_TRANSPORT_POLICY=relay needs/,
      ],
    ];
    for (const [env, message] of cases)
      assert.throws(() => readConfig(env), message, JSON.stringify(env));
  });
});

describe('main.ts with TURN_URLS and TURN_SECRET', () => {
  test('/config.json carries signed credentials and the relay policy', async (t) => {
    const server = spawnServerProcess({
      ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
      TURN_URLS: 'turn:turn.example.org:3478',
      TURN_SECRET: SECRET,
      TURN_TTL_S: '3600',
      ICE_TRANSPORT_POLICY: 'relay',
    });
    t.after(() => server.stop());
    const url = await server.listening();
    const before = Math.floor(Date.now() / 1000);
    const served = await config(url);
    const after = Math.floor(Date.now() / 1000);
    assert.equal(served.iceTransportPolicy, 'relay');
    assert.deepEqual(served.iceServers[0], { urls: 'stun:stun.example.org:3478' });
    const signed = served.iceServers[1]!;
    assert.deepEqual(signed.urls, ['turn:turn.example.org:3478']);
    const expiry = expiryOf(signed.username!);
    assert.ok(expiry >= before + 3600 && expiry <= after + 3600, `expiry ${expiry}`);
    assert.equal(signed.credential, hmacSha1Base64(SECRET, signed.username!));
    assert.doesNotMatch(server.output(), new RegExp(SECRET), 'the secret is never logged');
  });

  test('TURN_SECRET without TURN_URLS exits 2 and names them', async () => {
    const server = spawnServerProcess({ TURN_SECRET: SECRET });
    const [code] = await server.exited;
    assert.equal(code, 2);
    assert.match(server.stderr(), /TURN_URLS and TURN_SECRET go together/);
    assert.equal(server.stdout(), '');
  });
});
