/**
 * Deadlines on media-backend calls: a call that has not settled in time rejects with
 * {@link MediaTimeoutError}, so that one hung operation can neither hold a participant's
 * message queue (and with it its leave) nor the room's graph queue or the room registry;
 * what the call produces if it settles later is handed to a disposer (an endpoint or a
 * pipeline is released when it arrives).
 *
 * @packageDocumentation
 */

import type { Logger } from '../logger.js';
import { MediaTimeoutError } from '../media/media-backend.js';

/**
 * The default deadline of one media-backend call, in ms. The embedded werift SFU
 * answers in milliseconds (ICE-lite, no gathering: FIELD-NOTES section 3); a remote media
 * server on a slow link takes a few hundred.
 */
export const DEFAULT_MEDIA_TIMEOUT_MS = 10_000;

/**
 * Checks a media-backend deadline.
 *
 * @returns `timeoutMs`.
 * @throws RangeError when `timeoutMs` is not a positive finite number of ms.
 */
export function checkMediaTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`the media timeout must be a positive number of ms, got ${timeoutMs}`);
  }
  return timeoutMs;
}

/**
 * Runs one backend call within `timeoutMs`.
 *
 * @param operation - the backend operation's name (e.g. `processOffer`), for the error.
 * @param timeoutMs - the deadline, in ms.
 * @param call - starts the backend call.
 * @param dispose - given what the call produces when it resolves after its deadline
 *   (release a late endpoint or pipeline there); a late rejection is ignored. Must not
 *   throw.
 * @returns the call's outcome when it settles in time.
 * @throws {@link MediaTimeoutError} (rejects) when the deadline passes first; whatever
 *   the call rejects with otherwise.
 */
export function withinDeadline<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
  dispose?: (late: T) => void,
): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = call();
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new MediaTimeoutError(operation, timeoutMs));
    }, timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (late) dispose?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error as Error);
      },
    );
  });
}

/**
 * Releases a backend object (an endpoint or a pipeline, whose `release()` never rejects
 * by contract) within `timeoutMs`: resolves when it is released or when the deadline
 * passes, whichever comes first, so that a hung release cannot stall the queue it runs
 * on; a missed deadline (or a rejection) is logged as a warning. Never rejects.
 */
export async function releaseWithin(
  target: { readonly id: string; release(): Promise<void> },
  timeoutMs: number,
  logger?: Logger,
): Promise<void> {
  try {
    await withinDeadline('release', timeoutMs, () => target.release());
  } catch (error) {
    logger?.warn({ err: error, media: target.id }, 'releasing a media object failed');
  }
}
