/**
 * The server's configuration from environment variables (see `main.ts`).
 *
 * @packageDocumentation
 */

import { isIP } from 'node:net';
import {
  hasTurnServer,
  readIceServers,
  readTurnUrls,
  type IceServer,
  type IceTransportPolicy,
} from './ice-servers.js';
import { HEARTBEAT_INTERVAL_MS } from './signaling/heartbeat.js';
import type { LevelWithSilent } from './logger.js';
import { normalizeOrigin } from './origin-policy.js';
import { DEFAULT_RATE_LIMIT } from './signaling/rate-limiter.js';
import { DEFAULT_MAX_PARTICIPANTS_PER_ROOM, DEFAULT_MAX_ROOMS } from './signaling/rooms.js';
import type { WeriftNetwork } from './media/werift/werift-config.js';
import { DEFAULT_TURN_TTL_S, type TurnRestConfig } from './turn-credentials.js';

/** What `main.ts` starts (the variables are listed in its header). */
export interface ServerConfig {
  host: string;
  port: number;
  logLevel: LevelWithSilent;
  iceServers: IceServer[];
  /** `TURN_URLS`, `TURN_SECRET` and `TURN_TTL_S` (for the pages only); absent without them. */
  turn?: TurnRestConfig;
  /** `ICE_TRANSPORT_POLICY`, for the pages only; absent when unset. */
  iceTransportPolicy?: IceTransportPolicy;
  network: WeriftNetwork;
  /** `ALLOWED_ORIGINS`, normalized; absent: the server's own origins. */
  allowedOrigins?: string[];
  /** `ALLOW_NO_ORIGIN`. */
  allowNoOrigin: boolean;
  /**
   * `TLS`, `TLS_CERT` and `TLS_KEY` when set; absent for `TLS=auto` without files, which
   * {@link tlsFor} resolves by `HOST`.
   */
  tls?: TlsConfig;
  /** `TRUST_PROXY`; absent when false. */
  trustProxy?: true;
  /** `MAX_ROOMS`. */
  maxRooms: number;
  /** `MAX_PARTICIPANTS_PER_ROOM`. */
  maxParticipantsPerRoom: number;
  /** `RATE_LIMIT_PER_SECOND` and `RATE_LIMIT_BURST`, in messages. */
  rateLimit: { messagesPerSecond: number; burst: number };
  /** `HEARTBEAT_INTERVAL_MS`, in ms. */
  heartbeatIntervalMs: number;
  /** `EXPOSE_STATS`. */
  exposeStats: boolean;
  /**
   * `KMS_URL`: the Kurento Media Servers to use instead of the embedded SFU (one URL, or
   * several as a pool); absent when unset.
   */
  kmsUrls?: string[];
}

/**
 * How the server serves its port: HTTPS with the PEM files `TLS_CERT` and `TLS_KEY`,
 * HTTPS with a certificate it makes itself (`TLS=self-signed`, and the default on a
 * non-loopback `HOST` without files), or plain HTTP (`TLS=off`, and the default on a
 * loopback `HOST`).
 */
export type TlsConfig =
  { mode: 'files'; certFile: string; keyFile: string } | { mode: 'self-signed' } | { mode: 'off' };

const LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function origins(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.ALLOWED_ORIGINS;
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      if (entry === '*') return entry;
      try {
        return normalizeOrigin(entry);
      } catch (error) {
        throw new Error(`ALLOWED_ORIGINS: ${(error as Error).message}`);
      }
    });
}

/** `TURN_URLS`, `TURN_SECRET` and `TURN_TTL_S`: all three need the first two. */
function turnRest(env: NodeJS.ProcessEnv): TurnRestConfig | undefined {
  const ttlSeconds = integer(env, 'TURN_TTL_S', 1, 365 * 86_400);
  if (!env.TURN_URLS && !env.TURN_SECRET) {
    if (ttlSeconds !== undefined) throw new Error('TURN_TTL_S needs TURN_URLS and TURN_SECRET');
    return undefined;
  }
  if (!env.TURN_URLS || !env.TURN_SECRET) {
    throw new Error(
      'TURN_URLS and TURN_SECRET go together (static TURN credentials go in ICE_SERVERS)',
    );
  }
  try {
    const urls = readTurnUrls(env.TURN_URLS);
    return { urls, secret: env.TURN_SECRET, ttlSeconds: ttlSeconds ?? DEFAULT_TURN_TTL_S };
  } catch (error) {
    throw new Error(`TURN_URLS: ${(error as Error).message}`);
  }
}

/** `KMS_URL`: comma-separated `ws:`/`wss:` URLs of Kurento Media Servers, without repeats. */
function kmsUrls(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.KMS_URL;
  if (raw === undefined || raw.trim() === '') return undefined;
  const urls = raw.split(',').map((entry) => entry.trim());
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    if (parsed?.protocol !== 'ws:' && parsed?.protocol !== 'wss:') {
      throw new Error(`KMS_URL must list ws: or wss: URLs, got "${url}"`);
    }
  }
  if (new Set(urls).size !== urls.length) throw new Error('KMS_URL lists a URL twice');
  return urls;
}

/** `ICE_TRANSPORT_POLICY`: `all` or `relay`, the latter only with a TURN server to relay. */
function transportPolicy(env: NodeJS.ProcessEnv, hasTurn: boolean): IceTransportPolicy | undefined {
  const raw = env.ICE_TRANSPORT_POLICY;
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'all' && raw !== 'relay') {
    throw new Error(`ICE_TRANSPORT_POLICY must be all or relay, got "${raw}"`);
  }
  if (raw === 'relay' && !hasTurn) {
    throw new Error('ICE_TRANSPORT_POLICY=relay needs TURN_URLS or a turn: URL in ICE_SERVERS');
  }
  return raw;
}

/** `TLS`, `TLS_CERT` and `TLS_KEY`: files, self-signed, off, or undefined for auto. */
function tlsMode(env: NodeJS.ProcessEnv): TlsConfig | undefined {
  const mode = env.TLS || 'auto';
  if (mode !== 'auto' && mode !== 'self-signed' && mode !== 'off') {
    throw new Error(`TLS must be auto, self-signed or off, got "${mode}"`);
  }
  const certFile = env.TLS_CERT || undefined;
  const keyFile = env.TLS_KEY || undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('TLS_CERT and TLS_KEY go together');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    if (mode !== 'auto') throw new Error(`TLS=${mode} contradicts TLS_CERT and TLS_KEY`);
    return { mode: 'files', certFile, keyFile };
  }
  return mode === 'auto' ? undefined : { mode };
}

/**
 * How the server serves its port: the configured {@link TlsConfig}, else plain HTTP on a
 * loopback `HOST` and a self-signed certificate on any other (a page off loopback needs
 * HTTPS for the camera).
 */
export function tlsFor(config: Pick<ServerConfig, 'host' | 'tls'>): TlsConfig {
  return config.tls ?? { mode: LOOPBACK_HOSTS.has(config.host) ? 'off' : 'self-signed' };
}

/**
 * Reads the configuration from the variables listed in `main.ts`'s header. Without
 * `ANNOUNCED_IP` or a port range, a loopback `HOST` keeps media on this machine (`main.ts`
 * announces its first interface address, which Firefox reaches, see `WeriftNetwork`) and
 * any other host announces every local interface address.
 *
 * @throws Error naming the first invalid variable.
 */
export function readConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 0, 65535) ?? 8443;
  const logLevel = (env.LOG_LEVEL || 'info') as LevelWithSilent;
  if (!LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);

  let iceServers: IceServer[] = [];
  if (env.ICE_SERVERS) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(env.ICE_SERVERS);
    } catch {
      throw new Error('ICE_SERVERS is not valid JSON');
    }
    try {
      iceServers = readIceServers(decoded);
    } catch (error) {
      throw new Error(`ICE_SERVERS: ${(error as Error).message}`);
    }
  }

  const turn = turnRest(env);
  const iceTransportPolicy = transportPolicy(env, turn !== undefined || hasTurnServer(iceServers));

  const announcedAddress = env.ANNOUNCED_IP || undefined;
  if (announcedAddress !== undefined && isIP(announcedAddress) === 0) {
    throw new Error(`ANNOUNCED_IP must be an IPv4 or IPv6 address, got "${announcedAddress}"`);
  }
  const minPort = integer(env, 'RTC_MIN_PORT', 1024, 65535);
  const maxPort = integer(env, 'RTC_MAX_PORT', 1024, 65535);
  if ((minPort === undefined) !== (maxPort === undefined)) {
    throw new Error('RTC_MIN_PORT and RTC_MAX_PORT go together');
  }
  if (minPort !== undefined && maxPort !== undefined && minPort >= maxPort) {
    throw new Error('RTC_MIN_PORT must be lower than RTC_MAX_PORT');
  }

  let network: WeriftNetwork;
  if (announcedAddress === undefined && minPort === undefined && LOOPBACK_HOSTS.has(host)) {
    network = { mode: 'loopback' };
  } else {
    network = { mode: 'public' };
    if (announcedAddress !== undefined) network.announcedAddress = announcedAddress;
    if (minPort !== undefined && maxPort !== undefined) network.portRange = [minPort, maxPort];
  }

  const allowedOrigins = origins(env);
  const tls = tlsMode(env);
  const trustProxy = boolean(env, 'TRUST_PROXY') ?? false;
  const kms = kmsUrls(env);
  return {
    host,
    port,
    logLevel,
    iceServers,
    ...(turn && { turn }),
    ...(iceTransportPolicy && { iceTransportPolicy }),
    network,
    ...(allowedOrigins && { allowedOrigins }),
    allowNoOrigin: boolean(env, 'ALLOW_NO_ORIGIN') ?? true,
    ...(tls && { tls }),
    ...(trustProxy && { trustProxy }),
    maxRooms: integer(env, 'MAX_ROOMS', 1, 1_000_000) ?? DEFAULT_MAX_ROOMS,
    maxParticipantsPerRoom:
      integer(env, 'MAX_PARTICIPANTS_PER_ROOM', 1, 1000) ?? DEFAULT_MAX_PARTICIPANTS_PER_ROOM,
    rateLimit: {
      messagesPerSecond:
        integer(env, 'RATE_LIMIT_PER_SECOND', 1, 1_000_000) ?? DEFAULT_RATE_LIMIT.messagesPerSecond,
      burst: integer(env, 'RATE_LIMIT_BURST', 1, 1_000_000) ?? DEFAULT_RATE_LIMIT.burst,
    },
    heartbeatIntervalMs:
      integer(env, 'HEARTBEAT_INTERVAL_MS', 100, 3_600_000) ?? HEARTBEAT_INTERVAL_MS,
    exposeStats: boolean(env, 'EXPOSE_STATS') ?? false,
    ...(kms && { kmsUrls: kms }),
  };
}
