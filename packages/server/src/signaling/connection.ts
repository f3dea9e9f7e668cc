/**
 * One signaling WebSocket: parses frames, keeps them in order, routes them to the
 * participant's room, and turns every failure into an `error` reply.
 *
 * @packageDocumentation
 */

import { once } from 'node:events';
import WebSocket from 'ws';
import {
  CloseCode,
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type ErrorCode,
  type ParseResult,
  type ServerMessage,
} from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import { assertValidName } from './names.js';
import type { MessageSink, Participant } from './participant.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import type { Membership, RoomRegistry } from './rooms.js';
import { assertValidSessionId } from './session-id.js';
import { SignalingError } from './signaling-error.js';
import { TargetQueue } from './target-queue.js';

/** WebSocket close code 1008, policy violation (RFC 6455 section 7.4.1): a message flood. */
export const POLICY_VIOLATION = 1008;

/** How long a closing handshake may take before the socket is cut, in ms. */
export const CLOSE_GRACE_MS = 1000;

/** Refusals worth a warning in the log: the server's limits, not a client's mistake. */
const LIMIT_CODES: ReadonlySet<ErrorCode> = new Set(['ROOM_FULL', 'TOO_MANY_ROOMS']);

/**
 * The target of a message: whose peer connection it negotiates (`receiveVideoFrom`'s
 * `sender`, `onIceCandidate`'s `name`: the client's own name for its publisher), or
 * `undefined` for a message that is a barrier on the connection's {@link TargetQueue}.
 */
function targetOf(parsed: ParseResult<ClientMessage> | null): string | undefined {
  if (!parsed?.ok) return undefined;
  const { message } = parsed;
  if (message.id === 'receiveVideoFrom') return message.sender;
  if (message.id === 'onIceCandidate') return message.name;
  return undefined;
}

/**
 * The server side of one client. Nothing a client sends can throw out of here: every
 * failure becomes `{id: 'error', code, message, request}` and the socket stays open (the
 * tutorial closed it with 1011).
 *
 * Messages are processed on a {@link TargetQueue}, in arrival order per target:
 * - `receiveVideoFrom` and `onIceCandidate` go to the lane of the peer connection they
 *   are about (the sender's name; the client's own name for its publisher). One lane
 *   runs one message at a time, so an `onIceCandidate` right behind its
 *   `receiveVideoFrom` finds that offer's endpoint (or is queued for it until the answer is
 *   out); lanes do not wait for each other, so a slow offer (a media server under load)
 *   holds up neither the answers of the client's other subscriptions nor its publisher.
 * - Everything else is a barrier: `joinRoom`, `leaveRoom`, `setMediaState`, the leave when
 *   the socket closes, and frames refused as invalid (their `error` reply comes after the
 *   replies to everything before them). A barrier starts once every message before it has
 *   been processed, and nothing after it starts before it is done.
 * - `ping` (ours: the client's liveness check) is answered with `pong` at once, joined or
 *   not, ahead of the queue.
 */
export class SignalingConnection implements MessageSink {
  private readonly queue = new TargetQueue();
  private readonly limiter: RateLimiter;
  private membership: Membership | undefined;
  /** Set once the socket closed, or the server decided to close it: later messages are ignored. */
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The connection's logger; once joined, a child with `room` and `participant`. */
  private logger: Logger;

  /**
   * @param socket - an open WebSocket.
   * @param rooms - the server's rooms.
   * @param logger - a logger for this connection (a child with its id).
   * @param rateLimit - the message rate limit (see {@link RateLimiter}).
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly rooms: RoomRegistry,
    private readonly baseLogger: Logger,
    rateLimit: Partial<RateLimit> = {},
  ) {
    this.logger = baseLogger;
    this.limiter = new RateLimiter(rateLimit);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', (code, reason) => this.handleClose(code, reason));
  }

  /** The participant, once joined. */
  get joined(): Participant | undefined {
    return this.membership?.participant;
  }

  /** Sends a message if the socket is open. Never throws. */
  send(message: ServerMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(serializeMessage(message), (error) => {
      if (error) this.logger.debug({ err: error }, 'sending a message failed');
    });
  }

  /** Resolves once every queued message and the leave that follows a close are done. */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Closes the socket with `code` and ignores its later messages; a peer that does not
   * finish the closing handshake within {@link CLOSE_GRACE_MS} is cut. The participant,
   * if any, leaves when the socket has closed. Resolves then; safe to call twice.
   */
  close(code: number, reason: string): Promise<void> {
    this.closed = true;
    if (this.closing) return this.closing;
    if (this.socket.readyState === WebSocket.CLOSED) return (this.closing = Promise.resolve());
    const closed = once(this.socket, 'close').then(() => undefined);
    this.socket.close(code, reason);
    const cut = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    cut.unref();
    return (this.closing = closed.finally(() => clearTimeout(cut)));
  }

  /** A newer connection took the participant over: forget it and close with `REPLACED`. */
  replaced(): void {
    this.logger.info('replaced by a new connection');
    if (this.membership) this.forget(this.membership);
    void this.close(CloseCode.REPLACED, 'replaced by a new connection');
  }

  /** The room's media server was lost: close with `SERVICE_RESTART`, so the client re-joins. */
  restart(): void {
    this.logger.warn('the room lost its media: closing for a re-join');
    if (this.membership) this.forget(this.membership);
    void this.close(CloseCode.SERVICE_RESTART, 'media server lost');
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closed) return;
    switch (this.limiter.admit()) {
      case 'accept':
        break;
      case 'drop':
        return;
      case 'notify':
        this.logger.warn('message rate limit exceeded: dropping messages');
        this.replyError('RATE_LIMITED', 'too many messages: this one and others are dropped');
        return;
      case 'close':
        this.logger.warn('message flood: closing the connection');
        void this.close(POLICY_VIOLATION, 'message rate limit exceeded');
        return;
    }
    const parsed: ParseResult<ClientMessage> | null = isBinary
      ? null
      : parseClientMessage(text(data));
    // A liveness check is answered at once, ahead of whatever media work is queued.
    if (parsed?.ok && parsed.message.id === 'ping') return this.send({ id: 'pong' });
    const target = targetOf(parsed);
    const process = (): Promise<void> => this.process(parsed);
    (target === undefined ? this.queue.barrier(process) : this.queue.run(target, process)).catch(
      (error: unknown) => this.logger.error({ err: error }, 'unexpected failure'),
    );
  }

  /** Handles one frame, in its turn: a binary one (`null`), an invalid one, or a message. */
  private async process(parsed: ParseResult<ClientMessage> | null): Promise<void> {
    if (this.closed) return;
    if (!parsed) {
      this.replyError('MALFORMED_FRAME', 'frames must be text');
      return;
    }
    if (!parsed.ok) {
      this.logger.debug({ code: parsed.error.code }, parsed.error.message);
      this.replyError(parsed.error.code, parsed.error.message, parsed.error.id);
      return;
    }
    const message = parsed.message as Exclude<ClientMessage, { id: 'ping' }>;
    try {
      await this.dispatch(message);
    } catch (error) {
      if (error instanceof SignalingError) {
        const fields = { code: error.code, request: message.id, err: error.cause };
        const level = LIMIT_CODES.has(error.code) ? 'warn' : 'debug';
        if (message.id === 'joinRoom' && !this.membership) {
          // A refused join: say who asked for what (names cut short: they may be huge).
          const asked = {
            room: message.room.slice(0, 100),
            participant: message.name.slice(0, 100),
          };
          this.logger[level]({ ...fields, ...asked }, `join refused: ${error.message}`);
        } else {
          this.logger[level](fields, error.message);
        }
        this.replyError(error.code, error.message, message.id);
      } else {
        this.logger.error({ err: error, request: message.id }, 'handler failed');
        this.replyError('INTERNAL_ERROR', 'internal server error', message.id);
      }
    }
  }

  private async dispatch(message: Exclude<ClientMessage, { id: 'ping' }>): Promise<void> {
    const current = this.membership;
    if (current) {
      await current.room.handle(current.participant, message);
      if (current.participant.left) this.forget(current);
      return;
    }
    if (message.id !== 'joinRoom') {
      throw new SignalingError('NOT_JOINED', `"${message.id}" before "joinRoom"`);
    }
    assertValidName('room', message.room);
    assertValidName('participant', message.name);
    if (message.sessionId !== undefined) assertValidSessionId(message.sessionId);
    const membership = await this.rooms.join(message.room, message.name, this, message.sessionId);
    if (membership.participant.left) return; // taken over again meanwhile
    this.membership = membership;
    this.logger = this.baseLogger.child({ room: message.room, participant: message.name });
  }

  /** Drops the membership after a leave or a takeover (if it is still this one). */
  private forget(membership: Membership): void {
    if (this.membership !== membership) return;
    this.membership = undefined;
    this.logger = this.baseLogger;
  }

  private handleClose(code: number, reason: Buffer): void {
    this.closed = true;
    this.logger.info({ code, reason: reason.toString('utf8').slice(0, 123) }, 'connection closed');
    this.queue
      .barrier(async () => {
        const membership = this.membership;
        this.membership = undefined;
        if (membership) await membership.room.leave(membership.participant);
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'leaving on close failed'));
  }

  private replyError(code: ErrorCode, message: string, request?: string): void {
    this.send(
      request === undefined
        ? { id: 'error', code, message }
        : { id: 'error', code, message, request },
    );
  }
}

/** A text frame's data as a string (`ws` hands over a Buffer, an ArrayBuffer or fragments). */
function text(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Buffer.from(new Uint8Array(data)).toString('utf8');
}
