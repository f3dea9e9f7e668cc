/**
 * A signaling client for tests: a real WebSocket (the `ws` package) that records every
 * server message and waits for the next one matching a predicate. Timeouts are only
 * failure guards.
 */
import WebSocket from 'ws';
import {
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../../packages/sdk/src/protocol/index.js';

/** How long a wait may take before the test fails, in ms. */
export const WAIT_MS = 5000;

type Id = ServerMessage['id'];
type MessageOf<I extends Id> = Extract<ServerMessage, { id: I }>;

export class TestClient {
  /** Every message received, in order. */
  readonly history: ServerMessage[] = [];
  /** Received and not yet taken by {@link TestClient.next}. */
  private readonly inbox: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const parsed = parseServerMessage(String(data));
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.error.message}`);
      this.history.push(parsed.message);
      this.inbox.push(parsed.message);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        for (const wake of [...this.waiters]) wake();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens a socket to `url` (`options` as the `ws` package takes them) and resolves once open. */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Sends a contract message. */
  send(message: ClientMessage): void {
    this.socket.send(serializeMessage(message));
  }

  /** Sends any text (or a binary frame) as is. */
  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /**
   * Takes the first unread message with this `id` (and matching `where`), waiting for
   * it if needed. Rejects after `timeoutMs` or when the socket closes.
   */
  next<I extends Id>(
    id: I,
    where: (message: MessageOf<I>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<MessageOf<I>> {
    return this.take(
      (m) => m.id === id && where(m as MessageOf<I>),
      `"${id}"`,
      timeoutMs,
    ) as Promise<MessageOf<I>>;
  }

  /** Takes the first unread message matching `predicate`, waiting for it if needed. */
  take(
    predicate: (message: ServerMessage) => boolean,
    what = 'a message',
    timeoutMs = WAIT_MS,
  ): Promise<ServerMessage> {
    const take = (): ServerMessage | undefined => {
      const index = this.inbox.findIndex(predicate);
      return index < 0 ? undefined : this.inbox.splice(index, 1)[0];
    };
    const found = take();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => {
        const message = take();
        if (message) {
          done();
          resolve(message);
        } else if (this.socket.readyState >= WebSocket.CLOSING) {
          done();
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.history.map((m) => m.id).join(', ');
        reject(new Error(`no ${what} within ${timeoutMs} ms (received: ${seen || 'nothing'})`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** The unread messages, without taking them. */
  unread(): readonly ServerMessage[] {
    return this.inbox;
  }

  /**
   * Sends `joinRoom` (with `sessionId` if given) and resolves with the names of
   * `existingParticipants`, once the `participantMediaState` of each (which the server sends
   * right behind it) is in too, taken: `next('participantMediaState')` waits for a relayed
   * one (`history` keeps them all). Rejects with the `error` reply's JSON when refused.
   */
  async join(room: string, name: string, sessionId?: string): Promise<string[]> {
    this.send(
      sessionId === undefined
        ? { id: 'joinRoom', room, name }
        : { id: 'joinRoom', room, name, sessionId },
    );
    const reply = await this.take(
      (m) => m.id === 'existingParticipants' || m.id === 'error',
      'a join reply',
    );
    if (reply.id !== 'existingParticipants') {
      throw new Error(`join refused: ${JSON.stringify(reply)}`);
    }
    for (const other of reply.data) {
      await this.next('participantMediaState', (m) => m.name === other);
    }
    return reply.data;
  }

  /**
   * Resolves once the server has processed every message sent before (a connection's
   * messages are processed in order): sends an unknown id and waits for its error.
   */
  async barrier(tag = 'barrier'): Promise<void> {
    this.sendRaw(JSON.stringify({ id: tag }));
    await this.next('error', (e) => e.request === tag);
  }

  /** Closes the socket and resolves once it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

/**
 * The HTTP status of a WebSocket upgrade to `url` (101 when accepted), with this `Origin`
 * (none if undefined) or these client options (an `origin`, headers, a TLS `ca`).
 */
export function upgradeStatus(
  url: string,
  origin?: string | WebSocket.ClientOptions,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, typeof origin === 'string' ? { origin } : (origin ?? {}));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}
