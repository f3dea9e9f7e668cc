/**
 * Decoded video per remote participant, read from a page's peer connections (recorded on
 * `window.__peers` by `openPage`): each receive-only peer connection's remote
 * description names its publisher in `a=msid:NAME …` (the SFU sets the stream id to the
 * publisher's name), so a subscription rebuilt on a new peer connection still counts
 * for the same participant. From periodic readings: time to first frame, lowest frame
 * rate and longest freeze.
 */
import type { Page } from 'puppeteer-core';
import { waitUntil } from '../../helpers/wait.js';

/** Frames decoded so far per remote participant (open peer connections only). */
export function framesByParticipant(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
    const frames: Record<string, number> = {};
    for (const pc of peers) {
      if (pc.connectionState === 'closed') continue;
      const name = /^a=msid:(\S+) /m.exec(pc.remoteDescription?.sdp ?? '')?.[1];
      if (!name || pc.getTransceivers().some((t) => t.direction === 'sendonly')) continue;
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          frames[name] = (frames[name] ?? 0) + (s.framesDecoded ?? 0);
        }
      });
    }
    return frames;
  });
}

/**
 * Resolves with the seconds from `sinceMs` (a `Date.now()`) until the page decodes new
 * video from each of `remotes` (names), once every one of them has given several new
 * frames. New frames count from zero for a page that just opened, else (`fromNow`) from
 * the first reading; a peer connection rebuilt meanwhile counts from zero again.
 */
export async function decodingFrom(
  page: Page,
  remotes: string[],
  sinceMs: number,
  { timeoutMs = 20000, fromNow = false } = {},
): Promise<number> {
  const progress = new Map(remotes.map((name) => [name, { last: 0, gained: 0, firstAt: 0 }]));
  let baseline = !fromNow;
  await waitUntil(
    async () => {
      const frames = await framesByParticipant(page);
      const now = Date.now();
      for (const [name, p] of progress) {
        const count = frames[name] ?? 0;
        if (baseline) p.gained += count >= p.last ? count - p.last : count;
        p.last = count;
        if (p.gained > 0 && !p.firstAt) p.firstAt = now;
      }
      baseline = true;
      return [...progress.values()].every((p) => p.gained > 3);
    },
    { timeoutMs, intervalMs: 50, message: `new video frames from ${remotes.join(', ')}` },
  );
  return (Math.max(...[...progress.values()].map((p) => p.firstAt)) - sinceMs) / 1000;
}

/** What a page decoded from one remote participant over a sampling period. */
export interface DecodingFigures {
  /** The lowest frame rate over any 1 s window, in frames per second. */
  lowestFps: number;
  /** The longest time without a newly decoded frame, in s. */
  longestFreeze: number;
  /** Frames decoded over the period. */
  frames: number;
}

/**
 * Reads every page's decoded frames per remote participant every `intervalMs` until
 * `until` resolves; resolves with each page's figures per remote participant (a counter
 * that falls is a rebuilt peer connection counting from zero again).
 */
export async function sampleDecoding(
  pages: Map<string, Page>,
  until: Promise<unknown>,
  intervalMs = 250,
): Promise<Map<string, Record<string, DecodingFigures>>> {
  const samples = new Map<string, { at: number; frames: Record<string, number> }[]>();
  for (const name of pages.keys()) samples.set(name, []);
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const at = Date.now();
    await Promise.all(
      [...pages].map(async ([name, page]) =>
        samples.get(name)!.push({ at, frames: await framesByParticipant(page) }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at + intervalMs - Date.now())));
  }
  const figures = new Map<string, Record<string, DecodingFigures>>();
  for (const [name, list] of samples) {
    const remotes = [...pages.keys()].filter((other) => other !== name);
    const perRemote: Record<string, DecodingFigures> = {};
    for (const remote of remotes) {
      // Cumulative frames, continuing across a rebuilt peer connection.
      let total = 0;
      let previous = 0;
      const series = list.map(({ at, frames }) => {
        const now = frames[remote] ?? 0;
        total += now >= previous ? now - previous : now;
        previous = now;
        return { at, total };
      });
      let longestFreeze = 0;
      let lastChange = series[0]?.at ?? 0;
      for (let i = 1; i < series.length; i++) {
        if (series[i]!.total > series[i - 1]!.total) lastChange = series[i]!.at;
        longestFreeze = Math.max(longestFreeze, series[i]!.at - lastChange);
      }
      let lowestFps = Infinity;
      for (const start of series) {
        const end = series.find((s) => s.at >= start.at + 1000);
        if (!end) break;
        lowestFps = Math.min(lowestFps, ((end.total - start.total) * 1000) / (end.at - start.at));
      }
      perRemote[remote] = {
        lowestFps: Number.isFinite(lowestFps) ? lowestFps : 0,
        longestFreeze: longestFreeze / 1000,
        frames: (series.at(-1)?.total ?? 0) - (series[0]?.total ?? 0),
      };
    }
    figures.set(name, perRemote);
  }
  return figures;
}
