/**
 * Ours, beside the Kurento contract: `ping` answered by `pong` (the SDK's liveness check),
 * and browser candidates of a replaced ICE session dropped, not applied to the endpoint that
 * replaced it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FakeBackend } from './helpers/fake-backend.js';
import { withFakeBackend } from './helpers/fixture.js';

const offer = (ufrag: string) => `v=0\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:x\r\n`;
const candidate = (port: number, ufrag?: string) => ({
  candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host${ufrag ? ` ufrag ${ufrag}` : ''}`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

/** The ports of the candidates alice's publisher endpoint was given, in order. */
const appliedPorts = (backend: FakeBackend) =>
  backend
    .find('publisher', 'alice')!
    .candidates.map((c) => / (\d{5}) typ/.exec(c.candidate.candidate)?.[1]);

describe('ping', () => {
  test('is answered with pong before joining and after', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    alice.send({ id: 'ping' });
    assert.deepEqual(await alice.next('pong'), { id: 'pong' });
    await alice.join('room', 'alice');
    alice.send({ id: 'ping' });
    assert.deepEqual(await alice.next('pong'), { id: 'pong' });
    assert.deepEqual(
      alice.history.filter((m) => m.id === 'error'),
      [],
    );
  });
});

describe('candidates of a replaced peer connection', () => {
  test('one naming another ufrag than the offer is dropped; the offer’s own and unnamed ones apply', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: offer('newU') });
    await alice.next('receiveVideoAnswer');
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(50001, 'oldU') });
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(50002, 'newU') });
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(50003) });
    await alice.barrier();
    assert.deepEqual(appliedPorts(backend), ['50002', '50003']);
    assert.deepEqual(
      alice.history.filter((m) => m.id === 'error' && m.request !== 'barrier'),
      [],
    );
  });

  test('queued ones of the old session are dropped when the new offer is answered', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    // Trickled before the offer they belong with: queued until its answer.
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(50001, 'oldU') });
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(50002, 'newU') });
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: offer('newU') });
    await alice.next('receiveVideoAnswer');
    await alice.barrier();
    assert.deepEqual(appliedPorts(backend), ['50002']);
  });
});
