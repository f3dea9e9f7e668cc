/**
 * Every media-backend call has a deadline (issue 9): a hung call fails its request with a
 * `MEDIA_ERROR` reply once the deadline passes, holds neither the participant nor the
 * room registry, and what it produces later is released. The scripted backend's
 * `hang(operation)` makes the next call of an operation wait until the test resumes it.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { MediaError, MediaTimeoutError } from '../../packages/server/src/media/media-backend.js';
import { startServer } from '../../packages/server/src/server.js';
import {
  DEFAULT_MEDIA_TIMEOUT_MS,
  withinDeadline,
} from '../../packages/server/src/signaling/media-deadline.js';
import { FakeBackend, type FakeOperation, type Hang } from './helpers/fake-backend.js';
import { twoInCall, until, withFakeBackend } from './helpers/fixture.js';

/** The deadline these servers run with, in ms. */
const TIMEOUT_MS = 200;

const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** A server with the short deadline, and a way to hang calls that are resumed at the end. */
async function withDeadlines(
  t: Parameters<typeof withFakeBackend>[0],
  mediaTimeoutMs = TIMEOUT_MS,
) {
  const fixture = await withFakeBackend(t, { mediaTimeoutMs });
  const hangs: Hang[] = [];
  t.after(() => hangs.forEach((hang) => hang.resume()));
  const hang = (operation: FakeOperation): Hang => {
    const made = fixture.backend.hang(operation);
    hangs.push(made);
    return made;
  };
  return { ...fixture, hang };
}

describe('media-backend deadlines', () => {
  test('the default deadline is 10 s', () => {
    assert.equal(DEFAULT_MEDIA_TIMEOUT_MS, 10_000);
  });

  test('a mediaTimeoutMs that is not a positive number makes startServer reject with RangeError', async () => {
    for (const mediaTimeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        startServer({ backend: new FakeBackend(), port: 0, logLevel: 'silent', mediaTimeoutMs }),
        RangeError,
        String(mediaTimeoutMs),
      );
    }
  });

  test('a hung processOffer gets a MEDIA_ERROR reply at its deadline; its late answer is never sent and a new offer publishes', async (t) => {
    const { connect, backend, server, hang } = await withDeadlines(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const hung = hang('processOffer');
    const sent = performance.now();
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'first' });
    const error = await alice.next('error');
    const elapsed = performance.now() - sent;
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.equal(error.request, 'receiveVideoFrom');
    assert.match(error.message, /did not finish processOffer within 200 ms/);
    assert.ok(elapsed >= TIMEOUT_MS - 1 && elapsed < TIMEOUT_MS + 1000, `${elapsed} ms`);

    // The backend answers late: the answer and its candidate stay with the failed endpoint.
    hung.resume();
    await until(() => backend.find('publisher', 'alice')?.offers.length === 1, 'the late answer');
    await alice.barrier();
    assert.deepEqual(
      alice.history.filter((m) => m.id === 'receiveVideoAnswer' || m.id === 'iceCandidate'),
      [],
    );

    // The participant retries: a new endpoint answers, the hung one is released.
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'second' });
    assert.equal((await alice.next('receiveVideoAnswer')).sdpAnswer, 'answer to second');
    const publishers = backend.endpoints().filter((e) => e.role === 'publisher');
    assert.deepEqual(
      publishers.map((e) => [e.offers, e.released]),
      [
        [['first'], true],
        [['second'], false],
      ],
    );
    assert.equal(server.stats().endpoints, 1);
  });

  test('while an offer hangs, others join the room and publish', async (t) => {
    const { connect, hang } = await withDeadlines(t, 30_000);
    const alice = await connect();
    await alice.join('room', 'alice');
    const hung = hang('processOffer');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    await hung.started;
    const bob = await connect();
    assert.deepEqual(await bob.join('room', 'bob'), ['alice']);
    bob.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'pub-bob' });
    assert.equal((await bob.next('receiveVideoAnswer')).name, 'bob');
    const carol = await connect();
    assert.deepEqual(await carol.join('other room', 'carol'), []);
    assert.ok(!alice.history.some((m) => m.id === 'receiveVideoAnswer' || m.id === 'error'));
    hung.resume();
    assert.equal((await alice.next('receiveVideoAnswer')).sdpAnswer, 'answer to pub-alice');
  });

  test('a participant whose offer hangs can still leave: the others see participantLeft and its endpoint is released', async (t) => {
    const { connect, server, hang } = await withDeadlines(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
    const hung = hang('processOffer');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    await hung.started;
    await alice.close();
    assert.equal((await bob.next('participantLeft')).name, 'alice');
    await until(() => server.stats().endpoints === 0, 'alice’s endpoint is released');
    assert.deepEqual(server.stats(), { rooms: 1, participants: 1, endpoints: 0 });
  });

  test('an endpoint created after its deadline is released when it arrives, and the subscription can be asked again', async (t) => {
    const { connect, backend, server, hang } = await withDeadlines(t);
    const { bob } = await twoInCall({ server, connect });
    const hung = hang('createSubscriber');
    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'again' });
    const error = await bob.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.match(error.message, /did not finish createSubscriber within 200 ms/);
    // bob's previous subscriber endpoint was replaced before the hung creation began.
    assert.equal(server.stats().endpoints, 3);

    hung.resume();
    await until(() => backend.endpoints().length === 5, 'the late endpoint is created');
    const late = backend.endpoints().at(-1)!;
    assert.equal(late.role, 'subscriber');
    await until(() => late.released, 'the late endpoint is released');
    assert.equal(server.stats().endpoints, 3);

    bob.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'third' });
    await bob.next('receiveVideoAnswer', (m) => m.sdpAnswer === 'answer to third');
    assert.equal(server.stats().endpoints, 4);
  });

  test('a publisher endpoint created after its deadline is released when it arrives', async (t) => {
    const { connect, backend, server, hang } = await withDeadlines(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const hung = hang('createPublisher');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    assert.match((await alice.next('error')).message, /createPublisher within 200 ms/);
    hung.resume();
    await until(() => backend.endpoints()[0]?.released === true, 'the late endpoint is released');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    assert.equal((await alice.next('receiveVideoAnswer')).name, 'alice');
    assert.equal(server.stats().endpoints, 1);
  });

  test('a hung pipeline creation fails its join at the deadline, the registry goes on, and the late pipeline is released', async (t) => {
    const { connect, backend, server, hang } = await withDeadlines(t);
    const hung = hang('createPipeline');
    const alice = await connect();
    alice.send({ id: 'joinRoom', room: 'red', name: 'alice' });
    await hung.started;
    const bob = await connect();
    const bobJoined = bob.join('blue', 'bob'); // queued behind alice's room on the registry
    const error = await alice.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.equal(error.request, 'joinRoom');
    assert.match(
      error.message,
      /could not create the media pipeline: .*createPipeline within 200 ms/,
    );
    assert.deepEqual(await bobJoined, []);

    hung.resume();
    await until(() => backend.pipelines.length === 2, 'the late pipeline is created');
    const late = backend.pipelines.find((p) => p.room === 'red')!;
    await until(() => late.released, 'the late pipeline is released');
    assert.deepEqual(await alice.join('red', 'alice'), []);
    assert.deepEqual(server.stats(), { rooms: 2, participants: 2, endpoints: 0 });
  });

  test('a hung addIceCandidate gets a MEDIA_ERROR reply at its deadline, and later messages go through', async (t) => {
    const { connect, hang } = await withDeadlines(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'pub-alice' });
    await alice.next('receiveVideoAnswer');
    hang('addIceCandidate');
    alice.send({ id: 'onIceCandidate', name: 'alice', candidate });
    const error = await alice.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.equal(error.request, 'onIceCandidate');
    assert.match(error.message, /did not finish addIceCandidate within 200 ms/);
    const bob = await connect();
    await bob.join('room', 'bob');
    alice.send({ id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'sub-alice' });
    assert.equal((await alice.next('receiveVideoAnswer')).name, 'bob');
  });

  test('a hung release holds neither the leave nor the next join', async (t) => {
    const { connect, server, hang } = await withDeadlines(t);
    const { alice, bob } = await twoInCall({ server, connect });
    const hung = hang('release');
    bob.send({ id: 'leaveRoom' });
    assert.equal((await alice.next('participantLeft')).name, 'bob');
    await hung.started;
    const carol = await connect();
    assert.deepEqual(await carol.join('room', 'carol'), ['alice']);
    hung.resume();
    await until(() => server.stats().endpoints === 1, 'bob’s endpoints are released');
    assert.deepEqual(server.stats(), { rooms: 1, participants: 2, endpoints: 1 });
  });
});

describe('withinDeadline', () => {
  test('resolves with the call’s value when it settles in time', async () => {
    assert.equal(await withinDeadline('op', 1000, () => Promise.resolve(42)), 42);
    await assert.rejects(
      withinDeadline('op', 1000, () => Promise.reject(new MediaError('refused'))),
      /refused/,
    );
  });

  test('rejects with MediaTimeoutError at the deadline and hands a late value to the disposer', async () => {
    let finish!: (value: string) => void;
    const disposed = new Promise<string>((resolve) => {
      const call = withinDeadline(
        'createThing',
        20,
        () => new Promise<string>((settle) => (finish = settle)),
        resolve,
      );
      void assert
        .rejects(call, (error: unknown) => {
          assert.ok(error instanceof MediaTimeoutError);
          assert.ok(error instanceof MediaError);
          assert.equal(error.operation, 'createThing');
          assert.equal(error.timeoutMs, 20);
          return true;
        })
        .then(() => finish('late thing'));
    });
    assert.equal(await disposed, 'late thing');
  });
});
