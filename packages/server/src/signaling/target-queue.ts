/**
 * The order a connection's messages are processed in: one lane per target (the peer
 * connection a message is about), and barriers that stand between everything.
 *
 * @packageDocumentation
 */

const settle = (): void => undefined;

/**
 * Runs async tasks in lanes keyed by target, with barriers across every lane. The
 * ordering rules, all of them:
 *
 * 1. Tasks of one target run one at a time, in the order they were queued
 *    ({@link TargetQueue.run}).
 * 2. Tasks of different targets do not wait for each other: a slow task of one target
 *    holds none of another.
 * 3. A barrier ({@link TargetQueue.barrier}) runs after every task queued before it has
 *    settled, and every task queued after it (of any target, or a barrier) runs after it
 *    has settled: nothing overtakes a barrier, and a barrier overtakes nothing.
 *
 * A task's failure rejects its own promise only; its lane goes on with the next task.
 * The queue never cancels: a task that must be skipped checks why when it runs. A lane
 * whose tasks have all settled is forgotten, so the queue holds only targets with work in
 * flight. It is the protocol's `SerialQueue` split by target.
 *
 * ```ts
 * const queue = new TargetQueue();
 * void queue.run('bob', () => subscribe('bob')); // these two run side by side,
 * void queue.run('carol', () => subscribe('carol'));
 * void queue.run('bob', () => addCandidate('bob')); // after bob's subscription,
 * void queue.barrier(() => leave()); // after all three
 * ```
 */
export class TargetQueue {
  /** Settles once the last barrier has run (never rejects). */
  #barrier: Promise<void> = Promise.resolve();
  /** Per target with tasks queued since the last barrier: settles once its last one has run. */
  readonly #lanes = new Map<string, Promise<void>>();

  /**
   * Queues `task` in the lane of `target`: it runs after the last barrier and after the
   * target's earlier tasks, whatever other targets are doing.
   *
   * @returns the task's outcome, once it has run.
   */
  run<T>(target: string, task: () => T | Promise<T>): Promise<T> {
    const result = (this.#lanes.get(target) ?? this.#barrier).then(task);
    const tail = result.then(settle, settle);
    this.#lanes.set(target, tail);
    void tail.then(() => {
      if (this.#lanes.get(target) === tail) this.#lanes.delete(target);
    });
    return result;
  }

  /**
   * Queues `task` as a barrier: it runs once every task queued so far, in every lane,
   * has settled, and every task queued later waits for it.
   *
   * @returns the task's outcome, once it has run.
   */
  barrier<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.idle().then(task);
    this.#lanes.clear();
    this.#barrier = result.then(settle, settle);
    return result;
  }

  /** Resolves once every task queued so far has settled (never rejects). */
  async idle(): Promise<void> {
    await Promise.all([this.#barrier, ...this.#lanes.values()]);
  }
}
