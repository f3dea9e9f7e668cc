/**
 * The signaling session (livekit's SignalClient with its reconnect loop): one join's
 * WebSocket speaking the Kurento group-call contract, its `joinRoom` attempts and their
 * timeout, and, when the socket drops after joining, the outage and its re-joins on the
 * reconnect policy. It knows the socket, the message format and the join exchange; what the
 * room says goes to the client.
 *
 * Every `join()` makes a random `sessionId` and sends it in each `joinRoom`. When the socket
 * drops after joining (any close but our own and `CloseCode.REPLACED`), the client goes
 * `reconnecting` (one `reconnecting` event), closes every peer connection, keeps the camera
 * and every `Participant`, and re-joins on the reconnect policy with the same room, name and
 * `sessionId` (a server that supports it gives the name back without the others seeing a
 * leave). Once the room answers it goes `connected` (one `reconnected` event), republishes
 * and resubscribes to everyone listed; anyone known but not listed gets `rejoinGraceMs` to
 * come back before `participantLeft` (see `roster.ts`). When the policy gives up:
 * `disconnected`, and `error` with `SignalingError('reconnect-failed')`.
 *
 * Liveness: while the socket is open the client sends `ping` every {@link PING_INTERVAL_MS}.
 * Once the server has answered one with `pong` (the reference server does; Kurento's
 * ignore it, and are then never timed), a socket on which nothing arrives for two pings in a
 * row is dead: it is dropped and the outage begins, within 4 to 6 s of the last frame, where
 * TCP alone could take minutes to notice. A re-join attempt waits at most
 * {@link REJOIN_TIMEOUT_MS} (or `joinTimeoutMs`, if shorter), so that one lost in a network
 * outage does not hold up the next one.
 *
 * @packageDocumentation
 */
import { SignalingError, type RoomError } from './errors.js';
import { clientLog as log } from './log.js';
import {
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type JoinRoomMessage,
  type ProtocolError,
  type ServerMessage,
} from '../protocol/messages.js';
import { REPLACED_CLOSE_CODE } from '../protocol/replaced-close-code.js';
import type { ReconnectPolicy } from './types.js';

type Timer = ReturnType<typeof setTimeout>;

/** How often the client pings an open signaling socket, in ms. */
export const PING_INTERVAL_MS = 2000;
/** How long one re-join attempt may take (socket and answer) at most, in ms. */
export const REJOIN_TIMEOUT_MS = 3000;

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
  /** The socket of the attempt in flight or of the joined session; null between attempts. */
  #ws: WebSocket | null = null;
  /** This session's `joinRoom`, sent on each attempt. */
  #joinRoom?: JoinRoomMessage;
  /** The timeout of the `joinRoom` in flight (a join or a re-join); undefined when none is. */
  #attemptTimer?: Timer;
  /** When the signaling outage began (`performance.now()`, ms); undefined while there is none. */
  #outageSince?: number;
  /** The re-joins tried in this outage. */
  #attempts = 0;
  /** The timer of the next re-join. */
  #retryTimer?: Timer;
  /** The open socket's ping timer. */
  #pinger?: ReturnType<typeof setInterval>;

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
    return !!this.#attemptTimer;
  }

  /** Joins `room` as `name` with a new `sessionId`: opens a socket and sends `joinRoom`. */
  open(room: string, name: string): void {
    this.#joinRoom = { id: 'joinRoom', name, room, sessionId: randomId() };
    this.#dial();
  }

  /**
   * The room answered `joinRoom` (`existingParticipants`): the attempt, and any outage, are
   * over. Returns false when no `joinRoom` was in flight.
   */
  answered(): boolean {
    const joining = this.#endAttempt();
    if (joining) this.#outageSince = undefined;
    return joining;
  }

  /** Sends `message` as one text frame; dropped unless the socket is open (a re-join resends what matters). */
  send(message: ClientMessage): void {
    const ws = this.#ws;
    if (ws?.readyState === WebSocket.OPEN) ws.send(serializeMessage(message));
  }

  /**
   * The join or re-join in flight failed (an `error` reply, a lost socket, the timeout): a
   * join ends the session; a re-join asks the policy again.
   */
  fail(error: RoomError): void {
    this.#endAttempt();
    if (this.#outageSince === undefined) return this.#handlers.ended(error, false);
    this.#close();
    this.#retry(error);
  }

  /** Ends the session: stops every timer, says `leaveRoom` if asked, closes the socket. Idempotent. */
  stop(sayLeave: boolean): void {
    this.#endAttempt();
    clearTimeout(this.#retryTimer);
    this.#outageSince = undefined;
    if (sayLeave) this.send({ id: 'leaveRoom' });
    this.#close();
  }

  /**
   * Opens a socket and sends `joinRoom` once it is open; the room's answer, an error reply,
   * a lost socket or `joinTimeoutMs` settles it. Every frame goes through
   * `parseServerMessage`. A socket that could not open or closed (without {@link
   * SignalingSession.stop}) is lost: `SignalingError('replaced')` for the close code
   * `CloseCode.REPLACED` (4001), else `SignalingError('socket')`, its `cause` the `CloseEvent`.
   */
  #dial(): void {
    const joinRoom = this.#joinRoom!;
    const timeoutMs =
      this.#outageSince === undefined
        ? this.#joinTimeoutMs
        : Math.min(this.#joinTimeoutMs, REJOIN_TIMEOUT_MS);
    this.#attemptTimer = setTimeout(() => {
      this.fail(new SignalingError('timeout', `No answer to joinRoom in ${timeoutMs} ms.`));
    }, timeoutMs);
    try {
      const ws = (this.#ws = new WebSocket(this.#url));
      let opened = false;
      // Pings since a frame last arrived; NaN, which never counts up nor exceeds 1, until the
      // server has answered one (a server that ignores pings is never timed).
      let unanswered = NaN;
      ws.onopen = () => {
        opened = true;
        this.send(joinRoom);
        this.#pinger = setInterval(() => {
          if (unanswered > 1) {
            this.#close();
            return this.#lost(new SignalingError('socket', 'The server stopped answering pings.'));
          }
          unanswered++;
          this.send({ id: 'ping' });
        }, PING_INTERVAL_MS);
      };
      ws.onmessage = ({ data }) => {
        if (unanswered) unanswered = 0;
        const result = parseServerMessage(data);
        if (!result.ok) return this.#handlers.invalid(result.error);
        const message = result.message;
        if (message.id === 'pong') unanswered = 0;
        // A server of ours too old to know `ping` refuses it: not the room's business.
        else if (message.id !== 'error' || message.request !== 'ping') {
          this.#handlers.message(message);
        }
      };
      ws.onclose = (event) => {
        this.#close();
        const replaced = event.code === REPLACED_CLOSE_CODE;
        const message = replaced
          ? 'Joined again on another connection.'
          : opened
            ? `The signaling socket closed (code ${event.code}).`
            : `The signaling socket to ${this.#url} could not open.`;
        this.#lost(new SignalingError(replaced ? 'replaced' : 'socket', message, { cause: event }));
      };
    } catch (cause) {
      this.fail(new SignalingError('socket', `Cannot open ${this.#url}.`, { cause }));
    }
  }

  /**
   * The socket could not open or closed: a join or re-join in flight failed; after joining,
   * an outage begins, unless the socket was replaced or there is no policy (the end).
   */
  #lost(error: SignalingError): void {
    if (this.#attemptTimer) return this.fail(error);
    if (error.reason === 'replaced' || !this.#policy) return this.#handlers.ended(error, true);
    this.#outageSince = performance.now();
    this.#attempts = 0;
    this.#handlers.reconnecting(error);
    this.#retry(error);
  }

  /** Closes the socket (code 1000), if any, without hearing from it again. */
  #close(): void {
    clearInterval(this.#pinger);
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close(1000);
  }

  /** Clears the timeout of the `joinRoom` in flight; returns whether one was. */
  #endAttempt(): boolean {
    const pending = this.#attemptTimer;
    clearTimeout(pending);
    this.#attemptTimer = undefined;
    return !!pending;
  }

  /** Asks the reconnect policy when to re-join; on `null` (or a throw), gives up. */
  #retry(reason: RoomError): void {
    const since = this.#outageSince;
    if (since === undefined) return;
    const attempt = this.#attempts;
    let delay: number | null = null;
    try {
      delay = this.#policy!.nextRetryDelayInMs({
        attempt,
        elapsedMs: performance.now() - since,
        reason,
      });
    } catch (error) {
      log.error('The reconnect policy threw:', error);
    }
    if (delay === null) {
      const error = new SignalingError(
        'reconnect-failed',
        `Gave up after ${attempt} attempts: ${reason.message}`,
        { cause: reason },
      );
      return this.#handlers.ended(error, true);
    }
    this.#retryTimer = setTimeout(
      () => {
        this.#attempts += 1;
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
