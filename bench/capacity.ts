/**
 * Bench: `npx tsx bench/capacity.ts [--backend=werift|kurento|both] [--layout=mesh|rooms|both]
 * [--quick] [--window=S] [--max=N] [--sizes=N,N...] [--server-cpu=C] [--bot-cpu=C] [--cpu-prof=DIR]`
 * (defaults: both backends when a Kurento Media Server is found, else werift; the mesh
 * layout; a 6 s window; up to 64 participants; the server on core 1 and the bots on
 * core 0). The default run takes about 5 minutes on a quiet machine; `--layout=both`
 * adds the rooms of 4 (about as long again).
 *
 * Capacity per core (issue 12, benchmark 1): how many participants one server core
 * carries. The server (`packages/server/src/main.ts`, as `npm start` runs it) is pinned to
 * one core with `taskset`; on Kurento, the Kurento Media Server it drives is pinned to the
 * same core, so "the server" is both processes together. Bot participants
 * (`bench/bots/`: werift peers publishing the pre-encoded VP8 320x240@15 and Opus clip,
 * counting what they receive from the RTP headers) run in one process on the other core.
 *
 * Two layouts, each a ramp that stops at the first failing step and then bisects:
 *   - mesh: one room of N, everyone publishing and subscribing to everyone
 *     (N = 4, 8, 12, 16, 20, 24, 32, ...);
 *   - rooms: R rooms of 4 (R = 1, 2, 4, 8, 12, 16, 20, ...).
 * A step passes when every subscription receives, and over a steady window (`--window`
 * seconds, starting 2 s after the last subscription's first packets) every subscription
 * loses under 0.5% of its packets (RFC 3550 A.3 counts at the bot) and receives within
 * 10% of the payload bytes its publisher sent in the same window. A step where a bot
 * could not join or a subscription never received media (a peer connection that failed
 * to set up) runs once more before it counts as failed; both are printed. So does a step
 * that other processes disturbed (below).
 *
 * Each step runs on a freshly started server (and KMS). Per step it prints: the server's
 * CPU (% of its core), forwarded packets per second (the sum over subscriptions of the
 * packets they received), the server's CPU per forwarded packet (µs), its RSS at the end
 * of the window and RSS per participant (over its idle RSS before the bots joined), the
 * worst subscription's loss and bitrate ratio (received / sent), and the bot process's
 * CPU (% of its core) and what other processes used of the server's core (`/proc/stat`).
 * A step whose bot process used over 90% of its core measured the bots, and one where
 * other processes used over 20% of the server's core measured a shared machine (the
 * server falls behind without being busy: packets wait in its socket buffers, and the
 * bitrate ratios drop with no loss): either is marked invalid and the ramp stops there
 * (the capacity is then at least the last passing step). With both backends, a last
 * table gives the ratios werift / Kurento.
 *
 * `--quick`: a 4 s window and ramps that stop at 12 participants (3 rooms of 4), a smoke
 * run of the tool. `--max=N`: no step beyond N participants. `--sizes=10,10,12` runs
 * those steps alone, in order, without a ramp (to compare two commits at one load).
 * `--cpu-prof=DIR` runs the server with `node --cpu-prof` (a profile per server process,
 * written when it exits).
 *
 * Run on demand, not in `npm test`; figures are ratios within one run, and a loaded machine
 * (see the load average printed) lowers every figure.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startFleet, type BotStats, type Fleet } from './bots/fleet.js';
import { processUsage } from './bots/proc-usage.js';
import { findKms, startKms, type KmsInstance } from '../test/helpers/kms.js';
import {
  pinnedTo,
  SOURCE_SERVER,
  startServerProcess,
  type ServerProcess,
} from '../test/helpers/server-process.js';
import { waitUntil } from '../test/helpers/wait.js';

type Backend = 'werift' | 'kurento';
type Layout = 'mesh' | 'rooms';

/** Pass limits of a step (issue 12). */
const MAX_LOSS = 0.005;
const MAX_BITRATE_DEVIATION = 0.1;
/**
 * Other processes using more than this share of the server's core (a shared machine)
 * starve the server: it falls behind without being busy itself, and the step is invalid.
 */
const MAX_OTHER_LOAD = 0.2;
/** A bot process over this share of its core measured itself: the step is invalid. */
const MAX_BOT_CPU = 0.9;
/** Time between every subscription receiving and the window's start, in ms. */
const SETTLE_MS = 2000;
const PARTICIPANTS_PER_ROOM = 4;
/**
 * The KMS's RTP and ICE port range. Each WebRtcEndpoint holds ports of its own (UDP and
 * TCP), so the tests' default of 200 ports per instance ran out at 100 endpoints (a
 * mesh of 10): the last subscription never received. Below the ranges the tests use
 * (from 42000) and Linux's ephemeral ports (from 32768).
 */
const KMS_RTP_PORTS: [number, number] = [20000, 29999];

interface Options {
  backends: Backend[];
  layouts: Layout[];
  windowS: number;
  max: number;
  serverCpu: number;
  botCpu: number;
  cpuProfDir: string | undefined;
  /** Only these sizes, no ramp (`--sizes=10,12`). */
  sizes: number[] | undefined;
}

/** What one step measured. */
interface Step {
  backend: Backend;
  layout: Layout;
  /** Participants (mesh) or rooms of 4 (rooms). */
  size: number;
  participants: number;
  /** Subscriptions expected: per room, n × (n - 1). */
  subscriptions: number;
  /** Server (and KMS) CPU, % of one core. */
  serverCpu: number;
  /** Packets received by every subscription together, per second. */
  forwardedPerSecond: number;
  /** Server CPU per forwarded packet, µs. */
  usPerPacket: number;
  rssMb: number;
  rssPerParticipantMb: number;
  /** Worst subscription's loss over the window, a fraction. */
  worstLoss: number;
  /** Bitrate ratio (received / sent) farthest from 1 over every subscription. */
  worstRatio: number;
  botCpu: number;
  /** CPU of other processes on the server's core (% of it): the machine's own load. */
  otherLoad: number;
  pass: boolean;
  /**
   * Why the step measured something else than the server, when it did: the bot core
   * saturated, or other processes used the server's core.
   */
  invalid?: string;
  /** Why it failed, when it did. */
  failure?: string;
  /** It failed before measuring: a bot could not join, or a subscription never received. */
  connectionFailure?: boolean;
}

/** The server under test: the Node process, and on Kurento the KMS beside it. */
interface ServerUnderTest {
  backend: Backend;
  server: ServerProcess;
  kms?: KmsInstance;
  /** PIDs whose CPU and memory count as the server's. */
  pids: number[];
  stop(): Promise<void>;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes('--quick');
  const backend = value('backend') ?? (findKms() ? 'both' : 'werift');
  const layout = value('layout') ?? 'mesh';
  const unknown = argv.filter(
    (arg) =>
      arg !== '--quick' &&
      !/^--(backend|layout|window|max|server-cpu|bot-cpu|cpu-prof|sizes)=/.test(arg),
  );
  const options: Options = {
    backends: backend === 'both' ? ['werift', 'kurento'] : [backend as Backend],
    layouts: layout === 'both' ? ['mesh', 'rooms'] : [layout as Layout],
    windowS: Number(value('window') ?? (quick ? 4 : 6)),
    max: Number(value('max') ?? (quick ? 12 : 64)),
    serverCpu: Number(value('server-cpu') ?? 1),
    botCpu: Number(value('bot-cpu') ?? 0),
    cpuProfDir: value('cpu-prof'),
    sizes: value('sizes')?.split(',').map(Number),
  };
  const valid =
    unknown.length === 0 &&
    options.backends.every((b) => b === 'werift' || b === 'kurento') &&
    options.layouts.every((l) => l === 'mesh' || l === 'rooms') &&
    options.windowS > 0 &&
    options.max >= 2 &&
    Number.isInteger(options.serverCpu) &&
    Number.isInteger(options.botCpu) &&
    (options.sizes ?? []).every((size) => Number.isInteger(size) && size >= 1);
  if (!valid) {
    console.error(
      'usage: npx tsx bench/capacity.ts [--backend=werift|kurento|both] [--layout=mesh|rooms|both]\n' +
        '  [--quick] [--window=S] [--max=N] [--sizes=N,N...] [--server-cpu=C] [--bot-cpu=C] [--cpu-prof=DIR]',
    );
    process.exit(2);
  }
  return options;
}

/** Starts the server (and its KMS on Kurento), pinned to `options.serverCpu`. */
async function startServerUnderTest(backend: Backend, options: Options): Promise<ServerUnderTest> {
  const kms =
    backend === 'kurento'
      ? await startKms({ cpu: options.serverCpu, rtpRange: KMS_RTP_PORTS })
      : undefined;
  const source = options.cpuProfDir
    ? {
        ...SOURCE_SERVER,
        args: ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, ...SOURCE_SERVER.args],
      }
    : SOURCE_SERVER;
  let server: ServerProcess;
  try {
    server = await startServerProcess(
      {
        ...(kms && { KMS_URL: kms.url }),
        MAX_PARTICIPANTS_PER_ROOM: String(Math.max(16, options.max)),
        MAX_ROOMS: String(Math.max(100, options.max)),
        // A bot sends an offer and its candidates per subscription at once.
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
      },
      20000,
      pinnedTo(options.serverCpu, source),
    );
  } catch (error) {
    await kms?.stop();
    throw error;
  }
  return {
    backend,
    server,
    kms,
    pids: kms ? [server.pid, kms.kmsPid] : [server.pid],
    async stop() {
      await server.stop();
      await kms?.stop();
    },
  };
}

/** CPU seconds and RSS (MB) of the server under test, summed over its processes. */
function serverUsage(target: ServerUnderTest): { cpuSeconds: number; rssMb: number } {
  let cpuSeconds = 0;
  let rssMb = 0;
  for (const pid of target.pids) {
    const usage = processUsage(pid);
    cpuSeconds += usage.cpuSeconds;
    rssMb += usage.rssMb;
  }
  return { cpuSeconds, rssMb };
}

/** The bots of a step: room name, then the names in it. */
function rooms(layout: Layout, size: number): Map<string, string[]> {
  const count = layout === 'mesh' ? 1 : size;
  const perRoom = layout === 'mesh' ? size : PARTICIPANTS_PER_ROOM;
  const result = new Map<string, string[]>();
  for (let r = 0; r < count; r++) {
    result.set(
      `${layout}${size}-r${r}`,
      Array.from({ length: perRoom }, (_, i) => `r${r}b${i}`),
    );
  }
  return result;
}

/** The subscriptions (`receiver <- publisher kind`) that have received no packet yet. */
function silentSubscriptions(
  stats: Record<string, BotStats>,
  layout: Map<string, string[]>,
): string[] {
  const silent: string[] = [];
  for (const names of layout.values()) {
    for (const name of names) {
      const received = stats[name]?.received ?? [];
      for (const from of names) {
        if (from === name) continue;
        for (const kind of ['audio', 'video'] as const) {
          if (!received.some((s) => s.from === from && s.kind === kind && s.packets > 0)) {
            silent.push(`${name} <- ${from} ${kind}`);
          }
        }
      }
    }
  }
  return silent;
}

/** Loss and bitrate ratio of every subscription over the window between two snapshots. */
function subscriptionFigures(
  before: Record<string, BotStats>,
  after: Record<string, BotStats>,
): {
  packets: number;
  worstLoss: number;
  worstRatio: number;
  count: number;
  worstLossAt: string;
  worstRatioAt: string;
} {
  let packets = 0;
  let worstLoss = 0;
  let worstRatio = 1;
  let count = 0;
  let worstLossAt = '';
  let worstRatioAt = '';
  for (const [name, stats] of Object.entries(after)) {
    for (const stream of stats.received) {
      const earlier = before[name]?.received.find(
        (s) => s.from === stream.from && s.kind === stream.kind,
      );
      const received = stream.packets - (earlier?.packets ?? 0);
      const lost = Math.max(0, stream.lost - (earlier?.lost ?? 0));
      const bytes = stream.bytes - (earlier?.bytes ?? 0);
      const sent =
        (after[stream.from]?.sent[stream.kind].bytes ?? 0) -
        (before[stream.from]?.sent[stream.kind].bytes ?? 0);
      packets += received;
      count++;
      const loss = received + lost > 0 ? lost / (received + lost) : 1;
      const ratio = sent > 0 ? bytes / sent : 0;
      const at = `${name} <- ${stream.from} ${stream.kind}`;
      if (loss > worstLoss) [worstLoss, worstLossAt] = [loss, at];
      if (Math.abs(ratio - 1) > Math.abs(worstRatio - 1)) [worstRatio, worstRatioAt] = [ratio, at];
    }
  }
  return { packets, worstLoss, worstRatio, count, worstLossAt, worstRatioAt };
}

/** Joins a step's bots, waits until everyone receives, measures the window, and leaves. */
async function runStep(
  backend: Backend,
  layout: Layout,
  size: number,
  options: Options,
): Promise<Step> {
  const target = await startServerUnderTest(backend, options);
  try {
    return await measureStep(target, layout, size, options);
  } finally {
    await target.stop();
  }
}

/** {@link runStep} on a started server. */
async function measureStep(
  target: ServerUnderTest,
  layout: Layout,
  size: number,
  options: Options,
): Promise<Step> {
  const plan = rooms(layout, size);
  const participants = [...plan.values()].reduce((sum, names) => sum + names.length, 0);
  const subscriptions = [...plan.values()].reduce((sum, n) => sum + n.length * (n.length - 1), 0);
  const idle = serverUsage(target);
  const step: Step = {
    backend: target.backend,
    layout,
    size,
    participants,
    subscriptions,
    serverCpu: 0,
    forwardedPerSecond: 0,
    usPerPacket: 0,
    rssMb: 0,
    rssPerParticipantMb: 0,
    worstLoss: 1,
    worstRatio: 0,
    botCpu: 0,
    otherLoad: 0,
    pass: false,
  };
  const fleet: Fleet = await startFleet({ cpu: options.botCpu });
  try {
    // Rooms fill side by side, each one participant after another (as people arrive).
    try {
      await Promise.all(
        [...plan].map(async ([room, names]) => {
          for (const name of names) await fleet.join({ wsUrl: target.server.wsUrl, room, name });
        }),
      );
    } catch (error) {
      step.failure = `a bot could not join: ${(error as Error).message}`;
      step.connectionFailure = true;
      return await afterFailure(step, target, fleet, options);
    }
    let silent: string[] = [];
    try {
      await waitUntil(
        async () => (silent = silentSubscriptions(await fleet.stats(), plan)).length === 0,
        {
          timeoutMs: 20000 + participants * 1000,
          intervalMs: 250,
          message: 'every subscription receiving audio and video',
        },
      );
    } catch {
      const listed = silent.slice(0, 4).join(', ') + (silent.length > 4 ? ', ...' : '');
      step.failure = `${silent.length} subscriptions never received media: ${listed}`;
      step.connectionFailure = true;
      return await afterFailure(step, target, fleet, options);
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const before = await fleet.stats();
    const server0 = serverUsage(target);
    const bots0 = fleet.cpuSeconds();
    const core0 = coreTimes(options.serverCpu);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.windowS * 1000));
    const after = await fleet.stats();
    const server1 = serverUsage(target);
    const bots1 = fleet.cpuSeconds();
    const core1 = coreTimes(options.serverCpu);
    const elapsed = (performance.now() - t0) / 1000;

    const figures = subscriptionFigures(before, after);
    const cpuSeconds = server1.cpuSeconds - server0.cpuSeconds;
    Object.assign(step, {
      serverCpu: (cpuSeconds / elapsed) * 100,
      forwardedPerSecond: figures.packets / elapsed,
      usPerPacket: figures.packets > 0 ? (cpuSeconds / figures.packets) * 1e6 : Infinity,
      rssMb: server1.rssMb,
      rssPerParticipantMb: (server1.rssMb - idle.rssMb) / participants,
      worstLoss: figures.worstLoss,
      worstRatio: figures.worstRatio,
      botCpu: ((bots1 - bots0) / elapsed) * 100,
    });
    step.otherLoad = Math.max(0, coreBusy(core0, core1) * 100 - step.serverCpu);
    step.invalid = invalidity(step);
    if (figures.count < subscriptions) {
      step.failure = `${subscriptions - figures.count} subscriptions missing`;
    } else if (step.worstLoss >= MAX_LOSS) {
      step.failure = `loss ${percent(step.worstLoss, 2)} at ${figures.worstLossAt}`;
    } else if (Math.abs(step.worstRatio - 1) > MAX_BITRATE_DEVIATION) {
      step.failure = `bitrate ${step.worstRatio.toFixed(2)}x its publisher's at ${figures.worstRatioAt}`;
    }
    step.pass = !step.failure && !step.invalid;
    return step;
  } finally {
    await fleet.close();
  }
}

/** The bot process's CPU (a fraction of its core) over `ms`. */
/**
 * After a step failed before its window: the bot process's CPU and the other load on the
 * server's core over 2 s, which may say that the step measured the machine instead.
 */
async function afterFailure(
  step: Step,
  target: ServerUnderTest,
  fleet: Fleet,
  options: Options,
): Promise<Step> {
  const bots0 = fleet.cpuSeconds();
  const server0 = serverUsage(target).cpuSeconds;
  const core0 = coreTimes(options.serverCpu);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  step.botCpu = (fleet.cpuSeconds() - bots0) * 50;
  const serverCpu = (serverUsage(target).cpuSeconds - server0) * 50;
  step.otherLoad = Math.max(0, coreBusy(core0, coreTimes(options.serverCpu)) * 100 - serverCpu);
  step.invalid = invalidity(step);
  return step;
}

/** Why a step measured something else than the server, if it did. */
function invalidity(step: Step): string | undefined {
  if (step.botCpu > MAX_BOT_CPU * 100) return 'the bot core saturated';
  if (step.otherLoad > MAX_OTHER_LOAD * 100) {
    return `other processes used ${step.otherLoad.toFixed(0)}% of the server's core`;
  }
  return undefined;
}

/** Busy and total clock ticks of one core so far, from `/proc/stat` (proc(5)). */
function coreTimes(cpu: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) throw new Error(`no cpu${cpu} in /proc/stat`);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { busy: total - ticks[3]! - (ticks[4] ?? 0), total };
}

/** The share of a core that was busy between two {@link coreTimes} readings. */
function coreBusy(start: { busy: number; total: number }, end: { busy: number; total: number }) {
  const total = end.total - start.total;
  return total > 0 ? (end.busy - start.busy) / total : 0;
}

const percent = (fraction: number, digits = 0) => `${(fraction * 100).toFixed(digits)}%`;

function describeStep(step: Step): string {
  const what =
    step.layout === 'mesh'
      ? `mesh of ${step.size}`
      : `${step.size} rooms of ${PARTICIPANTS_PER_ROOM}`;
  const verdict = step.invalid
    ? `INVALID (${step.invalid}${step.failure ? `; ${step.failure}` : ''})`
    : step.pass
      ? 'pass'
      : `FAIL (${step.failure})`;
  if (step.forwardedPerSecond === 0) {
    return (
      `  ${what.padEnd(15)} ${verdict}; bots ${step.botCpu.toFixed(0)}% of their core, ` +
      `others ${step.otherLoad.toFixed(0)}% of the server's`
    );
  }
  return (
    `  ${what.padEnd(15)} server ${step.serverCpu.toFixed(0).padStart(3)}% of its core, ` +
    `${step.forwardedPerSecond.toFixed(0).padStart(6)} packets/s forwarded, ` +
    `${step.usPerPacket.toFixed(1).padStart(5)} µs/packet, RSS ${step.rssMb.toFixed(0)} MB ` +
    `(${step.rssPerParticipantMb.toFixed(1)} MB/participant), worst loss ${percent(step.worstLoss, 2)}, ` +
    `worst bitrate ${step.worstRatio.toFixed(3)}x, bots ${step.botCpu.toFixed(0)}% of their core, ` +
    `others ${step.otherLoad.toFixed(0)}% of the server's: ${verdict}`
  );
}

/** The sizes a ramp tries before bisecting, up to `max` participants. */
function rampSizes(layout: Layout, max: number): number[] {
  const sizes =
    layout === 'mesh' ? [4, 8, 12, 16, 20, 24, 32, 40, 48, 64] : [1, 2, 4, 8, 12, 16, 20, 24, 32];
  const participants = (size: number) => (layout === 'mesh' ? size : size * PARTICIPANTS_PER_ROOM);
  return sizes.filter((size) => participants(size) <= max);
}

/** A layout's result: the largest passing size, and why the ramp stopped. */
interface RampResult {
  layout: Layout;
  largest: number | undefined;
  steps: Step[];
  stoppedBy: 'failure' | 'invalid' | 'max' | 'sizes';
  /** Why the last step was invalid, when the ramp stopped there. */
  invalid?: string;
}

/** Ramps `layout` up to its first failure, then bisects between the last pass and it. */
async function ramp(backend: Backend, layout: Layout, options: Options): Promise<RampResult> {
  const steps: Step[] = [];
  const run = async (size: number) => {
    let step = await runStep(backend, layout, size, options);
    console.log(describeStep(step));
    // A peer connection that failed to set up says nothing about load, and other
    // processes on the server's core may be gone in a moment: one more try.
    const shared = step.otherLoad > MAX_OTHER_LOAD * 100;
    if (shared || (step.connectionFailure && !step.invalid)) {
      step = await runStep(backend, layout, size, options);
      console.log(`${describeStep(step)} (again)`);
    }
    steps.push(step);
    return step;
  };
  let largest: number | undefined;
  let failed: number | undefined;
  if (options.sizes) {
    for (const size of options.sizes) {
      const step = await run(size);
      if (step.pass) largest = Math.max(largest ?? 0, size);
    }
    return { layout, largest, steps, stoppedBy: 'sizes' };
  }
  for (const size of rampSizes(layout, options.max)) {
    const step = await run(size);
    if (step.invalid)
      return { layout, largest, steps, stoppedBy: 'invalid', invalid: step.invalid };
    if (!step.pass) {
      failed = size;
      break;
    }
    largest = size;
  }
  if (failed === undefined) return { layout, largest, steps, stoppedBy: 'max' };
  let low = largest ?? 0;
  let high = failed;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const step = await run(middle);
    if (step.invalid)
      return { layout, largest, steps, stoppedBy: 'invalid', invalid: step.invalid };
    if (step.pass) low = largest = middle;
    else high = middle;
  }
  return { layout, largest, steps, stoppedBy: 'failure' };
}

function describeRamp(result: RampResult): string {
  const unit =
    result.layout === 'mesh'
      ? 'participants in one full mesh'
      : `rooms of ${PARTICIPANTS_PER_ROOM}`;
  const largest = result.largest ?? 0;
  switch (result.stoppedBy) {
    case 'failure':
      return `${largest} ${unit} per core`;
    case 'invalid':
      return `at least ${largest} ${unit} per core (the next step was not measurable: ${result.invalid})`;
    case 'max':
      return `at least ${largest} ${unit} per core (--max reached)`;
    case 'sizes':
      return `largest passing of the sizes asked: ${largest} ${unit}`;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
  console.log(
    `capacity per core: server (and KMS) on core ${options.serverCpu}, bots on core ${options.botCpu}; ` +
      `${options.windowS} s windows; load average ${load()}`,
  );
  const results = new Map<Backend, RampResult[]>();
  for (const backend of options.backends) {
    console.log(`\n${backend}`);
    const ramps: RampResult[] = [];
    for (const layout of options.layouts) ramps.push(await ramp(backend, layout, options));
    results.set(backend, ramps);
    for (const result of ramps) console.log(`  => ${describeRamp(result)}`);
  }
  const werift = results.get('werift');
  const kurento = results.get('kurento');
  if (werift && kurento) {
    console.log('\nwerift / Kurento');
    for (const layout of options.layouts) {
      const w = werift.find((r) => r.layout === layout)!;
      const k = kurento.find((r) => r.layout === layout)!;
      const capacity = w.largest && k.largest ? (w.largest / k.largest).toFixed(2) : 'n/a';
      // CPU per forwarded packet at the largest size both passed.
      const common = w.steps
        .filter((s) => s.pass && k.steps.some((t) => t.pass && t.size === s.size))
        .map((s) => s.size);
      const size = common.length ? Math.max(...common) : undefined;
      const cost =
        size === undefined
          ? 'n/a'
          : `${(
              w.steps.find((s) => s.size === size)!.usPerPacket /
              k.steps.find((s) => s.size === size)!.usPerPacket
            ).toFixed(2)} (at ${size})`;
      const memory =
        size === undefined
          ? 'n/a'
          : (
              w.steps.find((s) => s.size === size)!.rssPerParticipantMb /
              k.steps.find((s) => s.size === size)!.rssPerParticipantMb
            ).toFixed(2);
      console.log(
        `  ${layout.padEnd(5)} capacity ${capacity}x, CPU per forwarded packet ${cost}, RSS per participant ${memory}`,
      );
    }
  }
  console.log(`\nload average at the end: ${load()}`);
}

// An interrupted bench still ends its server, KMS and bot process (their helpers kill them on exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

await main();
