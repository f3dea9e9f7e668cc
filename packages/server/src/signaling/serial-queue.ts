/**
 * A promise queue: tasks run one at a time, in the order they were queued.
 *
 * @packageDocumentation
 */

/**
 * Runs async tasks one after another. A task's failure rejects its own promise only;
 * the queue goes on with the next task.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects with its outcome once it has run. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
