/**
 * A typed client of the Kurento Protocol: JSON-RPC 2.0 over one WebSocket to Kurento Media
 * Server (`ws://host:8888/kurento`), as the Kurento documentation describes it
 * ("Kurento Protocol": `create`, `invoke`, `subscribe`, `release`, `ping`, and the
 * server's `onEvent` notifications; every result carries the session id, which later
 * requests repeat).
 *
 * Our own rather than the official `kurento-client` package: 7.3.0 does not install as
 * published (its postinstall script is missing from the tarball and it depends on a
 * GitHub-hosted fork of reconnect-ws), it is untyped and callback-shaped, and the part
 * of it the group call needs is the few requests below. The JSON-RPC framing is a dozen
 * lines (a request id, a map of pending requests, one frame shape back), so no framing
 * library either: the Kurento specifics (the session id, `onEvent`, `result.value`, the
 * `__module__`/`__type__` of complex types) would sit on top of it anyway.
 *
 * @packageDocumentation
 */

import WebSocket from 'ws';
import { createLogger, type Logger } from '../../logger.js';
import { KurentoConnectionError, KurentoError } from './kurento-errors.js';

/** The default of {@link KurentoClientOptions.requestTimeoutMs}, in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** The default of {@link KurentoClientOptions.pingIntervalMs}, in ms. */
export const DEFAULT_PING_INTERVAL_MS = 5000;
/** The default of {@link KurentoClientOptions.reconnectDelaysMs}, in ms; the last repeats. */
export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [0, 250, 500, 1000];

/** The Kurento object id of the media server's `ServerManager` (kms-core). */
export const SERVER_MANAGER = 'manager_ServerManager';

/** Largest frame accepted from the media server, in bytes (an SDP answer is a few KB). */
const MAX_PAYLOAD = 16 * 1024 * 1024;

/** Options of {@link KurentoClient}. */
export interface KurentoClientOptions {
  /** The media server's WebSocket URL, e.g. `ws://127.0.0.1:8888/kurento`. */
  url: string;
  /** How long a request may wait for its response, in ms. Default 5000. */
  requestTimeoutMs?: number;
  /**
   * How often a `ping` checks the connection while it is open, in ms (a `ping` without
   * an answer within the request timeout closes it, and it is re-opened). Default 5000.
   */
  pingIntervalMs?: number;
  /**
   * Waits between attempts to re-open a lost connection, in ms; the last one repeats
   * until {@link KurentoClient.close}. Default 0, 250, 500, then 1000: a media server that
   * restarts is found again within a second of listening.
   */
  reconnectDelaysMs?: readonly number[];
  /** Default: a silent logger. */
  logger?: Logger;
}

/**
 * Where the connection stands: `connecting` (the first attempt), `open`, `reconnecting`
 * (lost, attempts under way), `closed` (after {@link KurentoClient.close}, final).
 */
export type KurentoConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A change of {@link KurentoClient.state}, as {@link KurentoClient.onConnection} reports it. */
export interface KurentoConnectionChange {
  state: KurentoConnectionState;
  /**
   * `open` only: true when this is not the first opening. The media server may have
   * restarted meanwhile, with every object of the session gone.
   */
  reopened?: boolean;
  /**
   * `reconnecting` only: true when the last attempt was refused (`ECONNREFUSED`: nothing
   * listens at the URL, so the media server process and its objects are gone).
   */
  refused?: boolean;
}

/** A media server event (`onEvent` notification, `params.value`). */
export interface KurentoEvent {
  /** The event type, e.g. `IceCandidateFound`. */
  type: string;
  /** The id of the object that raised it. */
  object: string;
  /** The event's fields, e.g. `{candidate: {candidate, sdpMid, sdpMLineIndex}}`. */
  data: Record<string, unknown>;
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One connection to one Kurento Media Server, kept alive with `ping` and re-opened when
 * lost. Requests made while it is not open reject at once with
 * {@link KurentoConnectionError} (nothing is queued: a caller would rather fail over);
 * requests pending when it drops reject the same way. Every request has a timeout.
 */
export class KurentoClient {
  /** The media server's URL. */
  readonly url: string;
  private readonly requestTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly reconnectDelaysMs: readonly number[];
  private readonly logger: Logger;
  private socket: WebSocket | undefined;
  private currentState: KurentoConnectionState = 'connecting';
  private currentSessionId: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: KurentoEvent) => void>();
  private readonly connectionListeners = new Set<(change: KurentoConnectionChange) => void>();
  private attempt = 0;
  private wasOpen = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(options: KurentoClientOptions) {
    this.url = options.url;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.reconnectDelaysMs = options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    this.logger = (options.logger ?? createLogger('silent')).child({ kms: options.url });
    this.connect();
  }

  /** {@inheritDoc KurentoConnectionState} */
  get state(): KurentoConnectionState {
    return this.currentState;
  }

  /** The Kurento session id the media server gave this client, once it gave one. */
  get sessionId(): string | undefined {
    return this.currentSessionId;
  }

  /**
   * Resolves once the connection is open (at once if it is), or rejects with
   * {@link KurentoConnectionError} after `timeoutMs` or when the client is closed.
   */
  opened(timeoutMs = this.requestTimeoutMs): Promise<void> {
    if (this.currentState === 'open') return Promise.resolve();
    const closed = (): KurentoConnectionError =>
      new KurentoConnectionError(`the client of ${this.url} is closed`);
    if (this.currentState === 'closed') return Promise.reject(closed());
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error): void => {
        stop();
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const stop = this.onConnection((change) => {
        if (change.state === 'open') finish();
        else if (change.state === 'closed') finish(closed());
      });
      const timer = setTimeout(
        () => finish(new KurentoConnectionError(`${this.url} did not open within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
  }

  /**
   * `create`: makes a media object.
   *
   * @param type - e.g. `MediaPipeline`, `WebRtcEndpoint`.
   * @param constructorParams - e.g. `{mediaPipeline: id}` for an endpoint.
   * @returns the new object's id.
   * @throws {@link KurentoError} or {@link KurentoConnectionError} (rejects).
   */
  async create(type: string, constructorParams: Record<string, unknown> = {}): Promise<string> {
    const value = await this.request('create', { type, constructorParams, properties: {} });
    if (typeof value !== 'string') throw new KurentoError('create', 0, 'no object id returned');
    return value;
  }

  /**
   * `invoke`: calls an operation of a media object, e.g. `processOffer` with `{offer}`.
   *
   * @returns the operation's `result.value` (undefined for operations without one).
   * @throws {@link KurentoError} or {@link KurentoConnectionError} (rejects).
   */
  invoke(
    object: string,
    operation: string,
    operationParams: Record<string, unknown> = {},
  ): Promise<unknown> {
    return this.request('invoke', { object, operation, operationParams }, `invoke ${operation}`);
  }

  /**
   * `subscribe`: asks for the events of `type` that `object` raises; they reach
   * {@link KurentoClient.onEvent} listeners.
   *
   * @returns the subscription's id.
   */
  async subscribe(object: string, type: string): Promise<string> {
    return String(await this.request('subscribe', { object, type }, `subscribe ${type}`));
  }

  /** `release`: destroys a media object (a pipeline with every element in it). */
  async release(object: string): Promise<void> {
    await this.request('release', { object });
  }

  /** `ping`: the media server answers `pong` when it is alive. */
  async ping(): Promise<void> {
    await this.request('ping', { interval: this.pingIntervalMs * 3 });
  }

  /**
   * The ids of every pipeline on the media server, of all sessions
   * (`ServerManager.getPipelines`).
   */
  async getPipelines(): Promise<string[]> {
    const value = await this.invoke(SERVER_MANAGER, 'getPipelines');
    return Array.isArray(value) ? value.map(String) : [];
  }

  /** Listens to media server events. Listener exceptions are caught and logged. */
  onEvent(listener: (event: KurentoEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Listens to changes of {@link KurentoClient.state}. Listener exceptions are caught and logged. */
  onConnection(listener: (change: KurentoConnectionChange) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Closes the connection for good: pending requests reject. Safe to call twice. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.setState({ state: 'closed' });
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.failPending(new KurentoConnectionError(`the client of ${this.url} is closed`));
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    socket?.on('error', () => undefined);
    socket?.terminate();
  }

  private async request(
    method: string,
    params: Record<string, unknown>,
    what = method,
  ): Promise<unknown> {
    const socket = this.socket;
    if (this.currentState !== 'open' || !socket) {
      throw new KurentoConnectionError(`${this.url} is not connected (${this.currentState})`);
    }
    const id = this.nextId++;
    const frame = JSON.stringify({
      jsonrpc: '2.0',
      id,
      method,
      params: this.currentSessionId ? { ...params, sessionId: this.currentSessionId } : params,
    });
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new KurentoConnectionError(
            `${this.url} did not answer ${what} within ${this.requestTimeoutMs} ms`,
          ),
        );
      }, this.requestTimeoutMs);
      this.pending.set(id, { method: what, resolve, reject, timer });
      socket.send(frame, (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new KurentoConnectionError(`sending ${what} failed`, { cause: error }));
      });
    });
    return result.value;
  }

  private connect(): void {
    const socket = new WebSocket(this.url, {
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: this.requestTimeoutMs,
    });
    this.socket = socket;
    let refused = false;
    socket.on('open', () => this.handleOpen(socket));
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      refused = error.code === 'ECONNREFUSED';
      this.logger.debug({ err: error }, 'media server connection error');
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.handleLoss(refused);
    });
  }

  private handleOpen(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.attempt = 0;
    const reopened = this.wasOpen;
    this.wasOpen = true;
    this.setState({ state: 'open', reopened });
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      this.ping().catch((error: unknown) => {
        if (this.socket !== socket) return;
        this.logger.warn({ err: error }, 'media server ping failed: re-opening');
        socket.terminate();
      });
    }, this.pingIntervalMs);
    this.pingTimer.unref();
  }

  private handleLoss(refused: boolean): void {
    clearInterval(this.pingTimer);
    if (this.currentState === 'closed') return;
    this.failPending(new KurentoConnectionError(`the connection to ${this.url} was lost`));
    if (this.currentState === 'open') this.logger.warn('media server connection lost');
    this.setState({ state: this.wasOpen ? 'reconnecting' : 'connecting', refused });
    const delays = this.reconnectDelaysMs;
    const delay = delays[Math.min(this.attempt++, delays.length - 1)] ?? 1000;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.logger.warn('the media server sent a frame that is not JSON');
      return;
    }
    if (!isObject(message)) return;
    if (message.method === 'onEvent') {
      this.dispatchEvent(message.params);
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return; // timed out already
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (isObject(message.error)) {
      const { code, message: text, data } = message.error;
      const type = isObject(data) && typeof data.type === 'string' ? data.type : undefined;
      pending.reject(
        new KurentoError(pending.method, Number(code) || 0, String(text ?? 'error'), type),
      );
      return;
    }
    const result = isObject(message.result) ? message.result : {};
    if (typeof result.sessionId === 'string') this.currentSessionId = result.sessionId;
    pending.resolve(result);
  }

  private dispatchEvent(params: unknown): void {
    const value = isObject(params) ? params.value : undefined;
    if (!isObject(value) || typeof value.type !== 'string' || typeof value.object !== 'string') {
      return;
    }
    const event: KurentoEvent = {
      type: value.type,
      object: value.object,
      data: isObject(value.data) ? value.data : {},
    };
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error, event: event.type }, 'a media server event listener threw');
      }
    }
  }

  private setState(change: KurentoConnectionChange): void {
    if (change.state === this.currentState && change.state !== 'reconnecting') return;
    this.logger.debug({ from: this.currentState, to: change.state }, 'media server connection');
    this.currentState = change.state;
    for (const listener of this.connectionListeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.warn({ err: error }, 'a media server connection listener threw');
      }
    }
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
