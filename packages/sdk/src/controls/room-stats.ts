/**
 * The stats snapshot: `getStats(client)`, every peer connection's figures now against the
 * stats loop's sample of ~2 s ago (W3C webrtc-stats).
 *
 * @packageDocumentation
 */
import type { RoomClient } from '../core/room-client.js';
import { summarize, toSample, type StatsSample } from '../core/stats.js';
import type { ParticipantStats, RoomStats } from '../core/types.js';

/**
 * The media figures of every peer connection of `client` now (one `getStats()` each), rated
 * against the stats loop's sample of ~2 s ago: bitrate, loss, RTT, jitter, frame rate and
 * audio level, with units in the names (see {@link RoomStats}). Resolves with no participant
 * when not joined. Rejects with `InvalidStateError('closed')`.
 */
export async function getStats(client: RoomClient): Promise<RoomStats> {
  client.media(true);
  const stats: RoomStats = { timestamp: Date.now(), publisher: null, participants: {} };
  await Promise.all(
    client.members().map(async (member) => {
      const peer = member.peer;
      const local = member.view.isLocal;
      if (!peer || peer.closed) return;
      let now: StatsSample;
      try {
        now = toSample(await peer.pc.getStats(), local);
      } catch {
        return; // Closed meanwhile.
      }
      const entry: ParticipantStats = {
        name: member.name,
        ...summarize(member.samples[0] ?? now, now),
        connectionQuality: member.connectionQuality,
      };
      if (local) stats.publisher = entry;
      else stats.participants[member.name] = entry;
    }),
  );
  return stats;
}
