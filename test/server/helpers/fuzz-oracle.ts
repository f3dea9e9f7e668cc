/**
 * What a fuzzed connection must get back for each frame, whatever the others do: a
 * model of one connection (joined or not) and the replies each frame allows.
 */
import {
  parseClientMessage,
  type ServerMessage,
} from '../../../packages/sdk/src/protocol/index.js';
import { assertValidName } from '../../../packages/server/src/signaling/names.js';
import { assertValidSessionId } from '../../../packages/server/src/signaling/session-id.js';
import { ERROR_CODES, type Frame } from './fuzz-frames.js';

/** Messages that other connections or the media backend cause, not the frame itself. */
const ASYNC_IDS = new Set([
  'newParticipantArrived',
  'participantLeft',
  'iceCandidate',
  'participantMediaState',
]);

/** The direct replies of one frame: what arrived after it and before the next barrier's reply. */
export function directReplies(messages: readonly ServerMessage[]): ServerMessage[] {
  return messages.filter((message) => !ASYNC_IDS.has(message.id));
}

function valid(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const describe = (frame: Frame) =>
  typeof frame === 'string' ? JSON.stringify(frame.slice(0, 200)) : `binary ${frame.length} bytes`;

/**
 * One connection as the server should see it. {@link ConnectionModel.check} takes each
 * frame in order with its direct replies, advances the model, and says what was wrong.
 */
export class ConnectionModel {
  /** The name the connection is joined as, if any. */
  joined: string | undefined;

  /**
   * Checks the direct replies to `frame`: a frame the server must refuse gets exactly
   * one `error` with the expected code (and `request` = its id); a frame that may
   * succeed gets its success reply or one `error` with a code it allows.
   *
   * @returns undefined when the replies are right, else what was wrong.
   */
  check(frame: Frame, replies: readonly ServerMessage[]): string | undefined {
    const bad = replies.find((m) => m.id === 'error' && !ERROR_CODES.has(m.code));
    if (bad) return `unknown error code in ${JSON.stringify(bad)} for ${describe(frame)}`;
    const wrong = (what: string) =>
      `${describe(frame)} (joined: ${this.joined ?? '-'}): expected ${what}, got ${JSON.stringify(replies)}`;
    const refused = (code: string, request?: string) => {
      const [reply] = replies;
      return replies.length === 1 &&
        reply!.id === 'error' &&
        reply!.code === code &&
        reply!.request === request
        ? undefined
        : wrong(`error ${code}`);
    };
    const oneOf = (codes: string[], success?: (m: ServerMessage) => boolean) => {
      if (replies.length === 0) return success ? wrong(`a reply`) : undefined;
      const [reply] = replies;
      if (replies.length !== 1) return wrong('one reply');
      if (reply!.id === 'error')
        return codes.includes(reply!.code) ? undefined : wrong(codes.join('|'));
      return success?.(reply!) ? undefined : wrong('success');
    };

    if (typeof frame !== 'string') return refused('MALFORMED_FRAME');
    // What the server reads: the socket carries UTF-8, where a lone surrogate becomes U+FFFD.
    const parsed = parseClientMessage(Buffer.from(frame, 'utf8').toString('utf8'));
    if (!parsed.ok) return refused(parsed.error.code, parsed.error.id);
    const message = parsed.message;
    if (message.id !== 'joinRoom' && this.joined === undefined)
      return refused('NOT_JOINED', message.id);
    switch (message.id) {
      case 'joinRoom': {
        if (this.joined !== undefined) return refused('ALREADY_JOINED', 'joinRoom');
        if (!valid(() => assertValidName('room', message.room)))
          return refused('INVALID_NAME', 'joinRoom');
        if (!valid(() => assertValidName('participant', message.name)))
          return refused('INVALID_NAME', 'joinRoom');
        const { sessionId } = message;
        if (sessionId !== undefined && !valid(() => assertValidSessionId(sessionId))) {
          return refused('INVALID_MESSAGE', 'joinRoom');
        }
        const problem = oneOf(
          ['NAME_TAKEN', 'ROOM_FULL', 'TOO_MANY_ROOMS'],
          (m) => m.id === 'existingParticipants',
        );
        if (!problem && replies[0]!.id === 'existingParticipants') this.joined = message.name;
        return problem;
      }
      case 'receiveVideoFrom':
        // A subscription whose sender leaves during the offer is dropped without a reply
        // (the participantLeft says it all); publishing always gets one.
        if (replies.length === 0 && message.sender !== this.joined) return undefined;
        return oneOf(
          ['UNKNOWN_PARTICIPANT', 'MEDIA_ERROR'],
          (m) => m.id === 'receiveVideoAnswer' && m.name === message.sender,
        );
      case 'onIceCandidate':
        return oneOf(['UNKNOWN_PARTICIPANT', 'MEDIA_ERROR']);
      case 'leaveRoom':
        this.joined = undefined;
        return replies.length === 0 ? undefined : wrong('no reply');
      case 'setMediaState':
        return replies.length === 0 ? undefined : wrong('no reply');
    }
  }
}
