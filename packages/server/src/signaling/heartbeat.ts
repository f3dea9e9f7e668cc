/**
 * The ping/pong heartbeat that finds dead sockets (the `ws` README's recipe): a
 * half-open TCP connection sends no close and no error, so without it a vanished
 * client would hold its name and endpoints for ever.
 *
 * @packageDocumentation
 */

import type { WebSocket } from 'ws';

/**
 * The default interval between WebSocket pings, in ms; a socket that misses a pong is
 * closed within two.
 */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * Pings every watched socket each `intervalMs` (RFC 6455 section 5.5.2; browsers
 * answer pings by themselves); a socket that has not answered the previous ping by the
 * next one is handed to `onTimeout`, once, and no longer watched.
 */
export class Heartbeat {
  private readonly alive = new Map<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  /**
   * @param intervalMs - time between pings, in ms; a dead socket is found after one to
   *   two intervals.
   * @param onTimeout - called with a socket that missed its pong.
   * @throws RangeError when `intervalMs` is not a positive number.
   */
  constructor(
    intervalMs: number,
    private readonly onTimeout: (socket: WebSocket) => void,
  ) {
    if (!(intervalMs > 0))
      throw new RangeError(`heartbeat interval must be positive, got ${intervalMs}`);
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  /** Watches an open socket until it closes. */
  watch(socket: WebSocket): void {
    this.alive.set(socket, true);
    socket.on('pong', () => {
      if (this.alive.has(socket)) this.alive.set(socket, true);
    });
    socket.once('close', () => this.alive.delete(socket));
  }

  /** Stops pinging. */
  stop(): void {
    clearInterval(this.timer);
    this.alive.clear();
  }

  private beat(): void {
    for (const [socket, alive] of this.alive) {
      if (socket.readyState !== socket.OPEN) continue;
      if (!alive) {
        this.alive.delete(socket);
        this.onTimeout(socket);
        continue;
      }
      this.alive.set(socket, false);
      socket.ping();
    }
  }
}
