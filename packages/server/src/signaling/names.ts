/**
 * Room and participant name rules.
 *
 * @packageDocumentation
 */

import { SignalingError } from './signaling-error.js';

/** The longest room or participant name, in Unicode code points. */
export const MAX_NAME_LENGTH = 64;

/** C0/C1 control characters (Unicode Cc), and lone UTF-16 surrogates. */
const FORBIDDEN = /[\p{Cc}]|\p{Cs}/u;

/**
 * Checks a room or participant name: 1 to {@link MAX_NAME_LENGTH} code points, not
 * only whitespace, no control character, well-formed UTF-16. Names are compared
 * exactly (case and spaces matter) and never trimmed or rewritten.
 *
 * @throws {@link SignalingError} `INVALID_NAME`.
 */
export function assertValidName(what: 'room' | 'participant', name: string): void {
  const length = [...name].length;
  let problem: string | undefined;
  if (name.trim() === '') problem = 'is empty';
  else if (length > MAX_NAME_LENGTH) problem = `is longer than ${MAX_NAME_LENGTH} characters`;
  else if (FORBIDDEN.test(name)) problem = 'contains a control character';
  if (problem) throw new SignalingError('INVALID_NAME', `the ${what} name ${problem}`);
}
