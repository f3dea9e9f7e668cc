/**
 * The environment variables the server reads (`env-config.ts` parses them): the one
 * table that `--help` prints and the documentation follows.
 *
 * @packageDocumentation
 */

/** One environment variable of the server. */
export interface EnvVariable {
  /** The variable's name, or two names that go together (`RTC_MIN_PORT, RTC_MAX_PORT`). */
  name: string;
  /** What applies when it is unset or empty, in words. */
  default: string;
  /** What it sets, in one line. */
  what: string;
}

/** Every variable `readConfig` reads, in the order `--help` lists them. */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'HOST', default: '127.0.0.1', what: 'interface to listen on (0.0.0.0 for all)' },
  { name: 'PORT', default: '8443', what: 'HTTP and WebSocket port (0: any free port)' },
  {
    name: 'TLS_CERT, TLS_KEY',
    default: 'none',
    what: 'PEM files of the certificate (chain) and its key: HTTPS and WSS on PORT',
  },
  {
    name: 'TLS',
    default: 'auto',
    what: 'auto: TLS_* files, else self-signed off loopback, else off; self-signed; off',
  },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    what: 'fatal, error, warn, info, debug, trace or silent (pino JSON lines on stderr)',
  },
  {
    name: 'ICE_SERVERS',
    default: 'none',
    what: 'JSON array of RTCIceServer (STUN/TURN), for the SFU and the browsers',
  },
  {
    name: 'TURN_URLS',
    default: 'none',
    what: 'comma-separated turn:/turns: URLs of coturn servers sharing TURN_SECRET',
  },
  {
    name: 'TURN_SECRET',
    default: 'none',
    what: "coturn's static-auth-secret: every page gets fresh TURN credentials (TURN REST API)",
  },
  { name: 'TURN_TTL_S', default: '86400', what: 'lifetime of those TURN credentials, in s' },
  {
    name: 'ICE_TRANSPORT_POLICY',
    default: 'all',
    what: 'all, or relay: pages are told to use TURN relays only (needs a TURN server)',
  },
  {
    name: 'ANNOUNCED_IP',
    default: 'none',
    what: "the address the SFU announces in its ICE candidates (a public or LAN IP; unset: this machine's own)",
  },
  {
    name: 'RTC_MIN_PORT, RTC_MAX_PORT',
    default: 'any',
    what: 'UDP port range of the SFU (both or neither)',
  },
  {
    name: 'KMS_URL',
    default: 'none',
    what: 'ws:// URL of Kurento Media Server instead of the SFU; comma-separated: a pool',
  },
  {
    name: 'ALLOWED_ORIGINS',
    default: 'own origins',
    what: 'comma-separated origins whose pages may open the WebSocket (*: any); others get 403',
  },
  {
    name: 'ALLOW_NO_ORIGIN',
    default: 'true',
    what: 'accept WebSocket upgrades without an Origin header (bots, tools)',
  },
  {
    name: 'TRUST_PROXY',
    default: 'false',
    what: 'behind a TLS proxy: X-Forwarded-Proto and -Host name an allowed origin',
  },
  { name: 'MAX_ROOMS', default: '100', what: 'open rooms; one more gets TOO_MANY_ROOMS' },
  {
    name: 'MAX_PARTICIPANTS_PER_ROOM',
    default: '16',
    what: 'participants per room; one more gets ROOM_FULL',
  },
  {
    name: 'RATE_LIMIT_PER_SECOND',
    default: '50',
    what: 'messages per second per connection, sustained',
  },
  {
    name: 'RATE_LIMIT_BURST',
    default: '200',
    what: 'messages per connection at once (ICE candidates burst)',
  },
  {
    name: 'HEARTBEAT_INTERVAL_MS',
    default: '30000',
    what: 'ms between WebSocket pings; no pong by the next one closes the connection',
  },
  {
    name: 'EXPOSE_STATS',
    default: 'false',
    what: 'serve GET /stats: rooms, participants, endpoints and memory as JSON',
  },
];

/** The table as aligned plain-text columns (variable, default, what), with a header. */
export function formatEnvVariables(variables: readonly EnvVariable[] = ENV_VARIABLES): string {
  const rows = [{ name: 'variable', default: 'default', what: 'what' }, ...variables];
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const defaultWidth = Math.max(...rows.map((row) => row.default.length));
  return rows
    .map((row) =>
      `  ${row.name.padEnd(nameWidth)}  ${row.default.padEnd(defaultWidth)}  ${row.what}`.trimEnd(),
    )
    .join('\n');
}
