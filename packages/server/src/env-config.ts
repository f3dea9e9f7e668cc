/**
 * The server's configuration from environment variables (see `main.ts`).
 *
 * @packageDocumentation
 */

import { isIP } from 'node:net';
import { readIceServers, type IceServer } from './ice-servers.js';
import { HEARTBEAT_INTERVAL_MS } from './signaling/heartbeat.js';
import type { LevelWithSilent } from './logger.js';
import { normalizeOrigin } from './origin-policy.js';
import { DEFAULT_RATE_LIMIT } from './signaling/rate-limiter.js';
import { DEFAULT_MAX_PARTICIPANTS_PER_ROOM, DEFAULT_MAX_ROOMS } from './signaling/rooms.js';
import type { WeriftNetwork } from './media/werift/werift-config.js';

/** What `main.ts` starts (the variables are listed in its header). */
export interface ServerConfig {
  host: string;
  port: number;
  logLevel: LevelWithSilent;
  iceServers: IceServer[];
  network: WeriftNetwork;
  /** `ALLOWED_ORIGINS`, normalized; absent: the server's own origins. */
  allowedOrigins?: string[];
  /** `ALLOW_NO_ORIGIN`. */
  allowNoOrigin: boolean;
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
}

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

/**
 * Reads the configuration from the variables listed in `main.ts`'s header. Without
 * `ANNOUNCED_IP` or a port range, a loopback `HOST` keeps media on 127.0.0.1 and any
 * other host announces every local interface address.
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
  return {
    host,
    port,
    logLevel,
    iceServers,
    network,
    ...(allowedOrigins && { allowedOrigins }),
    allowNoOrigin: boolean(env, 'ALLOW_NO_ORIGIN') ?? true,
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
  };
}
