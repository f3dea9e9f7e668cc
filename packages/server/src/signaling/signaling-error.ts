/**
 * The typed error that handlers throw and the connection turns into an `error` reply.
 *
 * @packageDocumentation
 */

import type { ErrorCode } from 'kurento-room/protocol';

/**
 * A refused request: becomes `{id: 'error', code, message, request}` on the wire
 * (our addition to the Kurento contract, whose server closes the socket instead).
 */
export class SignalingError extends Error {
  /** The wire code (see `ErrorCode` in `src/protocol.ts`). */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignalingError';
    this.code = code;
  }
}
