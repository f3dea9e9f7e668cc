/**
 * fast-check arbitraries for fuzzing the protocol parser and a running server: valid
 * messages of both directions, and the many ways a frame can be wrong.
 */
import fc from 'fast-check';
import type {
  ClientMessage,
  ErrorCode,
  IceCandidateInit,
  ServerMessage,
} from '../../../packages/sdk/src/protocol/index.js';

/** Every wire error code, checked complete by the compiler. */
const CODES: Record<ErrorCode, true> = {
  MALFORMED_FRAME: true,
  UNKNOWN_MESSAGE: true,
  INVALID_MESSAGE: true,
  NOT_JOINED: true,
  ALREADY_JOINED: true,
  NAME_TAKEN: true,
  INVALID_NAME: true,
  UNKNOWN_PARTICIPANT: true,
  MEDIA_ERROR: true,
  RATE_LIMITED: true,
  ROOM_FULL: true,
  TOO_MANY_ROOMS: true,
  INTERNAL_ERROR: true,
};

/** The wire error codes. */
export const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(CODES));

/** The ids of client messages. */
export const CLIENT_IDS = [
  'joinRoom',
  'receiveVideoFrom',
  'onIceCandidate',
  'leaveRoom',
  'setMediaState',
];
/** The ids of server messages. */
export const SERVER_IDS = [
  'existingParticipants',
  'newParticipantArrived',
  'participantLeft',
  'receiveVideoAnswer',
  'iceCandidate',
  'participantMediaState',
  'error',
];
/** Ids that trip naive lookups (prototype keys) or near misses. */
const TRICKY_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'JOINROOM'];

/** A frame as sent on the socket. */
export type Frame = string | Uint8Array;

/** Strings with control characters, lone surrogates and every plane. */
const nastyString = (maxLength = 40) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({
      unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      maxLength,
    }),
    fc.string({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      maxLength,
    }),
  );

/** Names longer than the 64 code points allowed, up to 8000 (frames stay under 64 KiB). */
const hugeName = fc.integer({ min: 65, max: 8000 }).map((n) => 'ŵ'.repeat(n));

const candidate: fc.Arbitrary<IceCandidateInit> = fc
  .record({
    candidate: fc.oneof(
      fc.constant('candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host'),
      nastyString(80),
    ),
    sdpMid: fc.option(fc.oneof(fc.constantFrom('0', '1'), fc.string()), { nil: null }),
    sdpMLineIndex: fc.option(fc.nat(4), { nil: null }),
  })
  .filter((c) => c.sdpMid !== null || c.sdpMLineIndex !== null)
  .map((c) => ({ ...c }));

/** Valid client messages, with the given pools of names, rooms and SDP offers. */
export function clientMessage(pools: {
  names: string[];
  rooms: string[];
  offers: fc.Arbitrary<string>;
}): fc.Arbitrary<ClientMessage> {
  const name = fc.oneof(
    { arbitrary: fc.constantFrom(...pools.names), weight: 8 },
    { arbitrary: nastyString(), weight: 1 },
    { arbitrary: hugeName, weight: 1 },
  );
  const room = fc.oneof(
    { arbitrary: fc.constantFrom(...pools.rooms), weight: 8 },
    { arbitrary: nastyString(), weight: 1 },
    { arbitrary: hugeName, weight: 1 },
  );
  const sessionId = fc.oneof(
    { arbitrary: fc.string({ minLength: 16, maxLength: 40 }), weight: 4 },
    { arbitrary: fc.string({ maxLength: 15 }), weight: 1 },
  );
  // Weighted so that a connection spends most of its frames joined.
  return fc
    .oneof(
      {
        arbitrary: fc.record(
          { id: fc.constant('joinRoom' as const), name, room, sessionId },
          { requiredKeys: ['id', 'name', 'room'] },
        ),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          id: fc.constant('receiveVideoFrom' as const),
          sender: name,
          sdpOffer: pools.offers,
        }),
        weight: 3,
      },
      {
        arbitrary: fc.record({ id: fc.constant('onIceCandidate' as const), name, candidate }),
        weight: 3,
      },
      { arbitrary: fc.constant({ id: 'leaveRoom' as const }), weight: 1 },
      {
        arbitrary: fc.record({
          id: fc.constant('setMediaState' as const),
          audioMuted: fc.boolean(),
          videoMuted: fc.boolean(),
        }),
        weight: 2,
      },
    )
    .map(plain);
}

/** A copy with `Object.prototype` (fast-check may build records on a null prototype). */
function plain<T extends object>(value: T): T {
  return { ...value };
}

/** Valid server messages. */
export const serverMessage: fc.Arbitrary<ServerMessage> = fc
  .oneof(
    fc.record({ id: fc.constant('existingParticipants' as const), data: fc.array(fc.string()) }),
    fc.record({ id: fc.constant('newParticipantArrived' as const), name: fc.string() }),
    fc.record({ id: fc.constant('participantLeft' as const), name: fc.string() }),
    fc.record({
      id: fc.constant('receiveVideoAnswer' as const),
      name: fc.string(),
      sdpAnswer: fc.string(),
    }),
    fc.record({ id: fc.constant('iceCandidate' as const), name: fc.string(), candidate }),
    fc.record({
      id: fc.constant('participantMediaState' as const),
      name: fc.string(),
      audioMuted: fc.boolean(),
      videoMuted: fc.boolean(),
    }),
    fc.record(
      {
        id: fc.constant('error' as const),
        code: fc.constantFrom(...(Object.keys(CODES) as ErrorCode[])),
        message: fc.string(),
        request: fc.string(),
      },
      { requiredKeys: ['id', 'code', 'message'] },
    ),
  )
  .map(plain);

/** An object with a known, tricky or random `id` and random fields of random types. */
export const randomObject = fc
  .record({
    id: fc.oneof(fc.constantFrom(...CLIENT_IDS, ...SERVER_IDS, ...TRICKY_IDS), fc.anything()),
    fields: fc.dictionary(
      fc.constantFrom(
        'name',
        'room',
        'sender',
        'sdpOffer',
        'candidate',
        'data',
        'code',
        'sessionId',
        'audioMuted',
        'videoMuted',
      ),
      fc.anything({ withNullPrototype: true }),
    ),
  })
  .map(({ id, fields }) => ({ ...fields, id }) as Record<string, unknown>);

/** A valid message with one field removed, retyped, or one key added. */
export function mutatedObject(valid: fc.Arbitrary<object>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom('drop', 'retype', 'add'), fc.anything(), fc.string())
    .map(([message, index, how, value, key]) => {
      const copy: Record<string, unknown> = { ...message };
      const keys = Object.keys(copy);
      const target = keys[index % keys.length]!;
      if (how === 'drop') delete copy[target];
      else if (how === 'retype') copy[target] = value;
      else copy[key] = value;
      return copy;
    });
}

/** The JSON text of a valid message, truncated, or with a character inserted or replaced. */
export function mutatedText(valid: fc.Arbitrary<object>): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom('cut', 'insert', 'replace'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
    )
    .map(([message, index, how, chars]) => {
      const text = JSON.stringify(message);
      const at = index % (text.length + 1);
      if (how === 'cut') return text.slice(0, at);
      if (how === 'insert') return text.slice(0, at) + chars + text.slice(at);
      return text.slice(0, at) + chars + text.slice(at + chars.length);
    });
}

/** Text that is not a message: random strings, random JSON, JSON of random values. */
export const junkText: fc.Arbitrary<string> = fc.oneof(
  nastyString(200),
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
  randomObject.map((object) => JSON.stringify(object) ?? '{}'),
);

/**
 * Frames for a running server: valid messages (from `pools`), mutated ones, junk text
 * and binary frames. Every frame is under 60,000 bytes, below the 64 KiB limit, and
 * none mentions `reserved` (a room kept for well-behaved clients).
 */
export function frame(
  pools: Parameters<typeof clientMessage>[0],
  reserved: string,
): fc.Arbitrary<Frame> {
  const valid = clientMessage(pools);
  return fc
    .oneof(
      { arbitrary: valid.map((message) => JSON.stringify(message)), weight: 10 },
      {
        arbitrary: mutatedObject(valid).map((object) => JSON.stringify(object) ?? '{}'),
        weight: 3,
      },
      { arbitrary: mutatedText(valid), weight: 2 },
      { arbitrary: junkText, weight: 2 },
      { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
    )
    .filter((f) =>
      typeof f === 'string' ? Buffer.byteLength(f) < 60_000 && !f.includes(reserved) : true,
    );
}

/**
 * A connection's frames: most often a valid `joinRoom` first (so that what follows
 * meets a joined participant), then {@link frame}s.
 */
export function sequence(
  pools: Parameters<typeof clientMessage>[0],
  reserved: string,
  length: { minLength: number; maxLength: number },
): fc.Arbitrary<Frame[]> {
  const join = fc
    .record({
      id: fc.constant('joinRoom'),
      name: fc.constantFrom(...pools.names),
      room: fc.constantFrom(...pools.rooms),
      sessionId: fc.string({ minLength: 16, maxLength: 40 }),
    })
    .map((message) => JSON.stringify(message));
  return fc
    .tuple(fc.option(join, { freq: 4 }), fc.array(frame(pools, reserved), length))
    .map(([first, rest]) => (first === null ? rest : [first, ...rest]));
}
