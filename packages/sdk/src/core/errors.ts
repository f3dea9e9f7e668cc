/**
 * Typed errors. Every error the SDK throws, rejects with or emits is a
 * {@link RoomError}; `reason` says what happened in a word a program can switch on,
 * `cause` carries the underlying error (a `DOMException`, a socket event) when there is one.
 *
 * @packageDocumentation
 */

/** Options shared by every {@link RoomError}. */
export interface RoomErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** The base class of every SDK error. */
export class RoomError extends Error {
  /** A machine-readable word for what happened; each subclass lists its values. */
  readonly reason: string;

  constructor(reason: string, message: string, options: RoomErrorOptions = {}) {
    super(message, options);
    // Spelled out, not `new.target.name`: minifiers rename classes.
    this.name = 'RoomError';
    this.reason = reason;
  }
}

/** What a {@link MediaAccessError} could not open. */
export type MediaAccessDevice = 'camera or microphone' | 'camera' | 'microphone' | 'screen';

/** The device of each media kind, for {@link MediaAccessError.from}. */
export const KIND_DEVICE = { audio: 'microphone', video: 'camera' } as const;

/**
 * The camera or microphone could not be opened (getUserMedia, Media Capture and
 * Streams section 10), or a screen could not be captured (W3C Screen Capture,
 * `getDisplayMedia`). The client still joins and receives everyone else.
 *
 * - `denied`: the user or policy refused (`NotAllowedError`, `SecurityError`; also a
 *   screen picker the user cancelled).
 * - `no-device`: no device matches (`NotFoundError`, `OverconstrainedError`).
 * - `unavailable`: a device exists but could not be started (`NotReadableError`, `AbortError`),
 *   or `navigator.mediaDevices` is missing on a secure page.
 * - `insecure`: the page is not a secure context (`http:` off localhost), where browsers
 *   hide `navigator.mediaDevices` (Media Capture and Streams section 9.2; W3C Secure
 *   Contexts): serve it over HTTPS.
 *
 * `device` says what was asked for: `camera or microphone` (joining), `camera`,
 * `microphone` (a device switch or the pre-join preview), or `screen` (a screen share).
 */
export class MediaAccessError extends RoomError {
  declare readonly reason: 'denied' | 'no-device' | 'unavailable' | 'insecure';
  /** What could not be opened. */
  readonly device: MediaAccessDevice;

  constructor(
    reason: MediaAccessError['reason'],
    message: string,
    options: RoomErrorOptions & { device?: MediaAccessDevice } = {},
  ) {
    super(reason, message, options);
    this.name = 'MediaAccessError';
    this.device = options.device ?? 'camera or microphone';
  }

  /** Classifies a getUserMedia or getDisplayMedia rejection for `device` (also named in the message). */
  static from(
    error: unknown,
    device: MediaAccessDevice = 'camera or microphone',
  ): MediaAccessError {
    const name = error instanceof Error ? error.name : '';
    const options = { cause: error, device };
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return new MediaAccessError('denied', `Access to the ${device} was denied.`, options);
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      return new MediaAccessError('no-device', `No ${device} was found.`, options);
    }
    return new MediaAccessError('unavailable', `The ${device} could not be started.`, options);
  }
}

/**
 * The signaling channel failed.
 *
 * - `socket`: the WebSocket could not open or closed unexpectedly.
 * - `timeout`: the server did not answer in time.
 * - `server`: the server replied with an `error` message; `code` holds its code
 *   (for example `NAME_TAKEN`).
 * - `protocol`: the server sent a frame that is not valid under the contract.
 * - `replaced`: the server closed the socket with `CloseCode.REPLACED` (4001): this
 *   participant joined again on another connection (another tab with the same session).
 *   The client does not reconnect.
 * - `reconnect-failed`: the socket dropped and the reconnect policy gave up; `cause` is
 *   the last attempt's error.
 */
export class SignalingError extends RoomError {
  declare readonly reason:
    'socket' | 'timeout' | 'server' | 'protocol' | 'replaced' | 'reconnect-failed';
  /** The server's or parser's error code, for `server` and `protocol`. */
  readonly code: string | undefined;

  constructor(
    reason: SignalingError['reason'],
    message: string,
    options: RoomErrorOptions & { code?: string } = {},
  ) {
    super(reason, message, options);
    this.name = 'SignalingError';
    this.code = options.code;
  }
}

/**
 * An offer, answer or ICE candidate could not be applied to a peer connection
 * (webrtc-pc section 4.4). `participant` is whose peer connection it was.
 *
 * - `offer`: creating or setting the local offer failed.
 * - `answer`: the remote answer was rejected.
 * - `candidate`: a remote ICE candidate was rejected.
 * - `ice`: the peer connection reached `failed`.
 * - `timeout`: the peer connection was not `connected` within `negotiationTimeoutMs` of its
 *   offer: no answer came, or no ICE candidate pair worked (a firewall or NAT in the way; a
 *   TURN server may be needed). The client rebuilds it, on a backoff.
 */
export class NegotiationError extends RoomError {
  declare readonly reason: 'offer' | 'answer' | 'candidate' | 'ice' | 'timeout';
  readonly participant: string;

  constructor(
    reason: NegotiationError['reason'],
    participant: string,
    message: string,
    options: RoomErrorOptions = {},
  ) {
    super(reason, message, options);
    this.name = 'NegotiationError';
    this.participant = participant;
  }
}

/**
 * A method was called in a state that does not allow it: `closed` after `close()`,
 * `joined` for a second `join()`, `not-joined` for a media control before `join()` (or a
 * join that `leave()` cut short), `no-media` for a device switch or a screen share when
 * nothing of that kind is published (receive-only, or the camera failed to open),
 * `arguments` for invalid arguments.
 */
export class InvalidStateError extends RoomError {
  declare readonly reason: 'closed' | 'joined' | 'not-joined' | 'no-media' | 'arguments';

  constructor(reason: InvalidStateError['reason'], message: string) {
    super(reason, message);
    this.name = 'InvalidStateError';
  }
}

/** @internal `enabled`, if it is a boolean; else throws `InvalidStateError('arguments')`. */
export function checkBoolean(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw badArguments('enabled (a boolean)');
  return enabled;
}

/** @internal An `InvalidStateError('arguments')` saying that `what` is invalid. */
export function badArguments(what: string): InvalidStateError {
  return new InvalidStateError('arguments', `Invalid ${what}.`);
}
