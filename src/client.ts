/**
 * kurento-room's SDK core alone, without the web component or Lit: `RoomClient`,
 * its types and errors, and the wire protocol. Import `kurento-room/client` when
 * building your own UI.
 *
 * @packageDocumentation
 */
export { RoomClient } from './room-client.js';
export { DefaultReconnectPolicy, DEFAULT_RECONNECT_DELAYS_MS } from './reconnect-policy.js';
export type { DefaultReconnectPolicyOptions } from './reconnect-policy.js';
export type {
  RoomClientOptions,
  RoomClientEvents,
  ConnectionState,
  Participant,
  PeerState,
  PeerRestartReason,
  ReconnectContext,
  ReconnectPolicy,
} from './types.js';
export {
  RoomError,
  MediaAccessError,
  SignalingError,
  NegotiationError,
  InvalidStateError,
} from './errors.js';
export type { RoomErrorOptions } from './errors.js';
export * from './protocol.js';
export { setLogLevel } from './log.js';
export type { LogLevel } from './log.js';
