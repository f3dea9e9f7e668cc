/**
 * The mute state, our own message pair: `setMediaState` from a client, kept by the server
 * and relayed to the room as `participantMediaState`. The parser's strict validation, then
 * real WebSocket clients against the scripted media backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CloseCode,
  parseClientMessage,
  parseServerMessage,
  type ParticipantMediaStateMessage,
} from '../../packages/sdk/src/protocol/index.js';
import { withFakeBackend } from './helpers/fixture.js';
import type { TestClient } from './helpers/ws-client.js';

const MUTED_AUDIO = { audioMuted: true, videoMuted: false };

/** The `participantMediaState` messages a client received, in order. */
const mediaStates = (client: TestClient): ParticipantMediaStateMessage[] =>
  client.history.filter((m): m is ParticipantMediaStateMessage => m.id === 'participantMediaState');

describe('the protocol parser: setMediaState and participantMediaState', () => {
  test('accepts both booleans (and a name, from the server), dropping unknown keys', () => {
    assert.deepEqual(
      parseClientMessage('{"id":"setMediaState","audioMuted":true,"videoMuted":false,"x":1}'),
      { ok: true, message: { id: 'setMediaState', audioMuted: true, videoMuted: false } },
    );
    assert.deepEqual(
      parseServerMessage({
        id: 'participantMediaState',
        name: 'alice',
        audioMuted: false,
        videoMuted: true,
      }),
      {
        ok: true,
        message: {
          id: 'participantMediaState',
          name: 'alice',
          audioMuted: false,
          videoMuted: true,
        },
      },
    );
  });

  test('refuses missing or mistyped fields with INVALID_MESSAGE naming the field', () => {
    const client: [unknown, string][] = [
      [{ id: 'setMediaState', videoMuted: false }, 'audioMuted'],
      [{ id: 'setMediaState', audioMuted: true }, 'videoMuted'],
      [{ id: 'setMediaState', audioMuted: 'true', videoMuted: false }, 'audioMuted'],
      [{ id: 'setMediaState', audioMuted: true, videoMuted: 0 }, 'videoMuted'],
      [{ id: 'setMediaState', audioMuted: null, videoMuted: false }, 'audioMuted'],
    ];
    for (const [frame, field] of client) {
      const result = parseClientMessage(frame);
      assert.equal(result.ok, false, JSON.stringify(frame));
      if (result.ok) continue;
      assert.equal(result.error.code, 'INVALID_MESSAGE');
      assert.equal(result.error.id, 'setMediaState');
      assert.match(result.error.message, new RegExp(`"${field}"`));
    }
    const server: [unknown, string][] = [
      [{ id: 'participantMediaState', audioMuted: true, videoMuted: false }, 'name'],
      [{ id: 'participantMediaState', name: 7, audioMuted: true, videoMuted: false }, 'name'],
      [{ id: 'participantMediaState', name: 'a', audioMuted: 1, videoMuted: false }, 'audioMuted'],
      [{ id: 'participantMediaState', name: 'a', audioMuted: true }, 'videoMuted'],
    ];
    for (const [frame, field] of server) {
      const result = parseServerMessage(frame);
      assert.equal(result.ok, false, JSON.stringify(frame));
      if (result.ok) continue;
      assert.equal(result.error.code, 'INVALID_MESSAGE');
      assert.match(result.error.message, new RegExp(`"${field}"`));
    }
  });

  test('each message belongs to its own direction', () => {
    const set = { id: 'setMediaState', audioMuted: true, videoMuted: true };
    const relayed = { ...set, id: 'participantMediaState', name: 'a' };
    assert.equal(parseServerMessage(set).ok, false);
    assert.equal(parseClientMessage(relayed).ok, false);
  });
});

describe('setMediaState on the reference server', () => {
  test('is relayed as participantMediaState to every other participant, not back to the sender', async (t) => {
    const { connect } = await withFakeBackend(t);
    const [alice, bob, carol] = await Promise.all([connect(), connect(), connect()]);
    await alice.join('room', 'alice');
    await bob.join('room', 'bob');
    await carol.join('room', 'carol');
    alice.send({ id: 'setMediaState', ...MUTED_AUDIO });
    const expected = { id: 'participantMediaState', name: 'alice', ...MUTED_AUDIO };
    assert.deepEqual(await bob.next('participantMediaState'), expected);
    assert.deepEqual(await carol.next('participantMediaState'), expected);
    alice.send({ id: 'setMediaState', audioMuted: false, videoMuted: false });
    assert.equal((await bob.next('participantMediaState')).audioMuted, false);
    await alice.barrier();
    assert.deepEqual(mediaStates(alice), [], 'the sender gets nothing back, not even an error');
    assert.deepEqual(
      alice.history.filter((m) => m.id === 'error' && m.request !== 'barrier'),
      [],
    );
  });

  test('an unchanged state is not relayed again', async (t) => {
    const { connect } = await withFakeBackend(t);
    const [alice, bob] = await Promise.all([connect(), connect()]);
    await alice.join('room', 'alice');
    await bob.join('room', 'bob');
    alice.send({ id: 'setMediaState', ...MUTED_AUDIO });
    alice.send({ id: 'setMediaState', ...MUTED_AUDIO });
    await alice.barrier();
    await bob.barrier();
    assert.deepEqual(
      mediaStates(bob).map((m) => m.audioMuted),
      [false, true],
      'alice’s state when bob joined, then one relay',
    );
  });

  test('does not cross rooms', async (t) => {
    const { connect } = await withFakeBackend(t);
    const [alice, bob, other] = await Promise.all([connect(), connect(), connect()]);
    await alice.join('room', 'alice');
    await bob.join('room', 'bob');
    await other.join('elsewhere', 'bob');
    alice.send({ id: 'setMediaState', ...MUTED_AUDIO });
    await bob.next('participantMediaState');
    await alice.barrier();
    await other.barrier();
    assert.deepEqual(mediaStates(other), []);
  });

  test('a newcomer gets everyone’s state, defaults included, right after existingParticipants, in the same order', async (t) => {
    const { connect } = await withFakeBackend(t);
    const names = ['alice', 'bob', 'carol', 'dave'];
    const clients = await Promise.all(names.map(() => connect()));
    for (const [i, client] of clients.entries()) await client.join('room', names[i]!);
    const [alice, bob, carol, dave] = clients as [TestClient, TestClient, TestClient, TestClient];
    dave.send({ id: 'setMediaState', audioMuted: false, videoMuted: true });
    alice.send({ id: 'setMediaState', audioMuted: true, videoMuted: true });
    carol.send({ id: 'setMediaState', ...MUTED_AUDIO });
    carol.send({ id: 'setMediaState', audioMuted: false, videoMuted: false }); // back to default
    bob.send({ id: 'setMediaState', ...MUTED_AUDIO });
    for (const client of clients) await client.barrier();

    const eve = await connect();
    assert.deepEqual(await eve.join('room', 'eve'), names);
    await eve.barrier();
    assert.deepEqual(eve.history.slice(0, 5), [
      { id: 'existingParticipants', data: names },
      { id: 'participantMediaState', name: 'alice', audioMuted: true, videoMuted: true },
      { id: 'participantMediaState', name: 'bob', ...MUTED_AUDIO },
      { id: 'participantMediaState', name: 'carol', audioMuted: false, videoMuted: false },
      { id: 'participantMediaState', name: 'dave', audioMuted: false, videoMuted: true },
    ]);
    assert.equal(mediaStates(eve).length, 4);
  });

  test('before joinRoom it gets NOT_JOINED, like every other request', async (t) => {
    const { connect } = await withFakeBackend(t);
    const client = await connect();
    client.send({ id: 'setMediaState', ...MUTED_AUDIO });
    const error = await client.next('error');
    assert.equal(error.code, 'NOT_JOINED');
    assert.equal(error.request, 'setMediaState');
    assert.deepEqual(await client.join('room', 'alice'), []);
  });

  test('after leaving it gets NOT_JOINED, and the state is gone: a newcomer with the same name starts unmuted', async (t) => {
    const { connect } = await withFakeBackend(t);
    const [alice, bob] = await Promise.all([connect(), connect()]);
    await alice.join('room', 'alice');
    await bob.join('room', 'bob');
    alice.send({ id: 'setMediaState', ...MUTED_AUDIO });
    await bob.next('participantMediaState');
    alice.send({ id: 'leaveRoom' });
    alice.send({ id: 'setMediaState', audioMuted: true, videoMuted: true });
    assert.equal((await alice.next('error')).code, 'NOT_JOINED');
    await bob.next('participantLeft');

    const again = await connect();
    assert.deepEqual(await again.join('room', 'alice'), ['bob']);
    const carol = await connect();
    assert.deepEqual(await carol.join('room', 'carol'), ['bob', 'alice']);
    await carol.barrier();
    assert.deepEqual(
      mediaStates(carol).map(({ name, audioMuted, videoMuted }) => [name, audioMuted, videoMuted]),
      [
        ['bob', false, false],
        ['alice', false, false],
      ],
      'the new alice is unmuted',
    );
    await bob.barrier();
    assert.deepEqual(
      mediaStates(bob).map((m) => m.audioMuted),
      [false, true],
      'bob got the first alice’s state on joining and her mute, nothing of the new alice',
    );
  });

  test('a takeover (re-join with the sessionId) keeps the state; the re-joiner gets everyone’s state', async (t) => {
    const { connect } = await withFakeBackend(t);
    const sessionId = randomUUID();
    const [alice, bob] = await Promise.all([connect(), connect()]);
    await alice.join('room', 'alice', sessionId);
    await bob.join('room', 'bob');
    alice.send({ id: 'setMediaState', audioMuted: true, videoMuted: true });
    await bob.next('participantMediaState');

    const again = await connect();
    assert.deepEqual(await again.join('room', 'alice', sessionId), ['bob']);
    assert.equal((await alice.closed).code, CloseCode.REPLACED);
    assert.deepEqual(
      mediaStates(again),
      [{ id: 'participantMediaState', name: 'bob', audioMuted: false, videoMuted: false }],
      'bob’s state, default included: what changed while the old connection was dead',
    );
    const carol = await connect();
    await carol.join('room', 'carol');
    assert.deepEqual(mediaStates(carol)[0], {
      id: 'participantMediaState',
      name: 'alice',
      audioMuted: true,
      videoMuted: true,
    });
    // The same state again from the new connection is no change for the others.
    again.send({ id: 'setMediaState', audioMuted: true, videoMuted: true });
    await again.barrier();
    await bob.barrier();
    assert.deepEqual(
      mediaStates(bob).map((m) => m.audioMuted),
      [false, true],
      'alice’s state when bob joined, then her mute; the takeover relays nothing',
    );
  });

  test('counts against the rate limit like any message', async (t) => {
    const { connect } = await withFakeBackend(t, { rateLimit: { messagesPerSecond: 1, burst: 3 } });
    const [alice, bob] = await Promise.all([connect(), connect()]);
    await alice.join('room', 'alice');
    await bob.join('room', 'bob');
    for (let i = 0; i < 6; i += 1) {
      alice.send({ id: 'setMediaState', audioMuted: i % 2 === 0, videoMuted: false });
    }
    assert.equal((await alice.next('error')).code, 'RATE_LIMITED');
    await bob.next('participantMediaState', (m) => !m.audioMuted);
    await bob.barrier();
    // joinRoom and two setMediaState fill the burst of 3; the other four were dropped
    // (the first state is alice's when bob joined).
    assert.deepEqual(
      mediaStates(bob).map((m) => m.audioMuted),
      [false, true, false],
    );
  });
});
