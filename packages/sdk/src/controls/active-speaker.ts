/**
 * Active speaker detection, opt-in: `new RoomClient({ monitors: [activeSpeaker()] })`. From
 * the stats loop's samples it sets each participant's `audioLevel` and `speaking`, and emits
 * `speakingChanged` and `activeSpeakerChanged`.
 *
 * @packageDocumentation
 */
import type { MonitorFactory } from '../core/monitor.js';
import type { Member } from '../core/participant.js';
import { audioLevel } from '../core/stats.js';

/** Options of {@link activeSpeaker}. */
export interface ActiveSpeakerOptions {
  /**
   * The level at or above which a participant is loud, 0..1 linear RMS. Default 0.018,
   * -35 dBov: LiveKit's server default (`active_level: 35`).
   */
  threshold?: number;
  /**
   * How long a participant must stay loud to start speaking, in ms, counted from the first
   * loud tick (whose level already covers the tick before it). Default 0: at the first.
   */
  enterMs?: number;
  /** How long a participant must stay quiet to stop speaking, in ms. Default 1000. */
  leaveMs?: number;
}

/**
 * Makes the active speaker monitor. Each stats tick (1 s) a participant's `audioLevel` is
 * the RMS of their audio since the tick before (syllables and their gaps are heard as
 * one), from `totalAudioEnergy` (webrtc-stats): inbound-rtp for a remote
 * participant, the microphone's media-source for the local one; 0 when muted.
 * Hysteresis: `speaking` starts after `enterMs` of ticks at or above `threshold` and ends
 * after `leaveMs` of ticks below it, or at once on mute (`audioMuted`). The active speaker
 * is kept while they speak, else the loudest speaker takes over, else null. No timer or
 * AudioContext of its own: it runs on the client's stats loop, which stops on leave and close.
 *
 * A remote participant's audio is decoded, so measured, only while the app plays it (a
 * media element attached to their stream): Chromium decodes received audio for a sink only.
 */
export function activeSpeaker(options: ActiveSpeakerOptions = {}): MonitorFactory {
  const { threshold = 0.018, enterMs = 0, leaveMs = 1000 } = options;
  return (emit) => {
    /** When each participant's current loud or quiet run began (`performance.now()`, ms). */
    const runs = new WeakMap<Member, { loud: boolean; since: number }>();
    let active: Member | null = null;
    return {
      update(members) {
        const now = performance.now();
        for (const member of members) {
          const [from, to] = member.samples.slice(-2);
          member.audioLevel = to && !member.audioMuted ? audioLevel(from, to) : 0;
          const loud = member.audioLevel >= threshold;
          let run = runs.get(member);
          if (run?.loud !== loud) runs.set(member, (run = { loud, since: now }));
          const held = now - run.since >= (loud ? enterMs : leaveMs);
          const speaking = !member.audioMuted && (member.speaking ? loud || !held : loud && held);
          if (speaking === member.speaking) continue;
          member.speaking = speaking;
          emit('speakingChanged', member.view, speaking);
        }
        const speakers = members.filter((member) => member.speaking);
        const next = active && speakers.includes(active) ? active : loudest(speakers);
        if (next === active) return;
        active = next;
        emit('activeSpeakerChanged', next?.view ?? null);
      },
    };
  };
}

function loudest(members: Member[]): Member | null {
  return members.reduce<Member | null>((a, b) => (a && a.audioLevel >= b.audioLevel ? a : b), null);
}
