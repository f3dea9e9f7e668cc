// Waiting in the test page: a log to wait on, a guard that turns a hang into a readable
// failure, and a promise to settle by hand. Everything waits on events, never on sleeps.

/** How long any single wait may take before the test fails, in ms. */
export const GUARD_MS = 5000;

/** Rejects with "timed out waiting for <what>" if `promise` takes longer than `ms`. */
export function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An append-only log. {@link next} resolves with the first item matching a predicate
 * that no earlier `next()` returned, whether it is already in the log or still to come.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly taken = new Set<number>();
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Items matching `where`, taken or not. */
  all(where: (item: T) => boolean = () => true): T[] {
    return this.items.filter(where);
  }

  next(where: (item: T) => boolean, what: string, ms = GUARD_MS): Promise<T> {
    return guard(
      new Promise<T>((resolve) => {
        const check = () => {
          const index = this.items.findIndex((item, i) => !this.taken.has(i) && where(item));
          if (index < 0) return;
          this.taken.add(index);
          this.waiters.delete(check);
          resolve(this.items[index]);
        };
        this.waiters.add(check);
        check();
      }),
      what,
      ms,
    );
  }
}

/** A promise with its resolve and reject exposed. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
