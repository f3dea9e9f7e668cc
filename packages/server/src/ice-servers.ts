/**
 * STUN/TURN server lists: the shape of the W3C `RTCIceServer` dictionary
 * (webrtc-pc section 4.2.1), validated, for the browser (`/config.json`) and the
 * media backend alike.
 *
 * @packageDocumentation
 */

/** One STUN or TURN server, as `RTCIceServer`. */
export interface IceServer {
  /** `stun:`, `turn:` or `turns:` URLs (RFC 7064, RFC 7065). */
  urls: string | string[];
  /** TURN user name. */
  username?: string;
  /** TURN password. */
  credential?: string;
}

const ICE_URL = /^(stun|stuns|turn|turns):/i;

/**
 * Validates a decoded JSON value as a list of ICE servers and returns a clean copy
 * (unknown keys dropped).
 *
 * @throws TypeError naming the first invalid entry.
 */
export function readIceServers(value: unknown): IceServer[] {
  if (!Array.isArray(value)) throw new TypeError('ICE servers must be a JSON array');
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new TypeError(`ICE server ${index} is not an object`);
    }
    const raw = entry as Record<string, unknown>;
    const urls = typeof raw.urls === 'string' ? [raw.urls] : raw.urls;
    if (
      !Array.isArray(urls) ||
      urls.length === 0 ||
      !urls.every((url) => typeof url === 'string' && ICE_URL.test(url))
    ) {
      throw new TypeError(`ICE server ${index} needs "urls" with stun:/turn:/turns: URLs`);
    }
    const server: IceServer = { urls: raw.urls as string | string[] };
    for (const key of ['username', 'credential'] as const) {
      const field = raw[key];
      if (field === undefined) continue;
      if (typeof field !== 'string')
        throw new TypeError(`ICE server ${index}: "${key}" is not a string`);
      server[key] = field;
    }
    return server;
  });
}

/**
 * `RTCIceTransportPolicy` (webrtc-pc section 4.2.5): `relay` makes the browser use TURN
 * relay candidates only, `all` any.
 */
export type IceTransportPolicy = 'all' | 'relay';

/**
 * Whether `url` is a TURN URL (RFC 7065): `turn:` or `turns:`, a host, an optional port
 * and an optional `?transport=udp|tcp`.
 */
export function isTurnUrl(url: string): boolean {
  return /^turns?:[^\s?,]+(?:\?transport=(?:udp|tcp))?$/i.test(url);
}

/**
 * Reads a comma-separated list of TURN URLs (`turn:host[:port][?transport=udp|tcp]`,
 * `turns:` alike), blanks around the commas ignored.
 *
 * @throws TypeError naming the first entry that is not a TURN URL, or when the list is empty.
 */
export function readTurnUrls(list: string): string[] {
  const urls = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (urls.length === 0) throw new TypeError('no TURN URL');
  const wrong = urls.find((url) => !isTurnUrl(url));
  if (wrong !== undefined) {
    throw new TypeError(
      `"${wrong}" is not a turn: or turns: URL (turn:host[:port][?transport=udp|tcp])`,
    );
  }
  return urls;
}

/** Whether any of `iceServers` is a TURN server (a `turn:` or `turns:` URL). */
export function hasTurnServer(iceServers: readonly IceServer[]): boolean {
  return iceServers.some((server) =>
    (typeof server.urls === 'string' ? [server.urls] : server.urls).some((url) =>
      /^turns?:/i.test(url),
    ),
  );
}
