/**
 * `RoomClientOptions`, checked and with their defaults: what the client's parts are built from.
 *
 * @packageDocumentation
 */
import type { MediaSettings } from './local-media.js';
import { DEFAULT_MEDIA } from './media.js';
import { DEFAULT_STALL_TIMEOUT_MS } from './media-watchdog.js';
import type { VideoPreset } from './media-types.js';
import { nativePeerConnection, type PeerConnectionFactory } from './peer-manager.js';
import { defaultReconnectPolicy } from './reconnect-policy.js';
import { resolveSignalingUrl } from './server-url.js';
import type { ReconnectPolicy, RoomClientOptions } from './types.js';

/** `RoomClientOptions.joinTimeoutMs` when not given, in ms. */
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;
/** `RoomClientOptions.rejoinGraceMs` when not given, in ms. */
export const DEFAULT_REJOIN_GRACE_MS = 10_000;
/** `RoomClientOptions.negotiationTimeoutMs` when not given, in ms. */
export const DEFAULT_NEGOTIATION_TIMEOUT_MS = 10_000;

/** The options a client runs on, every default applied. */
export interface ClientConfig {
  /** The signaling URL, `ws:` or `wss:`. */
  url: string;
  joinTimeoutMs: number;
  stallTimeoutMs: number;
  rejoinGraceMs: number;
  negotiationTimeoutMs: number;
  /** Every peer connection's configuration: `iceServers` and `iceTransportPolicy`. */
  rtc: RTCConfiguration;
  /** Null: never reconnect. */
  policy: ReconnectPolicy | null;
  factory: PeerConnectionFactory;
  settings: MediaSettings;
}

/**
 * Checks `options` and applies the defaults. Throws a `TypeError` as `new RoomClient()`
 * documents: on a url that is not `ws:`/`wss:` (after resolving it against the page), a
 * timeout or bitrate that is not positive, a negative grace, a policy without
 * `nextRetryDelayInMs`, a factory that is not a function.
 */
export function readOptions(options: RoomClientOptions): ClientConfig {
  const url = typeof options?.url === 'string' && options.url && resolveSignalingUrl(options.url);
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    throw new TypeError(
      `RoomClientOptions.url must be a ws: or wss: URL; got ${String(options?.url)}.`,
    );
  }
  const joinTimeoutMs = options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const rejoinGraceMs = options.rejoinGraceMs ?? DEFAULT_REJOIN_GRACE_MS;
  const negotiationTimeoutMs = options.negotiationTimeoutMs ?? DEFAULT_NEGOTIATION_TIMEOUT_MS;
  const policy = options.reconnectPolicy ?? defaultReconnectPolicy;
  const factory = options.peerConnectionFactory ?? nativePeerConnection;
  let media = options.media ?? DEFAULT_MEDIA;
  if (media && 'width' in media) media = { audio: true, video: media };
  const video = media ? (media.video as Partial<VideoPreset> | boolean | undefined) : undefined;
  const kbps =
    options.maxBitrateKbps ?? (typeof video === 'object' ? video.maxBitrateKbps : undefined);
  if (
    !(joinTimeoutMs > 0) ||
    !(stallTimeoutMs > 0) ||
    !(negotiationTimeoutMs > 0) ||
    !(rejoinGraceMs >= 0) ||
    !(kbps === undefined || kbps > 0)
  ) {
    throw new TypeError('Timeouts and maxBitrateKbps must be > 0, rejoinGraceMs >= 0.');
  }
  if (policy && typeof policy.nextRetryDelayInMs !== 'function') {
    throw new TypeError('reconnectPolicy must be false or have nextRetryDelayInMs().');
  }
  if (typeof factory !== 'function') {
    throw new TypeError('peerConnectionFactory must be a function.');
  }
  return {
    url: url.href,
    joinTimeoutMs,
    stallTimeoutMs,
    rejoinGraceMs,
    negotiationTimeoutMs,
    rtc: { iceServers: options.iceServers ?? [], iceTransportPolicy: options.iceTransportPolicy },
    policy: policy || null,
    factory,
    settings: { media, maxBitrate: kbps && kbps * 1000, open: options.getUserMedia },
  };
}
