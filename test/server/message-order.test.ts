/**
 * The order a connection's messages are processed in (connection.ts, target-queue.ts):
 * `receiveVideoFrom` and `onIceCandidate` in one lane per peer connection, lanes side by
 * side, and barriers (`joinRoom`, `leaveRoom`, `setMediaState`, invalid frames, the leave
 * at close) that wait for everything before them. The scripted backend's `hang(operation)`
 * holds a call until the test resumes it: a slow media server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TargetQueue } from '../../packages/server/src/signaling/target-queue.js';
import type { Hang } from './helpers/fake-backend.js';
import { until, withFakeBackend } from './helpers/fixture.js';

const candidate = (port: number) => ({
  candidate: `candidate:${port} 1 udp 2122260223 127.0.0.1 ${port} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A scripted-backend server whose hangs are all resumed when the test ends. */
async function withHangs(t: Parameters<typeof withFakeBackend>[0]) {
  const fixture = await withFakeBackend(t);
  const hangs: Hang[] = [];
  t.after(() => hangs.forEach((made) => made.resume()));
  const hang = (operation: Parameters<typeof fixture.backend.hang>[0]): Hang => {
    const made = fixture.backend.hang(operation);
    hangs.push(made);
    return made;
  };
  return { ...fixture, hang };
}

/** Clients joined to `room` under `names`, one after another, none publishing yet. */
async function inRoom(
  connect: Awaited<ReturnType<typeof withHangs>>['connect'],
  ...names: string[]
): Promise<Awaited<ReturnType<typeof connect>>[]> {
  const clients = [];
  for (const name of names) {
    const client = await connect();
    await client.join('room', name);
    clients.push(client);
  }
  return clients;
}

describe('TargetQueue', () => {
  test('tasks of one target run one at a time, in order', async () => {
    const queue = new TargetQueue();
    const gate = deferred();
    const ran: string[] = [];
    const first = queue.run('bob', async () => {
      await gate.promise;
      ran.push('first');
    });
    const second = queue.run('bob', () => ran.push('second'));
    await Promise.resolve();
    assert.deepEqual(ran, []);
    gate.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(ran, ['first', 'second']);
  });

  test('a task of another target does not wait for a slow one', async () => {
    const queue = new TargetQueue();
    const gate = deferred();
    const slow = queue.run('bob', () => gate.promise);
    assert.equal(await queue.run('carol', () => 'carol ran'), 'carol ran');
    gate.resolve();
    await slow;
  });

  test('a barrier waits for every lane, and every later task waits for the barrier', async () => {
    const queue = new TargetQueue();
    const bob = deferred();
    const carol = deferred();
    const leave = deferred();
    const ran: string[] = [];
    void queue.run('bob', () => bob.promise.then(() => ran.push('bob')));
    const carolDone = queue.run('carol', () => carol.promise.then(() => ran.push('carol')));
    const barrier = queue.barrier(() => leave.promise.then(() => ran.push('barrier')));
    const after = queue.run('dave', () => ran.push('dave'));
    carol.resolve();
    leave.resolve();
    await carolDone;
    assert.deepEqual(ran, ['carol']);
    bob.resolve();
    await Promise.all([barrier, after]);
    assert.deepEqual(ran, ['carol', 'bob', 'barrier', 'dave']);
  });

  test('a failed task rejects its own promise only: its lane and the barriers go on', async () => {
    const queue = new TargetQueue();
    const failed = queue.run('bob', () => Promise.reject(new Error('refused')));
    const next = queue.run('bob', () => 'next');
    const barrier = queue.barrier(() => 'barrier');
    await assert.rejects(failed, /refused/);
    assert.equal(await next, 'next');
    assert.equal(await barrier, 'barrier');
  });

  test('idle() resolves once every task queued so far has settled', async () => {
    const queue = new TargetQueue();
    const gate = deferred();
    let done = false;
    void queue.run('bob', () => gate.promise.then(() => (done = true)));
    const idle = queue.idle();
    gate.resolve();
    await idle;
    assert.ok(done);
  });
});

describe('message order on one connection', () => {
  test('two subscriptions are answered in parallel: the second answer does not wait for a slow first offer', async (t) => {
    const { connect, hang } = await withHangs(t);
    const [, , carol] = await inRoom(connect, 'alice', 'bob', 'carol');
    const slow = hang('processOffer');
    carol.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-alice' });
    await slow.started;
    carol.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-bob' });
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'bob');
    assert.ok(!carol.history.some((m) => m.id === 'receiveVideoAnswer' && m.name === 'alice'));
    slow.resume();
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'alice');
  });

  test('a subscription is answered while the own publisher offer is slow', async (t) => {
    const { connect, hang } = await withHangs(t);
    const [, , carol] = await inRoom(connect, 'alice', 'bob', 'carol');
    const slow = hang('processOffer');
    carol.send({ id: 'receiveVideoFrom', sender: 'carol', sdpOffer: 'pub-carol' });
    await slow.started;
    carol.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-alice' });
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'alice');
    slow.resume();
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'carol');
  });

  test('candidates reach their endpoint in the order sent, each target in its own lane', async (t) => {
    const { connect, backend, hang } = await withHangs(t);
    const [, , carol] = await inRoom(connect, 'alice', 'bob', 'carol');
    carol.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-alice' });
    carol.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-bob' });
    await carol.next('receiveVideoAnswer', (m) => m.name === 'alice');
    await carol.next('receiveVideoAnswer', (m) => m.name === 'bob');
    const subscriptionTo = (sender: string) =>
      backend.endpoints().find((e) => e.source === backend.find('publisher', sender))!;
    const toAlice = subscriptionTo('alice');
    const toBob = subscriptionTo('bob');

    // The first candidate for alice's subscription hangs in the media server.
    const slow = hang('addIceCandidate');
    carol.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(1) });
    await slow.started;
    carol.send({ id: 'onIceCandidate', name: 'alice', candidate: candidate(2) });
    carol.send({ id: 'onIceCandidate', name: 'bob', candidate: candidate(3) });
    carol.send({ id: 'onIceCandidate', name: 'bob', candidate: candidate(4) });
    carol.send({ id: 'receiveVideoFrom', sender: 'carol', sdpOffer: 'pub-carol' });
    // bob's lane and the publisher's go on; alice's second candidate waits for its first.
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'carol');
    await until(() => toBob.candidates.length === 2, 'both candidates reach bob’s subscription');
    assert.equal(toAlice.candidates.length, 0, 'nothing reaches alice’s subscription yet');
    slow.resume();
    await carol.barrier();
    assert.deepEqual(
      toAlice.candidates.map((c) => c.candidate),
      [candidate(1), candidate(2)],
    );
    assert.deepEqual(
      toBob.candidates.map((c) => c.candidate),
      [candidate(3), candidate(4)],
    );
  });

  test('leaveRoom waits for the offer before it: the answer is sent, then the others see participantLeft', async (t) => {
    const { connect, server, hang } = await withHangs(t);
    const [alice, bob] = await inRoom(connect, 'alice', 'bob');
    const slow = hang('processOffer');
    alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-alice' });
    await slow.started;
    alice.send({ id: 'leaveRoom' });
    // The pong is answered ahead of the queue: the server has read leaveRoom by then.
    alice.send({ id: 'ping' });
    await alice.next('pong');
    assert.equal(server.stats().participants, 2, 'not left while the offer is processed');
    assert.ok(!bob.history.some((m) => m.id === 'participantLeft'));
    slow.resume();
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    assert.equal(alice.history.filter((m) => m.id === 'receiveVideoAnswer').length, 1);
    // What is left: bob's publisher endpoint, made early for alice's subscription.
    await until(() => server.stats().endpoints === 1, 'alice’s endpoint is released');
    assert.deepEqual(server.stats(), { rooms: 1, participants: 1, endpoints: 1 });
  });

  test('a message after leaveRoom waits for the leave: a receiveVideoFrom then gets NOT_JOINED', async (t) => {
    const { connect, hang } = await withHangs(t);
    const [alice, bob] = await inRoom(connect, 'alice', 'bob');
    const slow = hang('processOffer');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    await slow.started;
    alice.send({ id: 'leaveRoom' });
    alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-alice' });
    slow.resume();
    const error = await alice.next('error');
    assert.equal(error.code, 'NOT_JOINED');
    assert.equal(error.request, 'receiveVideoFrom');
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    assert.deepEqual(
      alice.history.filter((m) => m.id === 'receiveVideoAnswer').map((m) => m.name),
      ['alice'],
    );
  });
});

describe('the room’s graph queue', () => {
  test('a publisher offer to the endpoint made early for a subscriber does not wait behind endpoints being created', async (t) => {
    const { connect, hang } = await withHangs(t);
    const [alice, bob, carol] = await inRoom(connect, 'alice', 'bob', 'carol');
    // bob's subscription makes alice's publisher endpoint, idle until alice offers.
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-bob' });
    await bob.next('receiveVideoAnswer');
    const slow = hang('createSubscriber');
    carol.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-carol' });
    await slow.started;
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    assert.equal((await alice.next('receiveVideoAnswer')).sdpAnswer, 'answer to pub-alice');
    slow.resume();
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'alice');
  });

  test('subscriptions to different participants’ media are created side by side, those to one participant’s one at a time', async (t) => {
    const { connect, backend, hang } = await withHangs(t);
    const [, bob, carol] = await inRoom(connect, 'alice', 'bob', 'carol');
    const subscribers = () => backend.endpoints().filter((e) => e.role === 'subscriber');
    const slow = hang('createSubscriber');
    carol.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-carol-alice' });
    await slow.started;
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'sub-bob-alice' });
    // The pong is answered ahead of the queue: the server has read bob's request by then.
    bob.send({ id: 'ping' });
    await bob.next('pong');
    assert.equal(subscribers().length, 0, 'bob’s subscription to alice waits for carol’s');
    carol.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-carol-bob' });
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'bob');
    slow.resume();
    assert.equal((await carol.next('receiveVideoAnswer')).name, 'alice');
    assert.equal((await bob.next('receiveVideoAnswer')).name, 'alice');
    assert.equal(subscribers().length, 3);
  });
});
