// DefaultReconnectPolicy: its delay table, jitter and limit; and the options RoomClient checks.
import { expect } from '@esm-bundle/chai';
import { SignalingError } from '../../packages/sdk/src/core/errors.js';
import {
  DEFAULT_RECONNECT_DELAYS_MS,
  DefaultReconnectPolicy,
} from '../../packages/sdk/src/core/reconnect-policy.js';
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';

const reason = new SignalingError('socket', 'The signaling socket closed (code 1006).');

describe('DefaultReconnectPolicy', () => {
  it('follows the table [0, 300, 600, 1000] ms ±20%, then 1000 ms ±20%', () => {
    expect(DEFAULT_RECONNECT_DELAYS_MS).to.deep.equal([0, 300, 600, 1000]);
    const policy = new DefaultReconnectPolicy();
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const base = DEFAULT_RECONNECT_DELAYS_MS[Math.min(attempt, 3)];
      for (let i = 0; i < 20; i += 1) {
        const delay = policy.nextRetryDelayInMs({ attempt, elapsedMs: 1000, reason });
        expect(delay).to.be.within(Math.floor(base * 0.8), Math.ceil(base * 1.2));
      }
    }
  });

  it('jitters: the same attempt does not always get the same delay', () => {
    const policy = new DefaultReconnectPolicy();
    const delays = new Set(
      Array.from({ length: 20 }, () =>
        policy.nextRetryDelayInMs({ attempt: 3, elapsedMs: 0, reason }),
      ),
    );
    expect(delays.size).to.be.greaterThan(1);
  });

  it('gives up (null) once maxElapsedMs (default 60000) has passed', () => {
    const policy = new DefaultReconnectPolicy();
    expect(policy.nextRetryDelayInMs({ attempt: 20, elapsedMs: 59_999, reason })).to.be.a('number');
    expect(policy.nextRetryDelayInMs({ attempt: 20, elapsedMs: 60_000, reason })).to.equal(null);
  });

  it('takes its own table, limit and jitter', () => {
    const policy = new DefaultReconnectPolicy({ delaysMs: [10, 20], maxElapsedMs: 500, jitter: 0 });
    const delays = [0, 1, 2].map((attempt) =>
      policy.nextRetryDelayInMs({ attempt, elapsedMs: 0, reason }),
    );
    expect(delays).to.deep.equal([10, 20, 20]);
    expect(policy.nextRetryDelayInMs({ attempt: 3, elapsedMs: 500, reason })).to.equal(null);
  });

  it('throws a TypeError on an empty table or a negative number', () => {
    expect(() => new DefaultReconnectPolicy({ delaysMs: [] })).to.throw(TypeError);
    expect(() => new DefaultReconnectPolicy({ delaysMs: [0, -1] })).to.throw(TypeError);
    expect(() => new DefaultReconnectPolicy({ maxElapsedMs: -1 })).to.throw(TypeError);
    expect(() => new DefaultReconnectPolicy({ jitter: -0.1 })).to.throw(TypeError);
  });
});

describe('RoomClient reconnection options', () => {
  const url = 'ws://127.0.0.1:9/groupcall';

  it('new RoomClient() throws a TypeError on a bad stallTimeoutMs, rejoinGraceMs or reconnectPolicy', () => {
    expect(() => new RoomClient({ url, stallTimeoutMs: 0 })).to.throw(TypeError);
    expect(() => new RoomClient({ url, rejoinGraceMs: -1 })).to.throw(TypeError);
    expect(() => new RoomClient({ url, reconnectPolicy: {} as never })).to.throw(TypeError);
    expect(new RoomClient({ url, rejoinGraceMs: 0, reconnectPolicy: false }).state).to.equal(
      'disconnected',
    );
  });
});
