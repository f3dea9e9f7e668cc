/**
 * Which web pages may open the signaling WebSocket: the `Origin` check of the HTTP
 * upgrade, against cross-site WebSocket hijacking (RFC 6455 section 10.2: a server
 * "that is not intended to process input from any web page but only for certain sites
 * SHOULD verify the |Origin| field").
 *
 * @packageDocumentation
 */

import { networkInterfaces } from 'node:os';

/** Options of {@link createOriginPolicy}. */
export interface OriginPolicyOptions {
  /**
   * Origins allowed to connect, as `scheme://host[:port]` (normalized through `URL`, so
   * `http://Example.com:80/` equals `http://example.com`), or `'*'` for any. Default:
   * the server's own origins ({@link ownOrigins}), and any loopback origin when `host`
   * is a loopback address.
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Whether a request without an `Origin` header may connect. Browsers always send one
   * on a WebSocket handshake, so only non-browser clients (bots, tests, command-line
   * tools) come without; they are not the hijacking risk the check is for. Default true.
   */
  allowNoOrigin?: boolean | undefined;
  /** The interface the server listens on (`HOST`). */
  host: string;
  /** The TCP port actually bound. */
  port: number;
}

/** Decides whether an upgrade with this `Origin` header value (or none) may proceed. */
export type OriginPolicy = (origin: string | undefined) => boolean;

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
/** Loopback hosts as `URL.hostname` and `HOST` spell them. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Normalizes an origin as browsers serialize it (WHATWG URL "origin").
 *
 * @throws TypeError when `value` is not an absolute http(s) URL.
 */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`"${value}" is not an origin such as http://example.com:8443`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`"${value}" is not an http or https origin`);
  }
  return url.origin;
}

/**
 * The origins the server's own page is served from: `http://HOST:PORT`, plus
 * `http://localhost:PORT` for a loopback `HOST` (and 127.0.0.1 and `[::1]` for
 * `localhost`), and for a wildcard `HOST` (`0.0.0.0`, `::`) every local interface
 * address and `localhost`. A page behind a TLS proxy or a DNS name needs
 * `allowedOrigins` (`ALLOWED_ORIGINS`).
 */
export function ownOrigins(host: string, port: number): string[] {
  const hosts = new Set<string>();
  if (WILDCARD_HOSTS.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) hosts.add(address.address);
    }
    hosts.add('localhost');
  } else {
    hosts.add(host);
    if (host === '127.0.0.1' || host === '::1') hosts.add('localhost');
    if (host === 'localhost') hosts.add('127.0.0.1').add('::1');
  }
  return [...hosts].map((name) => normalizeOrigin(httpOrigin(name, port)));
}

/** True for an http(s) origin on a loopback host (any port). */
function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Builds the `Origin` check. Without `allowedOrigins`, a server listening on a loopback
 * address also accepts pages from any loopback origin (another local port: a local
 * development server, the interoperability test's kurento-utils page): only this
 * machine can reach it, and a DNS-rebinding page still shows its own, foreign origin.
 *
 * @throws TypeError when an allowed origin is neither `'*'` nor an http(s) origin.
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const allowNoOrigin = options.allowNoOrigin ?? true;
  const listed = options.allowedOrigins ?? ownOrigins(options.host, options.port);
  if (listed.includes('*')) return () => true;
  const allowed = new Set(listed.map(normalizeOrigin));
  const anyLoopback = options.allowedOrigins === undefined && LOOPBACK.has(options.host);
  return (origin) => {
    if (origin === undefined) return allowNoOrigin;
    return allowed.has(origin.toLowerCase()) || (anyLoopback && isLoopbackOrigin(origin));
  };
}
