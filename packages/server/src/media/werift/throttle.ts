/**
 * A leading-and-trailing throttle for key frame requests.
 *
 * @packageDocumentation
 */

/**
 * Runs `action` at most once per `intervalMs`: the first request runs at once, and
 * requests inside the interval collapse into one run at its end, so the last asker
 * is never left waiting for the next natural key frame.
 */
export class Throttle {
  private lastRun = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private cancelled = false;

  /**
   * @param intervalMs - the minimum time between two runs, in ms.
   * @param action - what to run; its exceptions are the caller's to catch inside it.
   * @param now - a monotonic clock in ms (tests inject one).
   */
  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Asks for a run. Does nothing after {@link Throttle.cancel}. */
  request(): void {
    if (this.cancelled || this.timer) return;
    const wait = this.lastRun + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref();
  }

  /** Drops a pending run and refuses later requests. */
  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    if (this.cancelled) return;
    this.lastRun = this.now();
    this.action();
  }
}
