/**
 * The per-connection message rate limit: a token bucket, one notice a second, and a
 * cut-off for connections that flood far beyond it.
 *
 * @packageDocumentation
 */

/**
 * How many messages one signaling connection may send. The defaults
 * ({@link DEFAULT_RATE_LIMIT}) leave room for a browser joining a full room: a
 * `joinRoom`, one `receiveVideoFrom` per peer connection (16 with the default room size)
 * and a burst of trickle ICE candidates for each (about 5 to 10 per peer connection
 * with host, server-reflexive and relay candidates), some 170 messages in the first
 * second, and a few a second after that.
 */
export interface RateLimit {
  /** Sustained rate: tokens added to the bucket per second. Default 50. */
  messagesPerSecond: number;
  /** Bucket size: the messages accepted at once after a quiet spell. Default 200. */
  burst: number;
  /**
   * A connection that sends more than `abuseFactor × messagesPerSecond` messages in
   * each of `abuseSeconds` consecutive seconds is closed (1008, policy violation).
   * Default 10.
   */
  abuseFactor: number;
  /** See {@link RateLimit.abuseFactor}. Default 5 (seconds). */
  abuseSeconds: number;
}

/**
 * The defaults of {@link RateLimit}: 50 messages/s sustained, bursts of 200, cut off at
 * 10× for 5 s.
 */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimit> = {
  messagesPerSecond: 50,
  burst: 200,
  abuseFactor: 10,
  abuseSeconds: 5,
};

/** The least time between two `RATE_LIMITED` notices on one connection, in ms. */
export const NOTICE_INTERVAL_MS = 1000;

/**
 * What to do with one incoming message: process it (`accept`), drop it silently
 * (`drop`), drop it and tell the client `RATE_LIMITED` (`notify`, at most once per
 * {@link NOTICE_INTERVAL_MS}), or close the connection (`close`).
 */
export type Admission = 'accept' | 'drop' | 'notify' | 'close';

/**
 * A token bucket (RFC 2697's single-rate idea, one token per message) with abuse
 * detection over fixed one-second windows. One per connection; not shared.
 */
export class RateLimiter {
  private readonly limit: RateLimit;
  private tokens: number;
  private refilledAt: number;
  private lastNotice = -Infinity;
  private windowStart: number;
  private windowCount = 0;
  /** Consecutive full windows over the abuse threshold. */
  private abusiveWindows = 0;
  private droppedSinceNotice = 0;

  /**
   * @param limit - the limits; missing fields take {@link DEFAULT_RATE_LIMIT}'s.
   * @param now - a monotonic clock in ms (tests inject one).
   * @throws RangeError when a limit is not a positive finite number.
   */
  constructor(
    limit: Partial<RateLimit> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limit = { ...DEFAULT_RATE_LIMIT, ...limit };
    for (const [key, value] of Object.entries(this.limit)) {
      if (!(value > 0) || !Number.isFinite(value)) {
        throw new RangeError(`rate limit "${key}" must be a positive number, got ${value}`);
      }
    }
    this.tokens = this.limit.burst;
    this.refilledAt = this.windowStart = this.now();
  }

  /** Messages dropped since the last `notify` (for the notice's text and logs). */
  get dropped(): number {
    return this.droppedSinceNotice;
  }

  /** Decides the fate of one incoming message, and counts it. */
  admit(): Admission {
    const now = this.now();
    if (this.countAbuse(now)) return 'close';
    const { messagesPerSecond, burst } = this.limit;
    this.tokens = Math.min(
      burst,
      this.tokens + ((now - this.refilledAt) * messagesPerSecond) / 1000,
    );
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    if (now - this.lastNotice >= NOTICE_INTERVAL_MS) {
      this.lastNotice = now;
      this.droppedSinceNotice = 1;
      return 'notify';
    }
    this.droppedSinceNotice += 1;
    return 'drop';
  }

  /** Counts the message in its one-second window; true once the connection is abusive. */
  private countAbuse(now: number): boolean {
    const { messagesPerSecond, abuseFactor, abuseSeconds } = this.limit;
    const threshold = abuseFactor * messagesPerSecond;
    const elapsed = now - this.windowStart;
    if (elapsed >= 1000) {
      // A window closes: it extends the streak only if it was over the threshold and
      // directly followed the previous one (a silent second in between breaks it).
      const contiguous = elapsed < 2000;
      this.abusiveWindows =
        this.windowCount > threshold && contiguous ? this.abusiveWindows + 1 : 0;
      this.windowStart = contiguous ? this.windowStart + 1000 : now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    return this.windowCount > threshold && this.abusiveWindows + 1 >= abuseSeconds;
  }
}
