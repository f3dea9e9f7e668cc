/**
 * Fuzzing with fast-check: the protocol parser with random and malformed inputs, then
 * a running server with random frame sequences from concurrent connections while a
 * well-behaved "canary" room keeps working. The seed is random per run and printed;
 * `FUZZ_SEED=<n>` replays one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import {
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ParseResult,
  type ServerMessage,
} from '../../packages/sdk/src/protocol/index.js';
import type { ServerOptions } from '../../packages/server/src/server.js';
import { FakeBackend } from './helpers/fake-backend.js';
import { until, withServer, type Fixture } from './helpers/fixture.js';
import {
  CLIENT_IDS,
  clientMessage,
  type frame,
  junkText,
  mutatedObject,
  mutatedText,
  randomObject,
  sequence,
  SERVER_IDS,
  serverMessage,
  type Frame,
} from './helpers/fuzz-frames.js';
import { ConnectionModel, directReplies } from './helpers/fuzz-oracle.js';
import { captureLogs } from './helpers/log-capture.js';
import { sampleOffer } from './helpers/werift-peer.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

/** High enough that the fuzzers are never rate limited (the limiter is tested on its own). */
const UNLIMITED = { messagesPerSecond: 1e6, burst: 1e6 };

const PARSE_CODES = new Set(['MALFORMED_FRAME', 'UNKNOWN_MESSAGE', 'INVALID_MESSAGE']);

/** A parse result has the documented shape, and an accepted message re-parses to itself. */
function checkResult<T extends ClientMessage | ServerMessage>(
  result: ParseResult<T>,
  ids: string[],
  parse: (frame: unknown) => ParseResult<T>,
): void {
  if (result.ok) {
    assert.deepEqual(Object.keys(result), ['ok', 'message']);
    assert.ok(ids.includes(result.message.id), result.message.id);
    const again = parse(serializeMessage(result.message));
    assert.deepEqual(again, result);
  } else {
    assert.equal(result.ok, false);
    assert.deepEqual(Object.keys(result), ['ok', 'error']);
    assert.ok(PARSE_CODES.has(result.error.code), result.error.code);
    assert.equal(typeof result.error.message, 'string');
    assert.ok(result.error.id === undefined || typeof result.error.id === 'string');
  }
}

describe('the protocol parser under fuzzing', () => {
  const client = clientMessage({ names: ['alice'], rooms: ['room'], offers: fc.string() });

  test('never throws and always returns a well-formed result, for 12,000 random and malformed inputs', (t) => {
    const input = fc.oneof(
      junkText,
      fc.anything({
        withNullPrototype: true,
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withDate: true,
        withTypedArray: true,
        withSparseArray: true,
      }),
      randomObject,
      mutatedObject(client),
      mutatedObject(serverMessage),
      mutatedText(client),
      mutatedText(serverMessage),
    );
    let tried = 0;
    const parsed = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(input, (value) => {
        tried += 1;
        const asClient = parseClientMessage(value);
        const asServer = parseServerMessage(value);
        checkResult(asClient, CLIENT_IDS, parseClientMessage);
        checkResult(asServer, SERVER_IDS, parseServerMessage);
        for (const result of [asClient, asServer]) parsed[result.ok ? 'ok' : 'refused'] += 1;
      }),
      { numRuns: 12_000, seed: SEED },
    );
    t.diagnostic(
      `parser fuzz: ${tried} inputs, each through both parsers: ${parsed.ok} accepted, ${parsed.refused} refused (seed ${SEED})`,
    );
  });

  test('valid messages of both directions round-trip through serializeMessage', () => {
    fc.assert(
      fc.property(client, (message) => {
        assert.deepEqual(parseClientMessage(serializeMessage(message)), { ok: true, message });
      }),
      { numRuns: 2000, seed: SEED },
    );
    fc.assert(
      fc.property(serverMessage, (message) => {
        assert.deepEqual(parseServerMessage(serializeMessage(message)), { ok: true, message });
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});

/** How many frames the server fuzzers sent, for the report. */
interface Tally {
  frames: number;
  sequences: number;
  /** `error` replies. */
  errors: number;
  /** `receiveVideoAnswer` replies: offers the backend accepted. */
  answers: number;
  /** `error` replies by code. */
  codes: Record<string, number>;
}

/**
 * Sends `frames` on a new connection, each followed by a barrier (an unknown id the
 * server refuses, in order), then checks each frame's direct replies against the model.
 *
 * @returns undefined, or what was wrong.
 */
async function runSequence(
  fixture: Fixture,
  frames: Frame[],
  tally: Tally,
): Promise<string | undefined> {
  const client = await fixture.connect();
  const tag = randomUUID();
  frames.forEach((f, i) => {
    client.sendRaw(typeof f === 'string' ? f : Buffer.from(f));
    client.sendRaw(JSON.stringify({ id: `${tag}:${i}` }));
  });
  const last = `${tag}:${frames.length - 1}`;
  await client.next('error', (e) => e.request === last, 30_000);
  await client.close();
  tally.frames += frames.length;
  tally.sequences += 1;
  const model = new ConnectionModel();
  let group: ServerMessage[] = [];
  let index = 0;
  for (const message of client.history) {
    if (message.id === 'error' && message.request === `${tag}:${index}`) {
      const problem = model.check(frames[index]!, directReplies(group));
      if (problem) return `frame ${index}: ${problem}`;
      for (const m of group) {
        if (m.id === 'error') tally.codes[m.code] = (tally.codes[m.code] ?? 0) + 1;
      }
      tally.errors += group.filter((m) => m.id === 'error').length;
      tally.answers += group.filter((m) => m.id === 'receiveVideoAnswer').length;
      group = [];
      index += 1;
    } else {
      group.push(message);
    }
  }
  return index === frames.length ? undefined : `only ${index} of ${frames.length} frames answered`;
}

/** The SDP offers the canaries send: what the backend under test accepts. */
interface CanaryOffers {
  publish: string;
  subscribe: string;
}

/**
 * Two well-behaved clients in their own room: a keeper stays, a visitor joins,
 * publishes, is subscribed to and leaves, over and over, until `stop` resolves (and at
 * least three times). Every event must arrive and no error may.
 *
 * @returns the number of cycles.
 */
async function runCanary(
  fixture: Fixture,
  offers: CanaryOffers,
  stop: Promise<unknown>,
): Promise<number> {
  let stopping = false;
  void stop.finally(() => (stopping = true));
  const keeper = await fixture.connect();
  assert.deepEqual(await keeper.join('canary', 'keeper'), []);
  const visitor = await fixture.connect();
  let cycles = 0;
  while (!stopping || cycles < 3) {
    assert.deepEqual(await visitor.join('canary', 'visitor'), ['keeper']);
    assert.equal((await keeper.next('newParticipantArrived')).name, 'visitor');
    visitor.send({ id: 'receiveVideoFrom', sender: 'visitor', sdpOffer: offers.publish });
    await visitor.next('receiveVideoAnswer');
    keeper.send({ id: 'receiveVideoFrom', sender: 'visitor', sdpOffer: offers.subscribe });
    await keeper.next('receiveVideoAnswer', (m) => m.name === 'visitor');
    visitor.send({ id: 'leaveRoom' });
    assert.equal((await keeper.next('participantLeft')).name, 'visitor');
    cycles += 1;
  }
  const errors = [...keeper.history, ...visitor.history].filter((m) => m.id === 'error');
  assert.deepEqual(errors, [], 'the canaries got no error');
  await Promise.all([keeper.close(), visitor.close()]);
  return cycles;
}

/**
 * Fuzzes a server: `workers` concurrent connections, each running `runs` random frame
 * sequences of `length` frames, beside the canary room; then checks that everything
 * was released and nothing was logged at error level.
 */
async function fuzzServer(
  t: TestContext,
  options: {
    server: Partial<ServerOptions>;
    canary: CanaryOffers;
    /** The names, rooms and offers a worker's frames use, by worker index. */
    pools: (worker: number) => Parameters<typeof frame>[0];
    workers: number;
    runs: number;
    length: { minLength: number; maxLength: number };
  },
): Promise<Tally & { cycles: number; seconds: number }> {
  const { logger, lines } = captureLogs('error');
  const fixture = await withServer(t, { logger, rateLimit: UNLIMITED, ...options.server });
  const started = performance.now();
  const tally: Tally = { frames: 0, sequences: 0, errors: 0, answers: 0, codes: {} };
  // Sequences are sampled from the seed, not shrunk: a server's state is not replayable
  // one frame at a time, so a failure names the seed, worker and sequence to replay.
  const fuzzers = Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      const sequences = fc.sample(sequence(options.pools(worker), 'canary', options.length), {
        numRuns: options.runs,
        seed: SEED + worker,
      });
      for (const [index, frames] of sequences.entries()) {
        const problem = await runSequence(fixture, frames, tally);
        if (problem) {
          assert.fail(`worker ${worker}, sequence ${index} (FUZZ_SEED=${SEED}): ${problem}`);
        }
      }
    }),
  );
  const [cycles] = await Promise.all([runCanary(fixture, options.canary, fuzzers), fuzzers]);
  await until(
    () => Object.values(fixture.server.stats()).every((n) => n === 0),
    `everything is released (${JSON.stringify(fixture.server.stats())})`,
  );
  assert.deepEqual(lines, [], 'nothing logged at error level');
  return { ...tally, cycles, seconds: (performance.now() - started) / 1000 };
}

describe('a running server under fuzzed frames', () => {
  test('scripted backend: 8 connections in 4 rooms; every bad frame refused with a valid code; the canary room unharmed; nothing leaks', async (t) => {
    const backend = new FakeBackend();
    const result = await fuzzServer(t, {
      server: { backend },
      canary: { publish: 'v=0 publish', subscribe: 'v=0 subscribe' },
      pools: () => ({
        names: ['alice', 'bob', 'carol', 'dave', 'eve', 'mallory'],
        rooms: ['r1', 'r2', 'r3', 'r4'],
        offers: fc.oneof(fc.constant('v=0 offer'), fc.constant('reject this'), fc.string()),
      }),
      workers: 8,
      runs: 16,
      length: { minLength: 80, maxLength: 120 },
    });
    assert.ok(result.frames >= 10_000, `${result.frames} frames`);
    assert.ok(result.cycles >= 3);
    assert.deepEqual(backend.stats(), { pipelines: 0, endpoints: 0 });
    t.diagnostic(
      `server fuzz (scripted backend): ${result.frames} frames in ${result.sequences} sequences on 8 concurrent connections, ${result.errors} error replies (${JSON.stringify(result.codes)}), ${result.answers} answers, ${result.cycles} canary cycles, ${result.seconds.toFixed(1)} s (seed ${SEED})`,
    );
  });

  test('werift backend: garbage and mutated SDP offers and candidates are refused, nothing leaks', async (t) => {
    const offers = [await sampleOffer('sendonly'), await sampleOffer('recvonly')];
    const result = await fuzzServer(t, {
      server: {},
      canary: { publish: offers[0]!, subscribe: offers[1]! },
      // One name per worker, so that most joins succeed and most offers reach werift.
      pools: (worker) => ({
        names: [`w${worker}`],
        rooms: ['w'],
        offers: fc.oneof(
          { arbitrary: mutatedSdp(offers), weight: 6 },
          { arbitrary: fc.constantFrom(...offers), weight: 1 },
          { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 2 },
        ),
      }),
      workers: 3,
      runs: 6,
      length: { minLength: 60, maxLength: 80 },
    });
    assert.ok(result.frames >= 1000, `${result.frames} frames`);
    t.diagnostic(
      `server fuzz (werift backend): ${result.frames} frames in ${result.sequences} sequences, ${result.errors} error replies (${JSON.stringify(result.codes)}), ${result.answers} answers, ${result.cycles} canary cycles, ${result.seconds.toFixed(1)} s (seed ${SEED})`,
    );
  });
});

/** A real offer with one to three of its lines deleted, duplicated, swapped or with a number changed. */
function mutatedSdp(offers: string[]): fc.Arbitrary<string> {
  const mutation = fc.tuple(
    fc.constantFrom('delete', 'duplicate', 'swap', 'number'),
    fc.nat(),
    fc.nat(),
    fc.integer({ min: -1, max: 70000 }),
  );
  return fc
    .tuple(fc.constantFrom(...offers), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([offer, mutations]) => {
      const lines = offer.split('\r\n');
      for (const [how, a, b, value] of mutations) {
        const i = a % lines.length;
        const j = b % lines.length;
        if (how === 'delete') lines.splice(i, 1);
        else if (how === 'duplicate') lines.splice(i, 0, lines[i]!);
        else if (how === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        else lines[i] = lines[i]!.replace(/\d+/, String(value));
      }
      return lines.join('\r\n');
    });
}
