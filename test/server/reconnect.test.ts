/**
 * Surviving dropped connections: a client takes its name back with the `sessionId` it
 * joined with (the others see nothing), and the heartbeat finds sockets that went
 * silent. Real WebSocket clients against the scripted media backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { CloseCode } from '../../packages/sdk/src/protocol/index.js';
import { twoInCall, until, withFakeBackend } from './helpers/fixture.js';
import type { TestClient } from './helpers/ws-client.js';

const session = () => randomUUID(); // 36 characters

/** The ids of room events a client received: what "the others see nothing" is about. */
const roomEvents = (client: TestClient) =>
  client.history
    .filter((m) => m.id === 'participantLeft' || m.id === 'newParticipantArrived')
    .map((m) => `${m.id} ${'name' in m ? m.name : ''}`);

describe('taking a name back with the same sessionId', () => {
  /** alice (with a session id) and bob, each publishing and subscribed to the other. */
  async function call(t: TestContext) {
    const fixture = await withFakeBackend(t);
    const sessionId = session();
    const clients = await twoInCall(fixture, sessionId);
    assert.deepEqual(fixture.server.stats(), { rooms: 1, participants: 2, endpoints: 4 });
    return { ...fixture, ...clients, sessionId };
  }

  test('the new connection takes the participant over; the old one is closed with 4001 and the others see nothing', async (t) => {
    const { connect, server, backend, alice, bob, sessionId } = await call(t);
    const oldPublisher = backend.find('publisher', 'alice');
    const oldSubscriber = backend.find('subscriber', 'alice');
    const eventsBefore = roomEvents(bob);

    const again = await connect();
    assert.deepEqual(await again.join('room', 'alice', sessionId), ['bob']);
    const closed = await alice.closed;
    assert.equal(closed.code, CloseCode.REPLACED);

    // Its subscriber endpoint is released, its publisher kept (bob still receives).
    assert.equal(oldSubscriber?.released, true);
    assert.equal(oldPublisher?.released, false);
    assert.equal(backend.find('subscriber', 'bob')?.source, oldPublisher);
    await bob.barrier();
    await again.barrier();
    assert.deepEqual(server.stats(), { rooms: 1, participants: 2, endpoints: 3 });
    assert.deepEqual(roomEvents(bob), eventsBefore, 'no participantLeft, no newParticipantArrived');
  });

  test('publishing again replaces the kept publisher endpoint and re-links the subscribers', async (t) => {
    const { connect, server, backend, bob, sessionId } = await call(t);
    const oldPublisher = backend.find('publisher', 'alice');
    const again = await connect();
    await again.join('room', 'alice', sessionId);

    again.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-again' });
    const answer = await again.next('receiveVideoAnswer');
    assert.deepEqual(answer, {
      id: 'receiveVideoAnswer',
      name: 'alice',
      sdpAnswer: 'answer to pub-again',
    });
    const newPublisher = backend.find('publisher', 'alice');
    assert.notEqual(newPublisher, oldPublisher);
    assert.equal(oldPublisher?.released, true);
    assert.equal(
      backend.find('subscriber', 'bob')?.source,
      newPublisher,
      'connected to the new one',
    );

    again.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-again' });
    assert.equal(
      (await again.next('receiveVideoAnswer', (m) => m.name === 'bob')).sdpAnswer,
      'answer to sub-again',
    );
    assert.deepEqual(server.stats(), { rooms: 1, participants: 2, endpoints: 4 });

    // Leaving for real is seen as usual, once.
    again.send({ id: 'leaveRoom' });
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    await until(() => server.stats().endpoints === 1, 'only bob’s publisher is left');
    assert.deepEqual(roomEvents(bob), ['participantLeft alice']);
  });

  test('the old connection gets none of the room’s later messages', async (t) => {
    const { connect, bob, alice, sessionId } = await call(t);
    const again = await connect();
    await again.join('room', 'alice', sessionId);
    await alice.closed;
    bob.send({ id: 'leaveRoom' });
    assert.equal((await again.next('participantLeft')).name, 'bob');
    assert.equal(alice.history.filter((m) => m.id === 'participantLeft').length, 0);
  });

  test('requests still in flight on the old connection leave no endpoint and no reply on the new one', async (t) => {
    const { connect, server, backend, alice, bob, sessionId } = await call(t);
    for (let i = 0; i < 5; i++) {
      alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: `late-${i}` });
    }
    const again = await connect();
    await again.join('room', 'alice', sessionId);
    await alice.closed;
    await again.barrier();
    await bob.barrier();
    assert.equal(
      backend.find('subscriber', 'alice'),
      undefined,
      'no subscriber of alice’s is live',
    );
    assert.deepEqual(server.stats(), { rooms: 1, participants: 2, endpoints: 3 });
    assert.deepEqual(
      again.history.map((m) => m.id),
      ['existingParticipants', 'participantMediaState', 'error'],
      'only its join reply (with bob’s mute state) and its barrier',
    );
  });

  test('a publisher endpoint created for a subscriber and never offered takes the new connection’s first offer', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const sessionId = session();
    const alice = await connect();
    await alice.join('room', 'alice', sessionId);
    const bob = await connect();
    await bob.join('room', 'bob');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-bob' });
    await bob.next('receiveVideoAnswer');
    const early = backend.find('publisher', 'alice');
    const again = await connect();
    await again.join('room', 'alice', sessionId);
    again.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'first' });
    assert.equal((await again.next('receiveVideoAnswer')).sdpAnswer, 'answer to first');
    assert.equal(backend.find('publisher', 'alice'), early);
    assert.equal((await again.next('iceCandidate')).name, 'alice');
  });

  test('a different sessionId gets NAME_TAKEN and the holder keeps its place', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice', session());
    const bob = await connect();
    await bob.join('room', 'bob');
    for (const sessionId of [session(), undefined]) {
      const impostor = await connect();
      await assert.rejects(impostor.join('room', 'alice', sessionId), /NAME_TAKEN/);
    }
    await alice.barrier();
    assert.equal(alice.socket.readyState, alice.socket.OPEN);
    assert.equal(server.stats().participants, 2);
    assert.deepEqual(roomEvents(bob), []);
  });

  test('a holder without a sessionId (a foreign client) cannot be taken over', async (t) => {
    const { connect } = await withFakeBackend(t);
    const foreign = await connect();
    await foreign.join('room', 'alice');
    const other = await connect();
    await assert.rejects(other.join('room', 'alice', session()), /NAME_TAKEN/);
    await foreign.barrier();
  });

  test('a sessionId shorter than 16 characters gets INVALID_MESSAGE', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const client = await connect();
    await assert.rejects(client.join('room', 'alice', 'short'), /INVALID_MESSAGE/);
    assert.equal(server.stats().participants, 0);
    assert.deepEqual(await client.join('room', 'alice', 'x'.repeat(16)), []);
  });
});

describe('heartbeat', () => {
  test('a socket that never answers pings is closed with 4002 and its participant leaves', async (t) => {
    const { connect, server } = await withFakeBackend(t, { heartbeatIntervalMs: 50 });
    const silent = await connect({ autoPong: false });
    await silent.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    assert.equal((await silent.closed).code, CloseCode.HEARTBEAT_TIMEOUT);
    assert.equal(server.stats().participants, 1);
  });

  test('a socket that answers pings stays', async (t) => {
    const { connect, server } = await withFakeBackend(t, { heartbeatIntervalMs: 20 });
    const alice = await connect();
    await alice.join('room', 'alice');
    let pings = 0;
    await new Promise<void>((resolve) =>
      alice.socket.on('ping', () => {
        if (++pings === 5) resolve();
      }),
    );
    await alice.barrier();
    assert.equal(server.stats().participants, 1);
  });
});
