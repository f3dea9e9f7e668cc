/**
 * Figures from `RTCPeerConnection.getStats()` (W3C webrtc-stats): the counters of one call
 * ({@link StatsSample}), and the rates between two calls ({@link summarize}).
 *
 * @packageDocumentation
 */
import type { MediaStats } from './media-types.js';

/** The counters of one `getStats()` of a peer connection that the SDK's figures come from. */
export interface StatsSample {
  /** `performance.now()` when taken, in ms. */
  at: number;
  /** RTP payload bytes received (a subscription) or sent (the publisher). */
  bytes: number;
  /** RTP packets that arrived: received, or sent minus those the server reported lost. */
  packets: number;
  /** RTP packets lost, cumulative. */
  lost: number;
  /** Video frames decoded (a subscription) or encoded (the publisher). */
  frames: number;
  /** Audio `totalAudioEnergy` and `totalSamplesDuration` (s): inbound-rtp, or media-source for the publisher. */
  energy: number;
  duration: number;
  rttMs: number | null;
  jitterMs: number | null;
  fps: number | null;
}

/** A sample taken at `at` (ms) with every counter at zero and no figure. */
export function emptySample(at: number): StatsSample {
  return {
    at,
    bytes: 0,
    packets: 0,
    lost: 0,
    frames: 0,
    energy: 0,
    duration: 0,
    rttMs: null,
    jitterMs: null,
    fps: null,
  };
}

/** A stats dictionary, loosely: the members read here, absent where the type has none. */
type Report = Record<string, number | string | boolean | undefined>;

/**
 * Reads the counters of `report` (a subscription's, or the publisher's when `sending`), by
 * webrtc-stats dictionary: `RTCInboundRtpStreamStats`, or `RTCOutboundRtpStreamStats` and
 * `RTCRemoteInboundRtpStreamStats` (the server's receiver reports) and `RTCAudioSourceStats`
 * (the microphone's energy) for the publisher, and the nominated `RTCIceCandidatePairStats`
 * for the RTT.
 */
export function toSample(report: RTCStatsReport, sending: boolean): StatsSample {
  const s = emptySample(performance.now());
  const num = (value: unknown) => Number(value) || 0;
  const jitter = (r: Report) => (s.jitterMs = Math.max(s.jitterMs ?? 0, num(r.jitter) * 1000));
  const energy = (r: Report) => {
    s.energy += num(r.totalAudioEnergy);
    s.duration += num(r.totalSamplesDuration);
  };
  report.forEach((r: Report) => {
    const audio = r.kind === 'audio';
    if (r.type === (sending ? 'outbound-rtp' : 'inbound-rtp')) {
      s.bytes += num(r.bytesSent ?? r.bytesReceived);
      s.packets += num(r.packetsSent ?? r.packetsReceived);
      if (!audio) {
        s.frames += num(r.framesEncoded ?? r.framesDecoded);
        s.fps = num(r.framesPerSecond);
      }
      if (sending) return;
      s.lost += num(r.packetsLost);
      jitter(r);
      if (audio) energy(r);
    } else if (sending && r.type === 'remote-inbound-rtp') {
      s.lost += num(r.packetsLost);
      s.packets -= num(r.packetsLost);
      jitter(r);
    } else if (sending && r.type === 'media-source' && audio) {
      energy(r);
    } else if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
      if (r.currentRoundTripTime !== undefined) s.rttMs = num(r.currentRoundTripTime) * 1000;
    }
  });
  return s;
}

/**
 * The RMS audio level between two samples, 0..1 linear:
 * `sqrt(ΔtotalAudioEnergy / ΔtotalSamplesDuration)` (webrtc-stats,
 * #dom-rtcinboundrtpstreamstats-totalaudioenergy); 0 when no audio was measured.
 */
export function audioLevel(from: StatsSample, to: StatsSample): number {
  const duration = to.duration - from.duration;
  return duration > 0 ? Math.min(1, Math.sqrt(Math.max(0, to.energy - from.energy) / duration)) : 0;
}

/**
 * The figures between two samples of the same peer connection (see {@link MediaStats}):
 * bitrate, loss and audio level over `from`..`to`; RTT, jitter and frame rate as of `to`.
 */
export function summarize(from: StatsSample, to: StatsSample): MediaStats {
  const seconds = (to.at - from.at) / 1000;
  const lost = to.lost - from.lost;
  const expected = to.packets - from.packets + lost;
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    bitrateKbps: seconds > 0 ? round(((to.bytes - from.bytes) * 8) / seconds / 1000) : null,
    packetLossPercent: expected > 0 ? round(Math.max(0, (100 * lost) / expected)) : null,
    rttMs: round(to.rttMs),
    jitterMs: round(to.jitterMs),
    framesPerSecond: to.fps,
    audioLevel: audioLevel(from, to),
  };
}
