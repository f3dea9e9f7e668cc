/**
 * The words `<kurento-room>` shows in its status line: the connection state and
 * errors, phrased so that a person knows what to do next.
 *
 * @packageDocumentation
 */
import {
  InvalidStateError,
  MediaAccessError,
  NegotiationError,
  SignalingError,
} from '../core/errors.js';
import type { ConnectionState } from '../core/types.js';

/** The join attempt an error belongs to, for the names and address in the message. */
export interface JoinAttempt {
  /** The room asked for. */
  room: string;
  /** The name asked for. */
  name: string;
  /** The signaling WebSocket URL used. */
  server: string;
  /** True once the room had answered: a later socket error is a lost connection. */
  connected: boolean;
}

const STILL_SEE = 'you can still see and hear the others.';

/** True while joining, joined or re-joining: the element shows the room and offers "Leave". */
export function isInRoom(state: ConnectionState): boolean {
  return state === 'connected' || state === 'connecting' || state === 'reconnecting';
}

/**
 * The status line for a connection state: "Not connected", "Connecting…",
 * "Reconnecting…", "Connected to room R as N".
 */
export function describeState(state: ConnectionState, room: string, name: string): string {
  if (state === 'connecting') return 'Connecting…';
  if (state === 'reconnecting') return 'Reconnecting…';
  if (state === 'connected') return `Connected to room ${room} as ${name}`;
  return 'Not connected';
}

/**
 * An error in words a person can act on. Handles every {@link RoomError} subclass,
 * the `TypeError` of an invalid server URL, and falls back to the error's message.
 */
export function describeError(error: unknown, attempt: JoinAttempt): string {
  if (error instanceof MediaAccessError) {
    if (error.device === 'screen') {
      return error.reason === 'denied'
        ? 'Screen sharing was refused or cancelled.'
        : 'The screen could not be shared.';
    }
    const { device } = error; // camera or microphone, camera, microphone
    if (error.reason === 'insecure') {
      return `The ${device} needs a secure (HTTPS) page: open this page over https://; ${STILL_SEE}`;
    }
    if (error.reason === 'denied') {
      const what = device[0]!.toUpperCase() + device.slice(1);
      return `${what} blocked: allow access in the browser's site settings; ${STILL_SEE}`;
    }
    if (error.reason === 'no-device') return `No ${device} found; ${STILL_SEE}`;
    return `The ${device} could not be started (is another app using it?); ${STILL_SEE}`;
  }
  if (error instanceof SignalingError) {
    switch (error.reason) {
      case 'reconnect-failed': {
        const cause = describeError(error.cause, { ...attempt, connected: false });
        return `Connection lost: ${cause.charAt(0).toLowerCase()}${cause.slice(1)}`;
      }
      case 'replaced':
        return `You joined room ${attempt.room} as ${attempt.name} somewhere else; this page left.`;
      case 'socket':
        return attempt.connected
          ? `Lost the connection to the server at ${attempt.server}.`
          : `Cannot reach the server at ${attempt.server}.`;
      case 'timeout':
        return 'The server did not answer.';
      case 'protocol':
        return 'The server sent a message this page does not understand.';
      case 'server':
        if (error.code === 'NAME_TAKEN') {
          return `The name ${attempt.name} is already taken in room ${attempt.room}: choose another.`;
        }
        if (error.code === 'INVALID_NAME') {
          return 'The server refused the room or name: choose a shorter one without control characters.';
        }
        return `The server refused the request (${error.code ?? 'unknown error'}).`;
    }
  }
  if (error instanceof NegotiationError) {
    const own = error.participant === attempt.name;
    if (error.reason === 'timeout') {
      return 'Cannot reach the media server: a TURN server may be needed.';
    }
    if (error.reason === 'ice') {
      return own
        ? 'The connection that sends your camera failed.'
        : `The connection to ${error.participant} failed.`;
    }
    return own ? 'Could not send your camera.' : `Could not receive ${error.participant}.`;
  }
  if (error instanceof InvalidStateError && error.reason === 'arguments') {
    return 'Enter a room and a name.';
  }
  if (error instanceof TypeError) {
    return `The server address ${attempt.server} is not a valid WebSocket URL.`;
  }
  return error instanceof Error ? error.message : String(error);
}
