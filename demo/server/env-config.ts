/**
 * The server's configuration from environment variables (see `main.ts`).
 *
 * @packageDocumentation
 */

import { isIP } from 'node:net';
import { readIceServers, type IceServer } from './ice-servers.js';
import type { LevelWithSilent } from './logger.js';
import type { WeriftNetwork } from './werift-config.js';

/** What `main.ts` starts. */
export interface ServerConfig {
  host: string;
  port: number;
  logLevel: LevelWithSilent;
  iceServers: IceServer[];
  network: WeriftNetwork;
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

/**
 * Reads the configuration:
 *
 * - `HOST`: interface to listen on, default `127.0.0.1`.
 * - `PORT`: TCP port, default 8443; `0` picks a free one.
 * - `LOG_LEVEL`: pino level (`fatal` … `trace`, `silent`), default `info`.
 * - `ICE_SERVERS`: JSON array of `RTCIceServer` for the browser and the SFU, default `[]`.
 * - `ANNOUNCED_IP`: the address the SFU puts in its ICE candidates (a public address
 *   in front of this host); sockets then listen on all interfaces.
 * - `RTC_MIN_PORT`, `RTC_MAX_PORT`: the SFU's UDP port range (both or neither, min < max).
 *
 * Without `ANNOUNCED_IP` or a port range, a loopback `HOST` keeps media on 127.0.0.1
 * and any other host announces every local interface address.
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
  return { host, port, logLevel, iceServers, network };
}
