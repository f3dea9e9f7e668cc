/**
 * Bench: where a join's time goes, phase by phase (issue 12, benchmark 2).
 *
 * `npx tsx bench/join-phases.ts [bots] [--rounds=R] [--quick] [--backend=werift|kurento|both]
 * [--filler=bots|chromium] [--poll=MS]` (defaults 3 bots, 10 rounds, both backends, bots).
 *
 * One measured Chromium page joins a room that `bots` participants already fill: publisher
 * bots without a browser (`bench/bots/`, their process pinned to CPU 1, the server and KMS
 * to CPU 0), or with `--filler=chromium` demo pages in a second browser (for when the bots
 * cannot run). The page is one of three clients, each going first in turn, against the
 * werift SFU and against Kurento Media Server in one run: the demo page (`<kurento-room>` on
 * RoomClient, as a web developer drops it in), RoomClient alone on a page shaped like the
 * tutorial's (`bench/pages/room-client-page.ts`: the SDK without the element), and the
 * Kurento tutorial's client on kurento-utils (`test/helpers/tutorial-client.ts`).
 *
 * Every mark is taken in the page by hooking the browser APIs both clients share
 * (`WebSocket`, `RTCPeerConnection`) before any script runs, in ms from the moment the page
 * constructs its signaling WebSocket (the join):
 *   - WebSocket `open`; `existingParticipants` received (the first `message` listener);
 *   - per peer connection (the page's publisher, and one subscription per bot): the
 *     `receiveVideoFrom` frame leaving (`WebSocket.send`), its `receiveVideoAnswer` arriving,
 *     ICE connected (`iceConnectionState`), DTLS connected (`RTCDtlsTransport.state`,
 *     webrtc-pc section 5.5), the first RTP packet (inbound-rtp `packetsReceived > 0`, or the
 *     publisher's outbound-rtp `packetsSent > 0`: `getStats()` polled every `--poll` ms
 *     from the answer on; the printed resolution is the measured time between polls), and
 *     the first decoded frame (`requestVideoFrameCallback`, a subscription's video only).
 * The table gives medians over the rounds (subscription phases: over every subscription of
 * every round), for each client and backend, with the ratio RoomClient / kurento-utils, and
 * join -> first remote frame and join -> a frame from every bot. Run on demand, not in
 * `npm test`; quote ratios within one run (see README "Benchmarks").
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { Browser, Page } from 'puppeteer-core';
import { startKms, type KmsInstance } from '../test/helpers/kms.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { launchBrowser, openPage } from '../test/helpers/browser.js';
import { demoUrl } from '../test/helpers/room-page.js';
import { serveTutorialClient } from '../test/helpers/tutorial-client.js';
import { waitUntil } from '../test/helpers/wait.js';
import { startFleet } from './bots/fleet.js';
import { serveRoomClientPage } from './pages/serve.js';

type Backend = 'werift' | 'kurento';
/** The demo page (`<kurento-room>` on RoomClient), RoomClient alone on a tutorial-shaped page, the tutorial's client. */
type Client = 'sdk' | 'client' | 'tutorial';
const CLIENTS: Client[] = ['sdk', 'client', 'tutorial'];

/** One peer connection's marks (ms after the join; NaN = never). */
interface PeerMarks {
  /** The participant whose media it carries (the page's own name for the publisher). */
  name: string;
  created: number;
  offer: number;
  answer: number;
  ice: number;
  dtls: number;
  rtp: number;
  frame: number;
}

/** One measured join. */
interface JoinMarks {
  open: number;
  existing: number;
  publisher: PeerMarks | undefined;
  subscriptions: PeerMarks[];
  /** Mean time between two `getStats()` polls of one peer connection, ms. */
  pollMs: number;
}

/**
 * The page instrumentation, as a string: tsx would wrap named functions of a
 * `page.evaluate` callback in `__name(...)`, which the page does not have (FIELD-NOTES 5).
 * Records on `window.__phases` as `performance.now()` values.
 */
const INSTRUMENT = (pollMs: number) => `(() => {
  const now = () => performance.now();
  const phases = { joinAt: 0, open: 0, existing: 0, self: '', peers: [], polls: 0, pollTime: 0 };
  window.__phases = phases;
  const ufrag = (sdp) => (/a=ice-ufrag:(\\S+)/.exec(sdp || '') || [])[1];
  const byName = (name) => phases.peers.filter((p) => p.name === name).pop();
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) {
      const at = now();
      super(url, protocols);
      if (phases.joinAt) return;
      phases.joinAt = at;
      this.addEventListener('open', () => { phases.open = phases.open || now(); });
      this.addEventListener('message', (event) => {
        let message;
        try { message = JSON.parse(event.data); } catch { return; }
        if (message.id === 'existingParticipants') phases.existing = phases.existing || now();
        if (message.id === 'receiveVideoAnswer') {
          const peer = byName(message.name);
          if (peer && !peer.answer) peer.answer = now();
        }
      });
    }
    send(data) {
      const at = now();
      try {
        const message = JSON.parse(data);
        if (message.id === 'joinRoom') phases.self = message.name;
        if (message.id === 'receiveVideoFrom') {
          const offered = ufrag(message.sdpOffer);
          const peer = phases.peers.find(
            (p) => !p.offer && ufrag(p.pc.localDescription && p.pc.localDescription.sdp) === offered,
          );
          if (peer) { peer.offer = at; peer.name = message.sender; }
        }
      } catch {}
      super.send(data);
    }
  };
  const poll = (peer) => {
    let last = 0;
    const tick = async () => {
      if (peer.rtp || peer.pc.connectionState === 'closed') return;
      const at = now();
      if (last) { phases.polls++; phases.pollTime += at - last; }
      last = at;
      const stats = await peer.pc.getStats();
      stats.forEach((s) => {
        const video = s.kind === 'video' || s.mediaType === 'video';
        if (video && ((s.type === 'inbound-rtp' && s.packetsReceived > 0) ||
            (s.type === 'outbound-rtp' && s.packetsSent > 0))) peer.rtp = peer.rtp || now();
      });
      setTimeout(tick, ${pollMs});
    };
    tick();
  };
  const NativePeer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeer {
    constructor(config) {
      super(config);
      const pc = this;
      const peer = { pc, name: '', created: now(), offer: 0, answer: 0, ice: 0, dtls: 0, rtp: 0, frame: 0 };
      phases.peers.push(peer);
      pc.addEventListener('iceconnectionstatechange', () => {
        const state = pc.iceConnectionState;
        if (!peer.ice && (state === 'connected' || state === 'completed')) peer.ice = now();
      });
      let watched = false;
      pc.addEventListener('signalingstatechange', () => {
        if (watched || pc.signalingState !== 'stable') return;
        watched = true;
        const transceiver = pc.getTransceivers()[0];
        const dtls = transceiver && (transceiver.receiver.transport || transceiver.sender.transport);
        if (dtls) {
          const check = () => { if (!peer.dtls && dtls.state === 'connected') peer.dtls = now(); };
          dtls.addEventListener('statechange', check);
          check();
        }
        poll(peer);
      });
      pc.addEventListener('track', ({ track }) => {
        if (track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = new MediaStream([track]);
        video.requestVideoFrameCallback(() => {
          peer.frame = peer.frame || now();
          video.srcObject = null;
        });
        video.play().catch(() => {});
      });
    }
  };
})();`;

/** The page's records as read from Node (`performance.now()` values; 0 = not yet). */
interface RawPhases {
  joinAt: number;
  open: number;
  existing: number;
  self: string;
  peers: (PeerMarks & { closed: boolean })[];
  polls: number;
  pollTime: number;
}

/** Reads the page's records, without the peer connections themselves. */
const READ = `(() => {
  const phases = window.__phases;
  return {
    ...phases,
    peers: phases.peers.map(({ pc, ...marks }) => ({ ...marks, closed: pc.connectionState === 'closed' })),
  };
})()`;

/** Waits until every subscription decoded a frame; returns the marks relative to the join. */
async function marksOf(page: Page, remotes: number): Promise<JoinMarks> {
  const phases = await waitUntil(
    async () => {
      const raw = (await page.evaluate(READ)) as RawPhases;
      const live = raw.peers.filter((p) => p.name && !p.closed);
      const done =
        live.some((p) => p.name === raw.self && p.rtp) &&
        live.filter((p) => p.name !== raw.self && p.frame).length >= remotes;
      return done && raw;
    },
    { timeoutMs: 60000, intervalMs: 25, message: `frames from ${remotes} remote participants` },
  );
  const at = (t: number) => (t ? t - phases.joinAt : NaN);
  const relative = (p: PeerMarks): PeerMarks => ({
    name: p.name,
    created: at(p.created),
    offer: at(p.offer),
    answer: at(p.answer),
    ice: at(p.ice),
    dtls: at(p.dtls),
    rtp: at(p.rtp),
    frame: at(p.frame),
  });
  const live = phases.peers.filter((p) => p.name && !p.closed);
  const publisher = live.find((p) => p.name === phases.self);
  return {
    open: at(phases.open),
    existing: at(phases.existing),
    publisher: publisher && relative(publisher),
    subscriptions: live.filter((p) => p.name !== phases.self).map(relative),
    pollMs: phases.polls ? phases.pollTime / phases.polls : NaN,
  };
}

const median = (values: number[]) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A room of participants already there, who publish (and subscribe to the joiner). */
interface Filler {
  names: string[];
  close(): Promise<void>;
}

/** Publisher bots in their own process on CPU 1 (`bench/bots/fleet.ts`), each subscribing to the others. */
async function botFiller(server: ServerProcess, room: string, count: number): Promise<Filler> {
  const fleet = await startFleet({ cpu: 1 });
  const names = Array.from({ length: count }, (_, i) => `bot${i + 1}`);
  try {
    for (const name of names) await fleet.join({ wsUrl: server.wsUrl, room, name });
  } catch (error) {
    await fleet.close();
    throw error;
  }
  return { names, close: () => fleet.close() };
}

async function chromiumFiller(server: ServerProcess, room: string, count: number): Promise<Filler> {
  const browser = await launchBrowser();
  const names = Array.from({ length: count }, (_, i) => `peer${i + 1}`);
  try {
    for (const name of names) await openPage(browser, demoUrl(server.url, room, name, VIDEO));
  } catch (error) {
    await browser.close();
    throw error;
  }
  return { names, close: () => browser.close() };
}

/** `GET /stats` of a server started with `EXPOSE_STATS`. */
async function serverStats(
  server: ServerProcess,
): Promise<{ participants: number; endpoints: number }> {
  const response = await fetch(new URL('stats', server.url));
  return (await response.json()) as { participants: number; endpoints: number };
}

/** Pins a process and all its threads to one CPU (`taskset`); false when it could not. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
const option = (name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const bots = Number(args.find((arg) => !arg.startsWith('--')) ?? 3);
const rounds = Number(option('rounds') ?? (quick ? 3 : 10));
const pollMs = Number(option('poll') ?? 5);
const backendOption = option('backend') ?? 'both';
const fillerOption = option('filler') ?? 'bots';
if (!['werift', 'kurento', 'both'].includes(backendOption)) {
  throw new Error(`--backend must be werift, kurento or both, got ${backendOption}`);
}
if (!['bots', 'chromium'].includes(fillerOption)) {
  throw new Error(`--filler must be bots or chromium, got ${fillerOption}`);
}
const backends: Backend[] =
  backendOption === 'both' ? ['werift', 'kurento'] : [backendOption as Backend];
/** The measured page's camera, and a Chromium filler's: the Kurento tutorial's size and rate. */
const VIDEO = '320x240@15';

/** Measures `rounds` joins of each client against one backend. */
async function measure(backend: Backend): Promise<Record<Client, JoinMarks[]>> {
  const kms: KmsInstance | undefined = backend === 'kurento' ? await startKms() : undefined;
  const server = await startServerProcess({
    LOG_LEVEL: 'warn',
    EXPOSE_STATS: 'true',
    ...(kms && { KMS_URL: kms.url }),
  });
  const pinned = [server.pid, ...(kms ? [kms.kmsPid] : [])].every((pid) => pin(pid, 0));
  const tutorial = await serveTutorialClient();
  const alone = await serveRoomClientPage();
  let browser: Browser | undefined;
  let filler: Filler | undefined;
  const results: Record<Client, JoinMarks[]> = { sdk: [], client: [], tutorial: [] };
  try {
    const room = `phases-${backend}`;
    filler =
      fillerOption === 'bots'
        ? await botFiller(server, room, bots)
        : await chromiumFiller(server, room, bots);
    const settled = await waitUntil(
      async () => {
        const stats = await serverStats(server);
        // Every filler publishes and subscribes to every other one.
        return stats.endpoints === bots * bots && stats.participants === bots && stats;
      },
      { timeoutMs: 30000, message: `a room of ${bots} with every endpoint` },
    );
    console.log(
      `${backend}: a room of ${bots} ${fillerOption} (${settled.endpoints} endpoints), server${kms ? ' and KMS' : ''} ${pinned ? 'pinned to CPU 0' : 'not pinned'}; ${rounds} rounds`,
    );
    browser = await launchBrowser();
    for (let round = 1; round <= rounds; round++) {
      // Each client goes first in turn.
      const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]);
      for (const client of order) {
        const name = `joiner-${client}-${round}`;
        const url =
          client === 'sdk'
            ? demoUrl(server.url, room, name, VIDEO)
            : (client === 'client' ? alone : tutorial).pageUrl(server.wsUrl, room, name);
        const context = await browser.createBrowserContext();
        try {
          const page = await context.newPage();
          await page.evaluateOnNewDocument(INSTRUMENT(pollMs));
          await page.goto(url, { waitUntil: 'load' });
          results[client].push(await marksOf(page, bots));
        } finally {
          await context.close();
        }
        // The joiner's endpoints (and the fillers' subscriptions to it) are gone.
        await waitUntil(
          async () => {
            const stats = await serverStats(server);
            return stats.endpoints === settled.endpoints && stats.participants === bots;
          },
          { timeoutMs: 30000, message: 'the room back to its fillers' },
        );
      }
      process.stdout.write(`  round ${round}/${rounds}\r`);
    }
  } finally {
    await browser?.close();
    await filler?.close();
    await tutorial.close();
    await alone.close();
    await server.stop();
    await kms?.stop();
  }
  return results;
}

/** The rows of the table: a label and the value of one join (NaN when it has none). */
const PHASES: [string, (m: JoinMarks) => number[]][] = [
  ['WebSocket open', (m) => [m.open]],
  ['existingParticipants', (m) => [m.existing]],
  ['publisher: offer sent', (m) => [m.publisher?.offer ?? NaN]],
  ['  answer received', (m) => [m.publisher?.answer ?? NaN]],
  ['  ICE connected', (m) => [m.publisher?.ice ?? NaN]],
  ['  DTLS connected', (m) => [m.publisher?.dtls ?? NaN]],
  ['  first RTP sent', (m) => [m.publisher?.rtp ?? NaN]],
  ['subscription: offer sent', (m) => m.subscriptions.map((s) => s.offer)],
  ['  answer received', (m) => m.subscriptions.map((s) => s.answer)],
  ['  ICE connected', (m) => m.subscriptions.map((s) => s.ice)],
  ['  DTLS connected', (m) => m.subscriptions.map((s) => s.dtls)],
  ['  first RTP packet', (m) => m.subscriptions.map((s) => s.rtp)],
  ['  first decoded frame', (m) => m.subscriptions.map((s) => s.frame)],
  ['steps: offer -> answer', (m) => m.subscriptions.map((s) => s.answer - s.offer)],
  ['  answer -> ICE', (m) => m.subscriptions.map((s) => s.ice - s.answer)],
  ['  ICE -> DTLS', (m) => m.subscriptions.map((s) => s.dtls - s.ice)],
  ['  DTLS -> first RTP', (m) => m.subscriptions.map((s) => s.rtp - s.dtls)],
  ['  first RTP -> frame', (m) => m.subscriptions.map((s) => s.frame - s.rtp)],
  ['join -> first remote frame', (m) => [Math.min(...m.subscriptions.map((s) => s.frame))]],
  ['join -> all remote frames', (m) => [Math.max(...m.subscriptions.map((s) => s.frame))]],
];

function printTable(results: Partial<Record<Backend, Record<Client, JoinMarks[]>>>): void {
  const measured = backends.filter((b) => results[b]);
  const cell = (s: string, width = 8) => s.padStart(width);
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '-');
  console.log(
    '\nclients: element = the demo page (<kurento-room> on RoomClient); client = RoomClient alone on a page\n' +
      "shaped like the tutorial's; k-utils = the Kurento tutorial's client. Ratios against k-utils.",
  );
  const header = measured
    .map(
      (b) =>
        `${cell(b, 7)}${cell('element')}${cell('client')}${cell('k-utils')}${cell('el/k')}${cell('cl/k', 6)}`,
    )
    .join('  ');
  console.log(`\nphase (ms after the join, medians)   ${header}`);
  for (const [label, pick] of PHASES) {
    const row = measured.map((backend) => {
      const [sdk, client, tutorial] = CLIENTS.map((c) =>
        median(results[backend]![c].flatMap(pick)),
      );
      return `${cell('', 7)}${cell(sdk.toFixed(0))}${cell(client.toFixed(0))}${cell(tutorial.toFixed(0))}${cell(ratio(sdk, tutorial))}${cell(ratio(client, tutorial), 6)}`;
    });
    console.log(`${label.padEnd(36)} ${row.join('  ')}`);
  }
  for (const backend of measured) {
    const all = CLIENTS.flatMap((c) => results[backend]![c]);
    console.log(
      `${backend}: getStats polled every ${median(all.map((m) => m.pollMs)).toFixed(1)} ms (median of the joins' means): the resolution of "first RTP"`,
    );
  }
}

/** The 1, 5 and 15 minute load averages: say them with any figure (the machine may be shared). */
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  console.log(
    `join phases: one Chromium page joins a room of ${bots} (${fillerOption}), ${rounds} rounds per client; load ${load()}`,
  );
  const results: Partial<Record<Backend, Record<Client, JoinMarks[]>>> = {};
  let failed = false;
  for (const backend of backends) {
    try {
      results[backend] = await measure(backend);
    } catch (error) {
      failed = true;
      console.log(`${backend}: not measured: ${(error as Error).message}`);
    }
  }
  printTable(results);
  console.log(`load at the end: ${load()}`);
  if (failed) process.exitCode = 1;
}

// An interrupted bench still ends its server, KMS and browsers (their helpers kill them on exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

await main();
