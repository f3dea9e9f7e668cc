/**
 * The server's guards as units, on injected clocks and values: the message rate
 * limiter, the `Origin` policy and session id comparison.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createOriginPolicy,
  normalizeOrigin,
  ownOrigins,
} from '../../packages/server/src/origin-policy.js';
import {
  DEFAULT_RATE_LIMIT,
  RateLimiter,
  type Admission,
} from '../../packages/server/src/signaling/rate-limiter.js';
import {
  assertValidSessionId,
  sameSessionId,
} from '../../packages/server/src/signaling/session-id.js';
import { SignalingError } from '../../packages/server/src/signaling/signaling-error.js';

/** A limiter on a clock the test moves, and a tally of its decisions. */
function limiterAt(limit: ConstructorParameters<typeof RateLimiter>[0] = {}) {
  let now = 0;
  const limiter = new RateLimiter(limit, () => now);
  return {
    limiter,
    advance: (ms: number) => (now += ms),
    /** Admits `count` messages at the current time and tallies the outcomes. */
    send(count: number): Record<Admission, number> {
      const tally: Record<Admission, number> = { accept: 0, drop: 0, notify: 0, close: 0 };
      for (let i = 0; i < count; i++) tally[limiter.admit()] += 1;
      return tally;
    },
  };
}

describe('RateLimiter', () => {
  test('accepts a burst of `burst` messages at once, then drops with one notice', () => {
    const { send } = limiterAt();
    assert.deepEqual(send(DEFAULT_RATE_LIMIT.burst), { accept: 200, drop: 0, notify: 0, close: 0 });
    assert.deepEqual(send(50), { accept: 0, drop: 49, notify: 1, close: 0 });
  });

  test('refills at `messagesPerSecond`, never above `burst`', () => {
    const { send, advance } = limiterAt({ messagesPerSecond: 10, burst: 20 });
    send(20);
    advance(500);
    assert.equal(send(10).accept, 5);
    advance(60_000);
    assert.equal(send(100).accept, 20);
  });

  test('notifies at most once per second however many are dropped', () => {
    const { send, advance } = limiterAt({ messagesPerSecond: 1, burst: 1 });
    let notices = 0;
    for (let ms = 0; ms < 3000; ms += 10) {
      notices += send(5).notify;
      advance(10);
    }
    assert.equal(notices, 3);
  });

  test('a steady sender within the rate is never refused', () => {
    const { send, advance } = limiterAt();
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 50; i++) {
        assert.equal(send(1).accept, 1, `second ${second}, message ${i}`);
        advance(20);
      }
    }
  });

  test('moderate bursts over the rate get dropped but never closed', () => {
    const { send, advance } = limiterAt();
    for (let second = 0; second < 20; second++) {
      assert.equal(send(400).close, 0); // 8× the rate every second: over the limit, under abuse
      advance(1000);
    }
  });

  test('closes after `abuseSeconds` consecutive seconds over `abuseFactor` × the rate', () => {
    const { send, advance } = limiterAt(); // 50/s: abuse is over 500 in each of 5 seconds
    for (let second = 0; second < 4; second++) {
      assert.equal(send(600).close, 0, `second ${second}`);
      advance(1000);
    }
    const fifth = send(600);
    assert.equal(fifth.close, 100, 'every message past 500 in the fifth second');
  });

  test('a quiet second breaks the abuse streak', () => {
    const { send, advance } = limiterAt({ abuseSeconds: 3 });
    send(600);
    advance(1000);
    send(600);
    advance(2000); // one second without messages
    send(600);
    advance(1000);
    assert.equal(send(600).close, 0);
    advance(1000);
    assert.ok(send(600).close > 0);
  });

  test('refuses limits that are not positive numbers', () => {
    for (const limit of [{ burst: 0 }, { messagesPerSecond: -1 }, { abuseFactor: NaN }]) {
      assert.throws(() => new RateLimiter(limit), RangeError, JSON.stringify(limit));
    }
  });
});

describe('origin policy', () => {
  test('normalizes origins as browsers serialize them', () => {
    assert.equal(normalizeOrigin('HTTP://Example.COM:80/path'), 'http://example.com');
    assert.equal(normalizeOrigin('https://meet.example.com:8443'), 'https://meet.example.com:8443');
    for (const bad of ['example.com', 'ftp://example.com', 'null', '']) {
      assert.throws(() => normalizeOrigin(bad), TypeError, bad);
    }
  });

  test('own origins: HOST:PORT, with localhost for loopback, every interface for a wildcard', () => {
    assert.deepEqual(ownOrigins('127.0.0.1', 8443), [
      'http://127.0.0.1:8443',
      'http://localhost:8443',
    ]);
    assert.deepEqual(ownOrigins('::1', 80), ['http://[::1]', 'http://localhost']);
    assert.deepEqual(ownOrigins('192.0.2.7', 8443), ['http://192.0.2.7:8443']);
    const wildcard = ownOrigins('0.0.0.0', 8443);
    assert.ok(wildcard.includes('http://127.0.0.1:8443'), wildcard.join());
    assert.ok(wildcard.includes('http://localhost:8443'), wildcard.join());
  });

  test('by default allows the own origins and requests without Origin, nothing else', () => {
    const allowed = createOriginPolicy({ host: '192.0.2.7', port: 8443 });
    assert.equal(allowed('http://192.0.2.7:8443'), true);
    assert.equal(allowed(undefined), true);
    for (const origin of [
      'http://192.0.2.7:8444',
      'https://192.0.2.7:8443',
      'http://localhost:8443',
      'null',
      'http://evil.example',
    ]) {
      assert.equal(allowed(origin), false, origin);
    }
  });

  test('a loopback server also allows any loopback origin by default, and nothing foreign', () => {
    const allowed = createOriginPolicy({ host: '127.0.0.1', port: 8443 });
    for (const origin of [
      'http://127.0.0.1:8443',
      'http://localhost:8443',
      'http://127.0.0.1:5173',
      'https://localhost:4000',
      'http://[::1]:8080',
    ]) {
      assert.equal(allowed(origin), true, origin);
    }
    for (const origin of [
      'http://127.0.0.1.evil.example',
      'http://evil.example',
      'null',
      'file://',
    ]) {
      assert.equal(allowed(origin), false, origin);
    }
    const listed = createOriginPolicy({
      host: '127.0.0.1',
      port: 8443,
      allowedOrigins: ['https://meet.example.com'],
    });
    assert.equal(listed('http://127.0.0.1:5173'), false, 'an explicit list replaces it');
  });

  test('a list replaces the defaults; `*` allows all; allowNoOrigin false refuses requests without', () => {
    const listed = createOriginPolicy({
      host: '127.0.0.1',
      port: 8443,
      allowedOrigins: ['https://Meet.Example.com/'],
      allowNoOrigin: false,
    });
    assert.equal(listed('https://meet.example.com'), true);
    assert.equal(listed('http://127.0.0.1:8443'), false);
    assert.equal(listed(undefined), false);
    const any = createOriginPolicy({ host: '127.0.0.1', port: 1, allowedOrigins: ['*'] });
    assert.equal(any('http://anything.example'), true);
    assert.throws(
      () => createOriginPolicy({ host: 'h', port: 1, allowedOrigins: ['nope'] }),
      TypeError,
    );
  });
});

describe('session ids', () => {
  test('compare equal only when equal, whatever their lengths', () => {
    const id = 'k3J9-xq2LmZ0pR7v';
    assert.equal(sameSessionId(id, id.slice()), true);
    assert.equal(sameSessionId(id, id + 'x'), false);
    assert.equal(sameSessionId(id, id.toUpperCase()), false);
    assert.equal(sameSessionId('', id), false);
  });

  test('must be 16 to 256 characters', () => {
    assert.doesNotThrow(() => assertValidSessionId('x'.repeat(16)));
    assert.doesNotThrow(() => assertValidSessionId('x'.repeat(256)));
    for (const bad of ['', 'x'.repeat(15), 'x'.repeat(257)]) {
      assert.throws(
        () => assertValidSessionId(bad),
        (error) => error instanceof SignalingError && error.code === 'INVALID_MESSAGE',
      );
    }
  });
});
