/**
 * Short-lived TURN credentials from a secret shared with coturn: the "TURN REST API"
 * scheme (draft-uberti-behave-turn-rest-00, section 2.2) that coturn checks under
 * `use-auth-secret` with `static-auth-secret=SECRET`. No state is shared with coturn
 * beyond the secret: the user name carries its own expiry and the password is its
 * signature.
 *
 * - user name: `EXPIRY:ID`, where EXPIRY is the Unix time in seconds after which coturn
 *   refuses it (now + the lifetime) and ID an opaque tag (ours: random, one per page load,
 *   so that coturn's logs tell the pages apart); `:` is coturn's default
 *   `rest-api-separator`;
 * - password: `base64(HMAC-SHA1(SECRET, USERNAME))`, as coturn computes it to check it.
 *
 * The server signs a fresh pair for every `GET /config.json`; the secret itself never
 * leaves the server.
 *
 * @packageDocumentation
 */

import { createHmac, randomBytes } from 'node:crypto';
import { isTurnUrl, type IceServer } from './ice-servers.js';

/**
 * The default lifetime of a credential, in seconds: one day, the draft's recommended
 * value. coturn refuses a user name whose expiry has passed, so the lifetime should
 * outlast the longest call a page makes without reloading.
 */
export const DEFAULT_TURN_TTL_S = 86_400;

/** coturn servers that share a secret with this server (`TURN_URLS`, `TURN_SECRET`, `TURN_TTL_S`). */
export interface TurnRestConfig {
  /** `turn:` and `turns:` URLs (RFC 7065) of the servers that hold the secret. */
  urls: string[];
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** Lifetime of each credential, in seconds (a positive integer). */
  ttlSeconds: number;
}

/** A TURN server entry with its credentials, as {@link turnCredentials} makes it. */
export interface TurnIceServer extends IceServer {
  urls: string[];
  /** `EXPIRY:ID`. */
  username: string;
  /** `base64(HMAC-SHA1(secret, username))`. */
  credential: string;
}

/**
 * Checks a {@link TurnRestConfig} given in code (the environment is checked by
 * `readConfig`).
 *
 * @throws TypeError without URLs, with a URL that is not `turn:`/`turns:`, or with an
 *   empty secret; RangeError when the lifetime is not a positive integer.
 */
export function checkTurnRestConfig(turn: TurnRestConfig): void {
  if (turn.urls.length === 0) throw new TypeError('TURN: no URLs');
  for (const url of turn.urls) {
    if (!isTurnUrl(url)) throw new TypeError(`TURN: "${url}" is not a turn:/turns: URL`);
  }
  if (turn.secret === '') throw new TypeError('TURN: the secret is empty');
  if (!Number.isInteger(turn.ttlSeconds) || turn.ttlSeconds < 1) {
    throw new RangeError(
      `TURN: the lifetime must be a positive integer (s), got ${turn.ttlSeconds}`,
    );
  }
}

/** The password coturn expects for `username`: `base64(HMAC-SHA1(secret, username))`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/**
 * One TURN server entry with fresh credentials valid until `nowMs / 1000 + ttlSeconds`
 * (whole seconds, rounded down).
 *
 * @param nowMs - the current time, in ms since the Unix epoch. Default `Date.now()`.
 * @param id - the user name's tag after the `:`. Default: 12 random hex digits.
 */
export function turnCredentials(
  turn: TurnRestConfig,
  nowMs: number = Date.now(),
  id: string = randomBytes(6).toString('hex'),
): TurnIceServer {
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${id}`;
  return { urls: [...turn.urls], username, credential: turnPassword(turn.secret, username) };
}
