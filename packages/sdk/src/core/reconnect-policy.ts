/**
 * The default {@link ReconnectPolicy}: a table of delays with jitter and an overall limit,
 * in the manner of LiveKit's `DefaultReconnectPolicy`.
 *
 * @packageDocumentation
 */
import type { ReconnectContext, ReconnectPolicy } from './types.js';

/** Options for {@link DefaultReconnectPolicy}; every field is optional. */
export interface DefaultReconnectPolicyOptions {
  /**
   * The delay before attempt N (0-based) is `delaysMs[N]`, in ms; past the end of the
   * table, its last value. Default `[0, 300, 600, 1000]`.
   */
  delaysMs?: readonly number[];
  /** Give up once this long has passed since the socket dropped, in ms. Default 60000. */
  maxElapsedMs?: number;
  /** Each delay is scaled by a random factor in `[1 - jitter, 1 + jitter]`. Default 0.2. */
  jitter?: number;
}

/** The delay table of {@link DefaultReconnectPolicy}, in ms. */
export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [0, 300, 600, 1000];

/**
 * Retries at once, then after 300 ms, 600 ms, and every second (each ±20%), and gives up
 * (`null`) once 60 s have passed since the socket dropped: a link that comes back after an
 * outage is found within about a second (a re-join attempt lasts at most 3 s), at the cost
 * of one socket a second to a server that is down. Whatever the
 * failure: a refused socket, a timeout, or an error reply (even `NAME_TAKEN`, which a
 * server without `sessionId` support sends until its heartbeat evicts the old connection).
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #delays: readonly number[];
  readonly #maxElapsedMs: number;
  readonly #jitter: number;

  /** Throws a `TypeError` on an empty table or a negative number. */
  constructor(options: DefaultReconnectPolicyOptions = {}) {
    this.#delays = options.delaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    this.#maxElapsedMs = options.maxElapsedMs ?? 60_000;
    this.#jitter = options.jitter ?? 0.2;
    if (
      !this.#delays.length ||
      ![...this.#delays, this.#maxElapsedMs, this.#jitter].every((n) => n >= 0)
    ) {
      throw new TypeError('Reconnect delays and limits must be >= 0.');
    }
  }

  /** The jittered table delay for `attempt`, in ms, or `null` once `maxElapsedMs` has passed. */
  nextRetryDelayInMs(context: ReconnectContext): number | null {
    return tableDelay(this.#delays, this.#maxElapsedMs, this.#jitter, context);
  }
}

/** `delays[attempt]` (past the end, the last), scaled by a random factor in `[1 - jitter, 1 + jitter]`; null once `maxElapsedMs` has passed. */
function tableDelay(
  delays: readonly number[],
  maxElapsedMs: number,
  jitter: number,
  { attempt, elapsedMs }: ReconnectContext,
): number | null {
  if (elapsedMs >= maxElapsedMs) return null;
  const delay = delays[Math.min(attempt, delays.length - 1)];
  return Math.round(delay * (1 + jitter * (2 * Math.random() - 1)));
}

/**
 * @internal What a client without `reconnectPolicy` uses: {@link DefaultReconnectPolicy}
 * with its defaults, without the class and its checks (fewer bytes for every app).
 */
export const defaultReconnectPolicy: ReconnectPolicy = {
  nextRetryDelayInMs: (context) => tableDelay(DEFAULT_RECONNECT_DELAYS_MS, 60_000, 0.2, context),
};
