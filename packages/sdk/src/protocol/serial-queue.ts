/**
 * A promise queue: tasks run one at a time, in the order they were queued. The SDK runs
 * the work on each peer connection, the media controls and the pre-join preview on one;
 * the reference server runs its rooms map, each room's media graph and each connection's
 * messages on one (mediasoup's `AwaitQueue` is the model).
 *
 * @packageDocumentation
 */

/**
 * Runs async tasks one after another. A task's failure rejects its own promise only; the
 * queue goes on with the next task. A task that must be skipped under some condition (a
 * closed peer, a stopped preview) checks it when it runs: the queue itself never cancels.
 *
 * ```ts
 * const queue = new SerialQueue();
 * void queue.run(() => pc.setRemoteDescription(answer));
 * void queue.run(() => pc.addIceCandidate(candidate)); // after the answer
 * await queue.idle();
 * ```
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects with its outcome once it has run, after every task queued before it settled. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(() => task());
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled (never rejects). */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
