/**
 * Which web pages may open the signaling WebSocket: the `Origin` check of the HTTP
 * upgrade, against cross-site WebSocket hijacking (RFC 6455 section 10.2: a server
 * "that is not intended to process input from any web page but only for certain sites
 * SHOULD verify the |Origin| field").
 *
 * @packageDocumentation
 */

import type { IncomingHttpHeaders } from 'node:http';
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
   * Whether the server serves HTTPS, so that its own origins are `https://HOST:PORT`
   * rather than `http://`. Default false.
   */
  secure?: boolean | undefined;
  /**
   * Whether the server sits behind a reverse proxy that terminates TLS and is trusted to
   * say what the browser asked for: an upgrade whose `Origin` equals
   * `X-Forwarded-Proto://X-Forwarded-Host` (the proxy's `Host` when it sends no
   * `X-Forwarded-Host`; the first entry of a comma-separated list) is allowed as the
   * server's own page. The request must carry `X-Forwarded-Proto`, which a browser
   * cannot set on a WebSocket handshake: a page that reaches the server directly (DNS
   * rebinding) gains nothing. Only for a server that the proxy alone can reach. Default false.
   */
  trustProxy?: boolean | undefined;
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

/**
 * Decides whether an upgrade with this `Origin` header value (or none) may proceed;
 * `headers`, the upgrade request's, matter only with `trustProxy`.
 */
export type OriginPolicy = (origin: string | undefined, headers?: IncomingHttpHeaders) => boolean;

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
/** Loopback hosts as `URL.hostname` and `HOST` spell them. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function serverOrigin(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
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
 * The names the server is reached by when it listens on `host`: `host` itself, plus
 * `localhost` for a loopback address (and 127.0.0.1 and `::1` for `localhost`), and for
 * a wildcard `host` (`0.0.0.0`, `::`) every local interface address and `localhost`.
 * IPv6 addresses without brackets. The self-signed certificate is made for these.
 */
export function ownHosts(host: string): string[] {
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
  return [...hosts];
}

/**
 * The origins the server's own page is served from: `http://HOST:PORT` (`https:` when
 * `secure`) for each of {@link ownHosts}. A page behind a proxy or under a DNS name
 * needs `allowedOrigins` (`ALLOWED_ORIGINS`), or `trustProxy` (`TRUST_PROXY`).
 */
export function ownOrigins(host: string, port: number, secure = false): string[] {
  return ownHosts(host).map((name) =>
    normalizeOrigin(serverOrigin(secure ? 'https' : 'http', name, port)),
  );
}

/** The first entry of a header that proxies may give as a comma-separated list. */
function firstEntry(value: string | string[] | undefined): string | undefined {
  const first = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  return first || undefined;
}

/**
 * The origin of the page as the browser saw it, from a trusted proxy's
 * `X-Forwarded-Proto` and `X-Forwarded-Host` (else `Host`); undefined when the request
 * did not come through a proxy or the headers do not make an http(s) origin.
 */
export function forwardedOrigin(headers: IncomingHttpHeaders): string | undefined {
  const proto = firstEntry(headers['x-forwarded-proto'])?.toLowerCase();
  const host = firstEntry(headers['x-forwarded-host']) ?? firstEntry(headers.host);
  if ((proto !== 'http' && proto !== 'https') || host === undefined) return undefined;
  // Only an authority (host[:port]): no path, credentials or query smuggled in.
  if (/[/?#@\\\s]/.test(host)) return undefined;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return undefined;
  }
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
  const listed =
    options.allowedOrigins ?? ownOrigins(options.host, options.port, options.secure ?? false);
  if (listed.includes('*')) return () => true;
  const allowed = new Set(listed.map(normalizeOrigin));
  const anyLoopback = options.allowedOrigins === undefined && LOOPBACK.has(options.host);
  const trustProxy = options.trustProxy ?? false;
  return (origin, headers) => {
    if (origin === undefined) return allowNoOrigin;
    const normalized = origin.toLowerCase();
    return (
      allowed.has(normalized) ||
      (anyLoopback && isLoopbackOrigin(origin)) ||
      (trustProxy && headers !== undefined && forwardedOrigin(headers) === normalized)
    );
  };
}
