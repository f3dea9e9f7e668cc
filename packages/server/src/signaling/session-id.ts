/**
 * Session ids: the secret a client sends with `joinRoom` to take its name back after
 * its connection dropped (ours; `JoinRoomMessage.sessionId` in `src/protocol.ts`).
 *
 * @packageDocumentation
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { SignalingError } from './signaling-error.js';

/** The shortest session id accepted, in UTF-16 code units (the SDK makes 16 or more). */
export const MIN_SESSION_ID_LENGTH = 16;

/** The longest session id accepted, in UTF-16 code units. */
export const MAX_SESSION_ID_LENGTH = 256;

/**
 * Checks a session id's length: a short one could be guessed, and would let anyone
 * take the name over.
 *
 * @throws {@link SignalingError} `INVALID_MESSAGE` outside {@link MIN_SESSION_ID_LENGTH}
 *   to {@link MAX_SESSION_ID_LENGTH}.
 */
export function assertValidSessionId(sessionId: string): void {
  if (sessionId.length < MIN_SESSION_ID_LENGTH || sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new SignalingError(
      'INVALID_MESSAGE',
      `"sessionId" must be ${MIN_SESSION_ID_LENGTH} to ${MAX_SESSION_ID_LENGTH} characters`,
    );
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Compares two session ids in constant time: both are hashed to 32 bytes (so their
 * lengths do not show either) and compared with `crypto.timingSafeEqual`.
 */
export function sameSessionId(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
