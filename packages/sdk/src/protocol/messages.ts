/**
 * The wire protocol: the Kurento group-call contract, typed, in both directions.
 *
 * Source: Kurento's Java tutorial `kurento-group-call` (CallHandler.java,
 * UserSession.java, conferenceroom.js). Plain JSON text frames over one WebSocket
 * at path `/groupcall`; every frame has an `id`; there are no request ids and no
 * acknowledgements. Five messages are ours: `error`, `setMediaState`,
 * `participantMediaState`, `ping` and `pong` (Kurento's tutorial server ignores unknown
 * ids, its client logs and ignores unknown server messages).
 *
 * This module is shared by the SDK and the reference server (through the
 * `kurento-room/protocol` entry). Nothing else calls `JSON.parse` on a frame:
 * {@link parseClientMessage} and {@link parseServerMessage} validate every frame and
 * return a typed message or a typed {@link ProtocolError}. They never throw.
 *
 * @packageDocumentation
 */
import { REPLACED_CLOSE_CODE } from './replaced-close-code.js';

/** The WebSocket path the Kurento tutorial client connects to. */
export const GROUPCALL_PATH = '/groupcall';

/**
 * WebSocket close codes the reference server uses (RFC 6455 section 7.4.1 and the IANA
 * registry): clients reconnect after `GOING_AWAY` and `SERVICE_RESTART`, and do not
 * after `REPLACED` (ours, in the private range 4000-4999: the same participant joined
 * again on another connection, with the same `sessionId`).
 */
export const CloseCode = {
  /** The server is shutting down (SIGTERM). */
  GOING_AWAY: 1001,
  /** A frame was larger than the server accepts (64 KiB). */
  MESSAGE_TOO_BIG: 1009,
  /** The server is restarting. */
  SERVICE_RESTART: 1012,
  /** This connection's participant was taken over by a newer connection. */
  REPLACED: REPLACED_CLOSE_CODE,
  /** No pong to the server's heartbeat ping. */
  HEARTBEAT_TIMEOUT: 4002,
} as const;

/**
 * An ICE candidate as the contract carries it (the fields of the W3C
 * `RTCIceCandidateInit`, webrtc-pc section 5.4). Unknown extra keys, such as the
 * `__module__`/`__type__` that kurento-client adds, are dropped when parsing.
 */
export interface IceCandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

// ---------------------------------------------------------------- client -> server

/** Enter `room` as `name`. The server answers with `existingParticipants`. */
export interface JoinRoomMessage {
  id: 'joinRoom';
  name: string;
  room: string;
  /**
   * Ours, optional (Kurento's servers ignore unknown fields): a secret the client makes
   * once per participant (at least 16 characters). A later `joinRoom` with the same room,
   * name and `sessionId` takes the name back from a connection that dropped or went
   * half-open, instead of getting `NAME_TAKEN`: the participant stays in the room for the
   * others, with no `participantLeft`/`newParticipantArrived`.
   */
  sessionId?: string;
}

/**
 * Offer to receive `sender`'s media. When `sender` is the caller's own name this
 * publishes instead (the send-only endpoint). Answered by `receiveVideoAnswer`.
 */
export interface ReceiveVideoFromMessage {
  id: 'receiveVideoFrom';
  sender: string;
  sdpOffer: string;
}

/**
 * A trickle ICE candidate of the browser's. `name` says whose peer connection it
 * belongs to: the caller's own name for the publisher, else the remote's name.
 */
export interface OnIceCandidateMessage {
  id: 'onIceCandidate';
  name: string;
  candidate: IceCandidateInit;
}

/** Leave the room; the server releases the caller's endpoints. */
export interface LeaveRoomMessage {
  id: 'leaveRoom';
}

/**
 * Ours: the sender's mute state changed (or, right after a join, is not the default).
 * The server keeps it and relays it to the others as `participantMediaState`. Mute is
 * `track.enabled = false` on the sender's side: media keeps flowing (silence, black
 * frames), so this message is the only way the others learn of it. Kurento's tutorial
 * server ignores it (`default: break;` in CallHandler.java).
 */
export interface SetMediaStateMessage {
  id: 'setMediaState';
  /** The microphone is muted. */
  audioMuted: boolean;
  /** The camera is off. */
  videoMuted: boolean;
}

/**
 * Ours: a liveness check, allowed before joining. The reference server answers each with
 * `pong`; Kurento's tutorial server ignores it (`default: break;`), so a client must only
 * count on an answer once it has had one.
 */
export interface PingMessage {
  id: 'ping';
}

/** Any message a client sends. */
export type ClientMessage =
  | JoinRoomMessage
  | ReceiveVideoFromMessage
  | OnIceCandidateMessage
  | LeaveRoomMessage
  | SetMediaStateMessage
  | PingMessage;

// ---------------------------------------------------------------- server -> client

/** The answer to `joinRoom`: the names of everyone else in the room (`[]` for the first). */
export interface ExistingParticipantsMessage {
  id: 'existingParticipants';
  data: string[];
}

/** Someone joined the room the client is in. */
export interface NewParticipantArrivedMessage {
  id: 'newParticipantArrived';
  name: string;
}

/** Someone left the room the client is in. */
export interface ParticipantLeftMessage {
  id: 'participantLeft';
  name: string;
}

/** The SDP answer to a `receiveVideoFrom` offer; `name` is whose media it answers. */
export interface ReceiveVideoAnswerMessage {
  id: 'receiveVideoAnswer';
  name: string;
  sdpAnswer: string;
}

/** A trickle ICE candidate of the server's endpoint for `name`'s media. */
export interface IceCandidateMessage {
  id: 'iceCandidate';
  name: string;
  candidate: IceCandidateInit;
}

/**
 * Ours: participant `name`'s mute state, as they last set it with `setMediaState`. Sent to
 * the others of the room when it changes, and to a (re-)joining participant right after its
 * `existingParticipants`, one per participant listed, defaults (both false) included. A
 * participant who arrives (`newParticipantArrived`) starts at the default.
 */
export interface ParticipantMediaStateMessage {
  id: 'participantMediaState';
  name: string;
  audioMuted: boolean;
  videoMuted: boolean;
}

/**
 * Why a request was refused. Ours, not Kurento's: the tutorial server has no error
 * message at all and closes the socket instead.
 */
export type ErrorCode =
  /** The frame was not JSON, not an object, or had no string `id`. */
  | 'MALFORMED_FRAME'
  /** The `id` is not one of the contract's. */
  | 'UNKNOWN_MESSAGE'
  /** A known `id` with a missing or mistyped field. */
  | 'INVALID_MESSAGE'
  /** A request other than `joinRoom` before joining. */
  | 'NOT_JOINED'
  /** `joinRoom` on a connection that already joined. */
  | 'ALREADY_JOINED'
  /** The name is already in use in that room; the first holder keeps it. */
  | 'NAME_TAKEN'
  /** A room or participant name that is empty, too long or has control characters. */
  | 'INVALID_NAME'
  /** A `receiveVideoFrom` or `onIceCandidate` naming nobody in the room. */
  | 'UNKNOWN_PARTICIPANT'
  /** The media backend could not process an offer or candidate. */
  | 'MEDIA_ERROR'
  /** The connection sent more messages than the server's rate limit allows; the message was dropped. */
  | 'RATE_LIMITED'
  /** The room has as many participants as the server allows. */
  | 'ROOM_FULL'
  /** The server has as many rooms as it allows; joining an existing room still works. */
  | 'TOO_MANY_ROOMS'
  /** Any other server fault. */
  | 'INTERNAL_ERROR';

/**
 * A refused request. Ours, not Kurento's; `request` is the `id` of the message that
 * caused it, when known.
 */
export interface ErrorMessage {
  id: 'error';
  code: ErrorCode;
  message: string;
  request?: string;
}

/** Ours: the answer to a `ping`. */
export interface PongMessage {
  id: 'pong';
}

/** Any message a server sends. */
export type ServerMessage =
  | ExistingParticipantsMessage
  | NewParticipantArrivedMessage
  | ParticipantLeftMessage
  | ReceiveVideoAnswerMessage
  | IceCandidateMessage
  | ParticipantMediaStateMessage
  | PongMessage
  | ErrorMessage;

// ---------------------------------------------------------------- parsing

/** Why a frame could not be turned into a message. */
export interface ProtocolError {
  code: 'MALFORMED_FRAME' | 'UNKNOWN_MESSAGE' | 'INVALID_MESSAGE';
  /** A sentence for logs and error replies. */
  message: string;
  /** The frame's `id`, when it had a string one. */
  id?: string;
}

/** The outcome of parsing one frame. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

type FieldKind = 'string' | 'strings' | 'candidate' | 'optionalString' | 'boolean';
type Schema = Record<string, Record<string, FieldKind>>;

const CLIENT_SCHEMA: Schema = {
  joinRoom: { name: 'string', room: 'string', sessionId: 'optionalString' },
  receiveVideoFrom: { sender: 'string', sdpOffer: 'string' },
  onIceCandidate: { name: 'string', candidate: 'candidate' },
  leaveRoom: {},
  setMediaState: { audioMuted: 'boolean', videoMuted: 'boolean' },
  ping: {},
};

const SERVER_SCHEMA: Schema = {
  existingParticipants: { data: 'strings' },
  newParticipantArrived: { name: 'string' },
  participantLeft: { name: 'string' },
  receiveVideoAnswer: { name: 'string', sdpAnswer: 'string' },
  iceCandidate: { name: 'string', candidate: 'candidate' },
  participantMediaState: { name: 'string', audioMuted: 'boolean', videoMuted: 'boolean' },
  pong: {},
  error: { code: 'string', message: 'string', request: 'optionalString' },
};

/** Validates the ICE candidate shape; returns a clean copy or undefined. */
function readCandidate(value: unknown): IceCandidateInit | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  if (typeof c.candidate !== 'string') return undefined;
  const sdpMid = c.sdpMid ?? null;
  const sdpMLineIndex = c.sdpMLineIndex ?? null;
  if (sdpMid !== null && typeof sdpMid !== 'string') return undefined;
  if (sdpMLineIndex !== null && !Number.isInteger(sdpMLineIndex)) return undefined;
  if (sdpMid === null && sdpMLineIndex === null) return undefined;
  return { candidate: c.candidate, sdpMid, sdpMLineIndex: sdpMLineIndex as number | null };
}

/** Stands for a missing or mistyped field. */
const INVALID = Symbol();

/** The field's value (a clean copy, for a candidate), or {@link INVALID}. */
function readField(kind: FieldKind, value: unknown): unknown {
  if (kind === 'candidate') return readCandidate(value) ?? INVALID;
  const ok =
    kind === 'strings'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : kind === 'optionalString'
        ? value === undefined || typeof value === 'string'
        : typeof value === kind;
  return ok ? value : INVALID;
}

function parseFrame<T>(frame: unknown, schema: Schema): ParseResult<T> {
  let data: unknown = frame;
  if (typeof frame === 'string') {
    try {
      data = JSON.parse(frame);
    } catch {
      return fail('MALFORMED_FRAME', 'frame is not valid JSON');
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail('MALFORMED_FRAME', 'frame is not a JSON object');
  }
  const raw = data as Record<string, unknown>;
  const id = raw.id;
  if (typeof id !== 'string') return fail('MALFORMED_FRAME', 'frame has no string "id"');
  const fields = Object.hasOwn(schema, id) ? schema[id] : undefined;
  if (!fields) return fail('UNKNOWN_MESSAGE', `unknown message id "${id.slice(0, 64)}"`, id);
  const message: Record<string, unknown> = { id };
  for (const [field, kind] of Object.entries(fields)) {
    const value = readField(kind, raw[field]);
    if (value === INVALID) {
      return fail('INVALID_MESSAGE', `"${id}" has a missing or invalid "${field}"`, id);
    }
    if (value !== undefined) message[field] = value;
  }
  return { ok: true, message: message as T };
}

function fail<T>(code: ProtocolError['code'], message: string, id?: string): ParseResult<T> {
  return { ok: false, error: id === undefined ? { code, message } : { code, message, id } };
}

/**
 * Parses a frame a client sent (used by servers). Accepts the raw text or an
 * already-decoded value. Unknown keys are dropped; never throws.
 */
export function parseClientMessage(frame: unknown): ParseResult<ClientMessage> {
  return parseFrame<ClientMessage>(frame, CLIENT_SCHEMA);
}

/**
 * Parses a frame a server sent (used by the SDK). Accepts the raw text or an
 * already-decoded value. Unknown keys are dropped; never throws.
 */
export function parseServerMessage(frame: unknown): ParseResult<ServerMessage> {
  return parseFrame<ServerMessage>(frame, SERVER_SCHEMA);
}

/** Encodes a message as a text frame. */
export function serializeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
