/**
 * One signaling WebSocket: parses frames, keeps them in order, routes them to the
 * participant's room, and turns every failure into an `error` reply.
 *
 * @packageDocumentation
 */

import WebSocket from 'ws';
import {
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type ErrorCode,
  type ServerMessage,
} from '../../src/protocol.js';
import type { Logger } from './logger.js';
import { assertValidName } from './names.js';
import type { MessageSink, Participant } from './participant.js';
import type { Membership, RoomRegistry } from './rooms.js';
import { SerialQueue } from './serial-queue.js';
import { SignalingError } from './signaling-error.js';

/**
 * The server side of one client. Messages are processed one at a time in arrival
 * order (a promise queue), so an `onIceCandidate` right behind its `receiveVideoFrom`
 * finds the endpoint. Nothing a client sends can throw out of here: every failure
 * becomes `{id: 'error', code, message, request}` and the socket stays open (the
 * tutorial closed it with 1011).
 */
export class SignalingConnection implements MessageSink {
  private readonly queue = new SerialQueue();
  private membership: Membership | undefined;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly rooms: RoomRegistry,
    private readonly logger: Logger,
  ) {
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', () => this.handleClose());
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

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    this.queue
      .run(() => this.process(data, isBinary))
      .catch((error: unknown) => this.logger.error({ err: error }, 'unexpected failure'));
  }

  private async process(data: WebSocket.RawData, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    if (isBinary) {
      this.replyError('MALFORMED_FRAME', 'frames must be text');
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(new Uint8Array(data)).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.logger.debug({ code: parsed.error.code }, parsed.error.message);
      this.replyError(parsed.error.code, parsed.error.message, parsed.error.id);
      return;
    }
    const { message } = parsed;
    try {
      await this.dispatch(message);
    } catch (error) {
      if (error instanceof SignalingError) {
        this.logger.debug(
          { code: error.code, request: message.id, err: error.cause },
          error.message,
        );
        this.replyError(error.code, error.message, message.id);
      } else {
        this.logger.error({ err: error, request: message.id }, 'handler failed');
        this.replyError('INTERNAL_ERROR', 'internal server error', message.id);
      }
    }
  }

  private async dispatch(message: ClientMessage): Promise<void> {
    const membership = this.membership;
    if (membership) {
      await membership.room.handle(membership.participant, message);
      if (membership.participant.left) this.membership = undefined;
      return;
    }
    if (message.id !== 'joinRoom') {
      throw new SignalingError('NOT_JOINED', `"${message.id}" before "joinRoom"`);
    }
    assertValidName('room', message.room);
    assertValidName('participant', message.name);
    this.membership = await this.rooms.join(message.room, message.name, this);
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue
      .run(async () => {
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
