/**
 * A lean signaling client for load: a `ws` socket that keeps no history, answers only
 * the requests it is waiting on, and times them. Used by the load test and by
 * `bench/server-load.ts`.
 */
import WebSocket from 'ws';
import {
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../../packages/sdk/src/protocol/index.js';

/** How long a request may wait for its reply before it rejects, in ms. */
export const REQUEST_TIMEOUT_MS = 10_000;

interface Waiter {
  id: ServerMessage['id'];
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
}

/** One signaling connection that sends a request at a time and waits for its reply. */
export class LoadClient {
  private waiter: Waiter | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const parsed = parseServerMessage(String(data));
      const waiter = this.waiter;
      if (!parsed.ok || !waiter) return;
      if (parsed.message.id === 'error') {
        this.waiter = undefined;
        waiter.reject(new Error(`${parsed.message.code}: ${parsed.message.message}`));
      } else if (parsed.message.id === waiter.id) {
        this.waiter = undefined;
        waiter.resolve(parsed.message);
      }
    });
    socket.on('error', (error) => this.waiter?.reject(error));
    socket.on('close', () => this.waiter?.reject(new Error('socket closed')));
  }

  /** Opens a connection to `url` and resolves once it is open. */
  static connect(url: string): Promise<LoadClient> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LoadClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends `message` and resolves with the first reply of id `reply` (rejects on an `error` reply). */
  request(message: ClientMessage, reply: ServerMessage['id']): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${reply}`)), REQUEST_TIMEOUT_MS);
      const settle =
        <T>(action: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          action(value);
        };
      this.waiter = { id: reply, resolve: settle(resolve), reject: settle(reject) };
      this.socket.send(serializeMessage(message));
    });
  }

  /** Joins and resolves with the join's round trip (joinRoom → existingParticipants), in ms. */
  async join(room: string, name: string): Promise<number> {
    const started = performance.now();
    await this.request({ id: 'joinRoom', room, name }, 'existingParticipants');
    return performance.now() - started;
  }

  /** Sends a message that has no reply. */
  send(message: ClientMessage): void {
    this.socket.send(serializeMessage(message));
  }

  /** Closes the socket and resolves once it is closed. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
