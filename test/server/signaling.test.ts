/**
 * The Kurento group-call contract as the reference server speaks it, with real
 * WebSocket clients and a scripted media backend (no media). Media negotiation with
 * the real SFU is in media.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { twoInCall, until, withFakeBackend } from './helpers/fixture.js';

const candidate = (n: number) => ({
  candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

describe('joinRoom', () => {
  test('the first participant gets existingParticipants []', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    assert.deepEqual(await alice.join('room', 'alice'), []);
  });

  test('a second participant gets [first], and the first gets newParticipantArrived', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    assert.deepEqual(await bob.join('room', 'bob'), ['alice']);
    assert.equal((await alice.next('newParticipantArrived')).name, 'bob');
    const carol = await connect();
    assert.deepEqual((await carol.join('room', 'carol')).sort(), ['alice', 'bob']);
    assert.deepEqual(server.stats(), { rooms: 1, participants: 3, endpoints: 0 });
  });

  test('names are per room: the same name joins two rooms', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const first = await connect();
    const second = await connect();
    assert.deepEqual(await first.join('red', 'alice'), []);
    assert.deepEqual(await second.join('blue', 'alice'), []);
    assert.deepEqual(server.stats(), { rooms: 2, participants: 2, endpoints: 0 });
  });

  test('a duplicate name gets NAME_TAKEN and the first holder keeps its place', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const impostor = await connect();
    impostor.send({ id: 'joinRoom', room: 'room', name: 'alice' });
    const error = await impostor.next('error');
    assert.equal(error.code, 'NAME_TAKEN');
    assert.equal(error.request, 'joinRoom');
    assert.equal(server.stats().participants, 1);
    // The first alice still receives room events; the refused socket may join under another name.
    assert.deepEqual(await impostor.join('room', 'alice2'), ['alice']);
    assert.equal((await alice.next('newParticipantArrived')).name, 'alice2');
  });

  test('a second joinRoom gets ALREADY_JOINED', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'joinRoom', room: 'other', name: 'alice' });
    assert.equal((await alice.next('error')).code, 'ALREADY_JOINED');
  });

  test('invalid room or participant names get INVALID_NAME', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const client = await connect();
    const bad = [
      '',
      '   ',
      'x'.repeat(65),
      'tab\there',
      'nul\u0000',
      'bell\u0007',
      'c1\u0085',
      'lone\ud800',
    ];
    for (const name of bad) {
      client.send({ id: 'joinRoom', room: 'room', name });
      assert.equal((await client.next('error')).code, 'INVALID_NAME', JSON.stringify(name));
      client.send({ id: 'joinRoom', room: name, name: 'alice' });
      assert.equal((await client.next('error')).code, 'INVALID_NAME', JSON.stringify(name));
    }
    assert.equal(server.stats().rooms, 0);
    // 64 code points, some outside the BMP, spaces inside: fine.
    const long = '😀'.repeat(32) + 'a b '.repeat(8);
    assert.deepEqual(await client.join(long, long), []);
  });

  test('two concurrent first joins create one room', async (t) => {
    const { connect, server, backend } = await withFakeBackend(t);
    const [alice, bob] = await Promise.all([connect(), connect()]);
    alice.send({ id: 'joinRoom', room: 'room', name: 'alice' });
    bob.send({ id: 'joinRoom', room: 'room', name: 'bob' });
    const [a, b] = await Promise.all([
      alice.next('existingParticipants'),
      bob.next('existingParticipants'),
    ]);
    assert.deepEqual([...a.data, ...b.data].sort(), ['alice']);
    assert.equal(server.stats().rooms, 1);
    assert.equal(backend.pipelines.length, 1);
  });
});

describe('refused frames', () => {
  test('requests before joinRoom get NOT_JOINED', async (t) => {
    const { connect } = await withFakeBackend(t);
    const client = await connect();
    client.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'v=0' });
    client.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(1) });
    client.send({ id: 'leaveRoom' });
    for (const request of ['receiveVideoFrom', 'onIceCandidate', 'leaveRoom']) {
      const error = await client.next('error');
      assert.equal(error.code, 'NOT_JOINED');
      assert.equal(error.request, request);
    }
  });

  test('malformed frames get an error reply and the connection stays usable', async (t) => {
    const { connect } = await withFakeBackend(t);
    const client = await connect();
    const cases: [string | Buffer, string, string | undefined][] = [
      ['{not json', 'MALFORMED_FRAME', undefined],
      ['[1,2]', 'MALFORMED_FRAME', undefined],
      ['"joinRoom"', 'MALFORMED_FRAME', undefined],
      ['null', 'MALFORMED_FRAME', undefined],
      ['{"name":"alice"}', 'MALFORMED_FRAME', undefined],
      ['{"id":42}', 'MALFORMED_FRAME', undefined],
      ['{"id":"dance"}', 'UNKNOWN_MESSAGE', 'dance'],
      ['{"id":"__proto__"}', 'UNKNOWN_MESSAGE', '__proto__'],
      ['{"id":"joinRoom","name":"alice"}', 'INVALID_MESSAGE', 'joinRoom'],
      ['{"id":"joinRoom","name":7,"room":"r"}', 'INVALID_MESSAGE', 'joinRoom'],
      [
        '{"id":"onIceCandidate","name":"a","candidate":{"sdpMid":"0"}}',
        'INVALID_MESSAGE',
        'onIceCandidate',
      ],
      [Buffer.from('{"id":"leaveRoom"}'), 'MALFORMED_FRAME', undefined],
    ];
    for (const [frame, code, request] of cases) {
      client.sendRaw(frame);
      const error = await client.next('error');
      assert.equal(error.code, code, String(frame));
      assert.equal(error.request, request, String(frame));
      assert.equal(typeof error.message, 'string');
    }
    assert.deepEqual(await client.join('room', 'alice'), []);
  });

  test('a frame over 64 KiB closes that socket with 1009, and only that one', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const greedy = await connect();
    greedy.sendRaw(JSON.stringify({ id: 'joinRoom', room: 'room', name: 'x'.repeat(70 * 1024) }));
    assert.equal((await greedy.closed).code, 1009);
    const bob = await connect();
    assert.deepEqual(await bob.join('room', 'bob'), ['alice']);
  });
});

describe('receiveVideoFrom and onIceCandidate', () => {
  test('publishing answers with the own name, then sends candidates', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-a' });
    const answer = await alice.next('receiveVideoAnswer');
    assert.deepEqual(answer, {
      id: 'receiveVideoAnswer',
      name: 'alice',
      sdpAnswer: 'answer to offer-a',
    });
    const found = await alice.next('iceCandidate');
    assert.equal(found.name, 'alice');
    assert.match(found.candidate.candidate, /^candidate:/);
    // The fake backend found that candidate before handing the answer back.
    const ids = alice.history.map((m) => m.id);
    assert.ok(ids.indexOf('receiveVideoAnswer') < ids.indexOf('iceCandidate'), ids.join());
  });

  test('subscribing answers with the sender name', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-a' });
    await alice.next('receiveVideoAnswer');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-b' });
    const answer = await bob.next('receiveVideoAnswer');
    assert.equal(answer.name, 'alice');
    assert.equal((await bob.next('iceCandidate')).name, 'alice');
    const subscriber = backend.find('subscriber', 'bob');
    assert.equal(subscriber?.source, backend.find('publisher', 'alice'));
  });

  test('receiveVideoFrom naming nobody in the room gets UNKNOWN_PARTICIPANT', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const other = await connect();
    await other.join('elsewhere', 'bob');
    alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'offer' });
    const error = await alice.next('error');
    assert.equal(error.code, 'UNKNOWN_PARTICIPANT');
    assert.equal(error.request, 'receiveVideoFrom');
    alice.send({ id: 'onIceCandidate', name: 'bob', candidate: candidate(1) });
    assert.equal((await alice.next('error')).code, 'UNKNOWN_PARTICIPANT');
    assert.equal(server.stats().endpoints, 0);
  });

  test('a subscription before the sender publishes creates its publisher endpoint, which takes the later offer', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-b' });
    assert.equal((await bob.next('receiveVideoAnswer')).name, 'alice');
    const early = backend.find('publisher', 'alice');
    assert.ok(early);
    assert.deepEqual(early.offers, []);
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-a' });
    await alice.next('receiveVideoAnswer');
    assert.equal(backend.find('publisher', 'alice'), early);
    assert.deepEqual(early.offers, ['offer-a']);
    assert.equal(backend.find('subscriber', 'bob')?.source, early);
  });

  test('candidates sent before their endpoint exists are applied once it has answered', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    // Candidates first (the tutorial server dropped these), then the offers.
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(1) });
    alice.send({ id: 'onIceCandidate', name: 'bob', candidate: candidate(2) });
    await alice.barrier();
    assert.deepEqual(
      alice.unread().filter((m) => m.id === 'error'),
      [],
      'queued, not refused',
    );
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-a' });
    alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'offer-ab' });
    await alice.barrier();
    const publisher = backend.find('publisher', 'alice');
    const subscriber = backend.find('subscriber', 'alice');
    assert.deepEqual(publisher?.candidates, [{ candidate: candidate(1), afterOffer: true }]);
    assert.deepEqual(subscriber?.candidates, [{ candidate: candidate(2), afterOffer: true }]);
  });

  test('an onIceCandidate right behind its receiveVideoFrom reaches the new endpoint', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer-a' });
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(1) });
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(2) });
    await alice.barrier();
    assert.deepEqual(
      backend.find('publisher', 'alice')?.candidates.map((c) => c.candidate),
      [candidate(1), candidate(2)],
    );
    assert.equal(alice.history.filter((m) => m.id === 'error').length, 1); // the barrier's
  });

  test('a repeated receiveVideoFrom for the same sender replaces the endpoint and releases the old one', async (t) => {
    const { connect, backend, server } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'first' });
    await bob.next('receiveVideoAnswer');
    const first = backend.find('subscriber', 'bob');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'second' });
    await bob.next('receiveVideoAnswer', (m) => m.sdpAnswer === 'answer to second');
    assert.equal(first?.released, true);
    assert.deepEqual(backend.find('subscriber', 'bob')?.offers, ['second']);
    assert.equal(server.stats().endpoints, 2); // alice's publisher + bob's subscriber
  });

  test('publishing again moves the subscribers to the new publisher endpoint', async (t) => {
    const { connect, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'first' });
    await alice.next('receiveVideoAnswer');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub' });
    await bob.next('receiveVideoAnswer');
    const old = backend.find('publisher', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'second' });
    await alice.next('receiveVideoAnswer', (m) => m.sdpAnswer === 'answer to second');
    const current = backend.find('publisher', 'alice');
    assert.equal(old?.released, true);
    assert.notEqual(current, old);
    assert.equal(backend.find('subscriber', 'bob')?.source, current);
  });

  test('an unusable offer gets MEDIA_ERROR and the connection stays usable', async (t) => {
    const { connect } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'please reject' });
    const error = await alice.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.equal(error.request, 'receiveVideoFrom');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'good' });
    assert.equal((await alice.next('receiveVideoAnswer')).sdpAnswer, 'answer to good');
  });
});

describe('leaving', () => {
  async function call(t: TestContext) {
    const fixture = await withFakeBackend(t);
    const clients = await twoInCall(fixture);
    assert.deepEqual(fixture.server.stats(), { rooms: 1, participants: 2, endpoints: 4 });
    return { ...fixture, ...clients };
  }

  test('leaveRoom tells the others participantLeft and releases both sides of its media', async (t) => {
    const { alice, bob, server, backend } = await call(t);
    alice.send({ id: 'leaveRoom' });
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    await until(() => server.stats().endpoints === 1, 'only bob’s publisher is left');
    assert.equal(backend.find('publisher', 'bob')?.released, false);
    assert.deepEqual(server.stats(), { rooms: 1, participants: 1, endpoints: 1 });
    // The same socket can join again, under the same name.
    assert.deepEqual(await alice.join('room', 'alice'), ['bob']);
    bob.send({ id: 'leaveRoom' });
    await until(
      () => server.stats().participants === 1 && server.stats().endpoints === 0,
      'bob left',
    );
  });

  test('a closing socket leaves like leaveRoom; the last one out closes the room', async (t) => {
    const { alice, bob, server, backend } = await call(t);
    await alice.close();
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    await bob.close();
    await until(() => server.stats().rooms === 0, 'the room is closed');
    assert.deepEqual(server.stats(), { rooms: 0, participants: 0, endpoints: 0 });
    assert.equal(backend.pipelines[0]?.released, true);
    assert.deepEqual(backend.stats(), { pipelines: 0, endpoints: 0 });
  });

  test('a late candidate for a participant who left gets UNKNOWN_PARTICIPANT, not a crash', async (t) => {
    const { alice, bob } = await call(t);
    alice.send({ id: 'leaveRoom' });
    await bob.next('participantLeft');
    bob.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(9) });
    assert.equal((await bob.next('error')).code, 'UNKNOWN_PARTICIPANT');
  });

  test('a socket closing before joinRoom is harmless', async (t) => {
    const { connect, server } = await withFakeBackend(t);
    const early = await connect();
    await early.close();
    const alice = await connect();
    assert.deepEqual(await alice.join('room', 'alice'), []);
    assert.equal(server.stats().participants, 1);
  });

  test('a room emptied and rejoined at once gets a fresh pipeline, never a released one', async (t) => {
    const { connect, server, backend } = await withFakeBackend(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'leaveRoom' });
    assert.deepEqual(await alice.join('room', 'alice'), []);
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'offer' });
    await alice.next('receiveVideoAnswer');
    assert.equal(server.stats().rooms, 1);
    assert.equal(backend.live.size, 1);
  });

  test('close() closes the sockets with 1001 and releases every endpoint', async (t) => {
    const { alice, bob, server, backend } = await call(t);
    await server.close();
    assert.equal((await alice.closed).code, 1001);
    assert.equal((await bob.closed).code, 1001);
    assert.deepEqual(server.stats(), { rooms: 0, participants: 0, endpoints: 0 });
    assert.deepEqual(backend.stats(), { pipelines: 0, endpoints: 0 });
    await server.close(); // twice is fine
  });
});
