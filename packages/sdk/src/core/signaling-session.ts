/**
 * The signaling session (livekit's SignalClient with its reconnect loop): one join's
 * socket, its `joinRoom` attempts and their timeout, and, when the socket drops after
 * joining, the outage and its re-joins on the reconnect policy. It knows the socket and
 * the join exchange; what the room says goes to the client.
 *
 * @packageDocumentation
 */
import { SignalingError, type RoomError } from './errors.js';
import { logger } from './log.js';
import type { ClientMessage, ProtocolError, ServerMessage } from '../protocol/messages.js';
import { Signaling } from './signaling.js';
import type { ReconnectPolicy } from './types.js';

const log = logger('client');

type Timer = ReturnType<typeof setTimeout>;

/** One signaling outage: when it began, the re-joins tried, the next one's timer. */
interface Outage {
  since: number;
  attempts: number;
  timer?: Timer;
}

/** What a {@link SignalingSession} reports. Nothing is reported after {@link SignalingSession.stop}. */
export interface SessionHandlers {
  /** A valid server message arrived. */
  message(message: ServerMessage): void;
  /** A frame failed validation (see `parseServerMessage`). */
  invalid(error: ProtocolError): void;
  /**
   * The socket dropped after joining (`reason` is the `SignalingError('socket')`): an outage
   * began, and re-joins follow on the policy until the room answers one ({@link SignalingSession.answered}).
   */
  reconnecting(reason: SignalingError): void;
  /**
   * The session is over: a join failed (`report` false: `join()` rejects with it), or the
   * socket is lost for good (`replaced`, no policy) or the policy gave up
   * (`reconnect-failed`) (`report` true: emitted as `error`).
   */
  ended(error: RoomError, report: boolean): void;
}

/**
 * The signaling side of a client, reused from one `join()` to the next. Every
 * {@link SignalingSession.open} makes a random `sessionId`, sent in each `joinRoom` so
 * that a re-join can take the name back (the reference server does; Kurento's ignore it).
 */
export class SignalingSession {
  #signaling: Signaling | null = null;
  #room = '';
  #name = '';
  #sessionId = '';
  /** The timeout of the `joinRoom` in flight (a join or a re-join); null when none is. */
  #attemptTimer: Timer | null = null;
  #outage: Outage | null = null;

  readonly #url: string;
  readonly #joinTimeoutMs: number;
  readonly #policy: ReconnectPolicy | null;
  readonly #handlers: SessionHandlers;

  /**
   * @param url The signaling WebSocket URL (`ws:` or `wss:`).
   * @param joinTimeoutMs How long each attempt waits for the socket and the room, in ms.
   * @param policy When to re-join after a drop; null never to.
   */
  constructor(
    url: string,
    joinTimeoutMs: number,
    policy: ReconnectPolicy | null,
    handlers: SessionHandlers,
  ) {
    this.#url = url;
    this.#joinTimeoutMs = joinTimeoutMs;
    this.#policy = policy;
    this.#handlers = handlers;
  }

  /** True while a `joinRoom` (a join or a re-join) waits for the room's answer. */
  get joining(): boolean {
    return this.#attemptTimer !== null;
  }

  /** Joins `room` as `name` with a new `sessionId`: opens a socket and sends `joinRoom`. */
  open(room: string, name: string): void {
    this.#room = room;
    this.#name = name;
    this.#sessionId = randomId();
    this.#dial();
  }

  /**
   * The room answered `joinRoom` (`existingParticipants`): the attempt, and any outage, are
   * over. Returns false when no `joinRoom` was in flight.
   */
  answered(): boolean {
    if (this.#attemptTimer === null) return false;
    clearTimeout(this.#attemptTimer);
    this.#attemptTimer = this.#outage = null;
    return true;
  }

  /** Sends `message` (dropped, and logged at debug, unless the socket is open). */
  send(message: ClientMessage): void {
    if (!this.#signaling?.send(message)) log.debug(`Not sent (socket not open): ${message.id}`);
  }

  /**
   * The join or re-join in flight failed (an `error` reply, a lost socket, the timeout): a
   * join ends the session; a re-join asks the policy again.
   */
  fail(error: RoomError): void {
    clearTimeout(this.#attemptTimer ?? undefined);
    this.#attemptTimer = null;
    if (!this.#outage) return this.#handlers.ended(error, false);
    this.#signaling?.close();
    this.#signaling = null;
    this.#retry(error);
  }

  /** Ends the session: stops every timer, says `leaveRoom` if asked, closes the socket. Idempotent. */
  stop(sayLeave: boolean): void {
    clearTimeout(this.#attemptTimer ?? undefined);
    clearTimeout(this.#outage?.timer);
    this.#attemptTimer = this.#outage = null;
    const signaling = this.#signaling;
    this.#signaling = null;
    if (sayLeave) signaling?.send({ id: 'leaveRoom' });
    signaling?.close();
  }

  /** Opens a socket and sends `joinRoom`; the room's answer, an error reply, a lost socket or `joinTimeoutMs` settles it. */
  #dial(): void {
    const [name, room, sessionId] = [this.#name, this.#room, this.#sessionId];
    this.#attemptTimer = setTimeout(() => {
      this.fail(
        new SignalingError('timeout', `No answer to joinRoom in ${this.#joinTimeoutMs} ms.`),
      );
    }, this.#joinTimeoutMs);
    try {
      this.#signaling = new Signaling(this.#url, {
        open: () => this.send({ id: 'joinRoom', name, room, sessionId }),
        message: (message) => this.#handlers.message(message),
        invalid: (error) => this.#handlers.invalid(error),
        lost: (error) => this.#lost(error),
      });
    } catch (cause) {
      this.fail(new SignalingError('socket', `Cannot open ${this.#url}.`, { cause }));
    }
  }

  /**
   * The socket could not open or closed: a join or re-join in flight failed; after joining,
   * an outage begins, unless the socket was replaced or there is no policy (the end).
   */
  #lost(error: SignalingError): void {
    this.#signaling = null;
    if (this.#attemptTimer !== null) return this.fail(error);
    if (error.reason === 'replaced' || !this.#policy) return this.#handlers.ended(error, true);
    this.#outage = { since: performance.now(), attempts: 0 };
    this.#handlers.reconnecting(error);
    this.#retry(error);
  }

  /** Asks the reconnect policy when to re-join; on `null` (or a throw), gives up. */
  #retry(reason: RoomError): void {
    const outage = this.#outage;
    if (!outage) return;
    const elapsedMs = performance.now() - outage.since;
    let delay: number | null = null;
    try {
      delay = this.#policy!.nextRetryDelayInMs({ attempt: outage.attempts, elapsedMs, reason });
    } catch (error) {
      log.error('The reconnect policy threw:', error);
    }
    if (delay === null) {
      const error = new SignalingError(
        'reconnect-failed',
        `Gave up reconnecting after ${outage.attempts} attempts: ${reason.message}`,
        { cause: reason },
      );
      return this.#handlers.ended(error, true);
    }
    log.info(`Re-joining in ${delay} ms (attempt ${outage.attempts + 1}).`);
    outage.timer = setTimeout(
      () => {
        outage.attempts += 1;
        this.#dial();
      },
      Number.isFinite(delay) && delay > 0 ? delay : 0,
    );
  }
}

/** 32 random hex digits (getRandomValues also works on insecure origins, unlike randomUUID). */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
