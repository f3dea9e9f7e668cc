/** Records the RTP a client peer receives, and waits on it by events. */
import type { RTCPeerConnection, RtpPacket } from 'werift';

export type Kind = 'audio' | 'video';

export class MediaRecorder {
  /** Copies of every packet received, by kind, in arrival order. */
  readonly packets: Record<Kind, RtpPacket[]> = { audio: [], video: [] };
  private readonly waiters = new Set<() => void>();

  constructor(pc: RTCPeerConnection) {
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => {
        this.packets[track.kind as Kind].push(packet.clone());
        for (const wake of [...this.waiters]) wake();
      });
    });
  }

  /** Resolves once `check()` holds, re-checked on every packet; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }
}
