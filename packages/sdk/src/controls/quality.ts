/**
 * Connection quality, opt-in: `new RoomClient({ monitors: [connectionQuality()] })`. From
 * the stats loop's last ~2 s of samples it sets each participant's `connectionQuality` and
 * emits `connectionQualityChanged`.
 *
 * @packageDocumentation
 */
import type { MonitorFactory } from '../core/monitor.js';
import type { Member } from '../core/participant.js';
import { summarize } from '../core/stats.js';
import type { ConnectionQuality, MediaStats } from '../core/types.js';

/**
 * Thresholds of {@link rateMedia}, the worst figure deciding: at or above `poor` is poor, at
 * or above `good` is good, below is excellent. RTT after ITU-T G.114 (one-way delay under
 * 150 ms is transparent for most calls, over 400 ms unacceptable: 300 and 800 ms round
 * trip); loss and jitter as commonly used for Opus and VP8 calls (Opus FEC hides a few %).
 */
export const QUALITY_THRESHOLDS = {
  packetLossPercent: { good: 2, poor: 10 },
  rttMs: { good: 300, poor: 800 },
  jitterMs: { good: 30, poor: 100 },
} as const;

/**
 * Rates one peer connection's figures (see {@link QUALITY_THRESHOLDS}); figures not measured
 * count as fine. Media that stopped is judged by the caller (`lost`).
 */
export function rateMedia(stats: MediaStats): Exclude<ConnectionQuality, 'lost' | 'unknown'> {
  let worst = 0;
  for (const key of ['packetLossPercent', 'rttMs', 'jitterMs'] as const) {
    const value = stats[key] ?? 0;
    const { good, poor } = QUALITY_THRESHOLDS[key];
    worst = Math.max(worst, value >= poor ? 2 : value >= good ? 1 : 0);
  }
  return (['excellent', 'good', 'poor'] as const)[worst];
}

/**
 * A participant's quality from their peer connection: `lost` when it is `disconnected` or
 * `failed`, or when media that flowed brought no byte for the last ~2 s; else
 * {@link rateMedia} over those 2 s. Unchanged until 1 s of samples exist (`unknown` at first).
 */
export function qualityOf(member: Member): ConnectionQuality {
  if (member.peerState === 'disconnected' || member.peerState === 'failed') return 'lost';
  const samples = member.samples;
  const from = samples[0];
  const to = samples[samples.length - 1];
  if (!from || to.at - from.at < 1000) return member.connectionQuality;
  if (to.bytes === from.bytes) return to.bytes ? 'lost' : member.connectionQuality;
  return rateMedia(summarize(from, to));
}

/** Makes the connection quality monitor; it runs on the client's stats loop (every second while connected). */
export function connectionQuality(): MonitorFactory {
  return (emit) => ({
    update(members) {
      for (const member of members) {
        const quality = qualityOf(member);
        if (quality === member.connectionQuality) continue;
        member.connectionQuality = quality;
        emit('connectionQualityChanged', member.view, quality);
      }
    },
  });
}
