/**
 * The signaling channel: one WebSocket speaking the Kurento group-call contract.
 * It knows the socket and the message format, nothing about rooms or peers.
 *
 * @packageDocumentation
 */
import { SignalingError } from './errors.js';
import {
  CloseCode,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ProtocolError,
  type ServerMessage,
} from '../protocol/messages.js';

/** What a {@link Signaling} channel reports. Called at most until {@link Signaling.close}. */
export interface SignalingHandlers {
  /** The socket opened; messages can be sent. */
  open(): void;
  /** A valid server message arrived. */
  message(message: ServerMessage): void;
  /** A frame failed validation (see `parseServerMessage`); the channel stays usable. */
  invalid(error: ProtocolError): void;
  /**
   * The socket could not open, or closed without {@link Signaling.close} being called.
   * `error` is a `SignalingError` whose `cause` is the `CloseEvent`: `replaced` for the
   * close code `CloseCode.REPLACED` (4001), else `socket`. Final.
   */
  lost(error: SignalingError): void;
}

/**
 * One signaling WebSocket, opened at construction. Single use: after it is lost or
 * closed, make a new one.
 */
export class Signaling {
  #ws: WebSocket | null;

  /**
   * Opens a WebSocket to `url` (`ws:` or `wss:`). Throws what the `WebSocket`
   * constructor throws (a `SyntaxError` or `SecurityError` `DOMException`).
   */
  constructor(url: string, handlers: SignalingHandlers) {
    const ws = (this.#ws = new WebSocket(url));
    let opened = false;
    ws.onopen = () => {
      opened = true;
      handlers.open();
    };
    ws.onmessage = ({ data }) => {
      const result = parseServerMessage(data);
      if (result.ok) handlers.message(result.message);
      else handlers.invalid(result.error);
    };
    ws.onclose = (event) => {
      this.#detach();
      const replaced = event.code === CloseCode.REPLACED;
      const message = replaced
        ? 'This participant joined again on another connection.'
        : opened
          ? `The signaling socket closed (code ${event.code}).`
          : `The signaling socket to ${url} could not open.`;
      handlers.lost(
        new SignalingError(replaced ? 'replaced' : 'socket', message, { cause: event }),
      );
    };
  }

  /** Sends `message` as one text frame. Returns false (and sends nothing) unless the socket is open. */
  send(message: ClientMessage): boolean {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(serializeMessage(message));
    return true;
  }

  /** Closes the socket (code 1000) without reporting anything more. Idempotent. */
  close(): void {
    const ws = this.#ws;
    if (!ws) return;
    this.#detach();
    ws.close(1000);
  }

  #detach(): void {
    const ws = this.#ws;
    if (ws) ws.onopen = ws.onmessage = ws.onclose = null;
    this.#ws = null;
  }
}
