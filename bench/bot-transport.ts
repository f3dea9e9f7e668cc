/**
 * Bench: `npx tsx bench/bot-transport.ts [--publishers=4] [--seconds=20] [--quick]`
 * (`--quick`: 2 publishers, 5 s). Which WebRTC stack costs a bot less CPU per packet:
 * werift (pure TypeScript) or libwebrtc through `@roamhq/wrtc` (issue 12).
 *
 * One run, one werift SFU (the reference server, pinned to CPU 0 with `taskset`), and
 * `publishers` werift publisher bots sending the clip. Each subject is a process of its
 * own (`bench/bots/fleet.ts`, all on CPU 1) with one bot subscribing to every publisher,
 * so that all of them receive the same streams at the same time:
 *   - werift, counting from the clear SRTP header (the bots' default, `werift-tap.ts`);
 *   - werift through its whole receive path (SRTP decryption, `RtpPacket`, `onReceiveRtp`);
 *   - libwebrtc (`@roamhq/wrtc`), counted with `getStats()`; it also decodes the video
 *     (its `framesDecoded` is printed);
 * and, for the sending side, the werift publishers (pre-encoded clip, this process's
 * figure divided by their packets) and one libwebrtc publisher, alone in another room,
 * that ENCODES a 320x240@15 picture and a tone at run time (wrtc takes raw frames only).
 * The server's own CPU per packet (in + out) is printed as the yardstick: a bot must cost
 * less per packet than the server, or a capacity bench measures the bots.
 *
 * Prints for each process: CPU (% of one core), packets per second, µs of CPU per packet
 * and the ratio to the werift header-counting subscriber; then how soon after each key
 * frame request (the SFU's PLI when a subscriber connects) the publishers' key frame left. CPU is `utime + stime` from
 * `/proc` (10 ms ticks) over the hold; packets are counted by the bots themselves.
 *
 * libwebrtc is not a dependency: install it outside the repository and name it,
 *   npm install --no-save --prefix /tmp/krbot-wrtc @roamhq/wrtc
 *   WRTC_MODULE=/tmp/krbot-wrtc/node_modules/@roamhq/wrtc npx tsx bench/bot-transport.ts
 * Without `WRTC_MODULE` the libwebrtc rows are left out, and the output says so.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { startFleet, type BotStats, type Fleet } from './bots/fleet.js';
import { VIDEO_FRAME_MS } from './bots/media.js';
import { processUsage } from './bots/proc-usage.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { waitUntil } from '../test/helpers/wait.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: number) =>
  Number(args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const PUBLISHERS = option('publishers', quick ? 2 : 4);
const SECONDS = option('seconds', quick ? 5 : 20);
const WRTC = Boolean(process.env.WRTC_MODULE);
const ROOM = 'transport';

/** A measured process: how to read its CPU and how many packets it handled. */
interface Subject {
  label: string;
  cpuSeconds(): number;
  /** Packets it received or sent so far, by its own count. */
  packets(): Promise<number>;
  /** An extra note (frames decoded per second), at the end of the hold. */
  note?(seconds: number): Promise<string>;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Packets every bot of `stats` received. */
const receivedPackets = (stats: Record<string, BotStats>) =>
  sum(Object.values(stats).flatMap((bot) => bot.received.map((stream) => stream.packets)));

/** Packets every bot of `stats` sent. */
const sentPackets = (stats: Record<string, BotStats>) =>
  sum(Object.values(stats).map((bot) => bot.sent.audio.packets + bot.sent.video.packets));

async function main(): Promise<void> {
  console.log(
    `bot transport cost: ${PUBLISHERS} werift publishers -> one subscriber per stack, ${SECONDS} s hold, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
  const server = await startServerProcess({ LOG_LEVEL: 'warn' });
  const fleets: Fleet[] = [];
  try {
    // The server on CPU 0 (all its threads), every bot process on CPU 1.
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(server.pid)], { stdio: 'ignore' });
    const fleet = async (transport: 'werift' | 'wrtc') => {
      const started = await startFleet({ cpu: 1, transport });
      fleets.push(started);
      return started;
    };
    const publishers = await fleet('werift');
    const names = Array.from({ length: PUBLISHERS }, (_, i) => `pub${i + 1}`);
    for (const name of names) {
      await publishers.join({ wsUrl: server.wsUrl, room: ROOM, name, subscribe: false });
    }
    const join = async (transport: 'werift' | 'wrtc', name: string, options: object) => {
      const subject = await fleet(transport);
      await subject.join({ wsUrl: server.wsUrl, room: ROOM, name, ...options });
      return subject;
    };
    const header = await join('werift', 'werift-header', { publish: false });
    const decrypt = await join('werift', 'werift-decrypt', {
      publish: false,
      receivePath: 'decrypt',
    });
    const subjects: Subject[] = [];
    const subscriber = (label: string, process: Fleet): Subject => ({
      label,
      cpuSeconds: () => process.cpuSeconds(),
      packets: async () => receivedPackets(await process.stats()),
    });
    subjects.push(subscriber('werift subscriber, header count', header));
    subjects.push(subscriber('werift subscriber, decrypting', decrypt));
    const subscribers = [header, decrypt];
    if (WRTC) {
      const wrtc = await join('wrtc', 'wrtc-sub', { publish: false });
      subscribers.push(wrtc);
      let frames = 0;
      subjects.push({
        ...subscriber('libwebrtc subscriber (decodes)', wrtc),
        async note(seconds) {
          const decoded = Object.values(await wrtc.stats())[0]?.framesDecoded ?? 0;
          const note = `${((decoded - frames) / seconds).toFixed(1)} frames decoded/s`;
          frames = decoded;
          return note;
        },
      });
    }
    subjects.push({
      label: `werift publishers (${PUBLISHERS}, pre-encoded)`,
      cpuSeconds: () => publishers.cpuSeconds(),
      packets: async () => sentPackets(await publishers.stats()),
    });
    if (WRTC) {
      const encoder = await fleet('wrtc');
      await encoder.join({
        wsUrl: server.wsUrl,
        room: `${ROOM}-alone`,
        name: 'wrtc-pub',
        subscribe: false,
      });
      subjects.push({
        label: 'libwebrtc publisher (encodes)',
        cpuSeconds: () => encoder.cpuSeconds(),
        packets: async () => sentPackets(await encoder.stats()),
      });
    }
    // The server handles every packet sent (in) and every packet the subscribers received (out).
    const serverPackets = async () => {
      const all = await Promise.all(fleets.map((f) => f.stats()));
      return sum(all.map(sentPackets)) + sum(all.map(receivedPackets));
    };
    subjects.push({
      label: 'server (werift SFU), in + out',
      cpuSeconds: () => processUsage(server.pid).cpuSeconds,
      packets: serverPackets,
    });

    // Media from every publisher at every subscriber before the hold.
    await waitUntil(
      async () => {
        const all = await Promise.all(subscribers.map((s) => s.stats()));
        return all.every((stats) =>
          Object.values(stats).every(
            (bot) => bot.received.filter((stream) => stream.packets > 0).length === 2 * PUBLISHERS,
          ),
        );
      },
      {
        timeoutMs: 30000,
        intervalMs: 200,
        message: 'media from every publisher at every subscriber',
      },
    );
    for (const subject of subjects) await subject.note?.(1);

    const start = await Promise.all(
      subjects.map(async (s) => ({ cpu: s.cpuSeconds(), packets: await s.packets() })),
    );
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const end = await Promise.all(
      subjects.map(async (s) => ({ cpu: s.cpuSeconds(), packets: await s.packets() })),
    );

    const rows = await Promise.all(
      subjects.map(async (subject, i) => {
        const cpu = end[i]!.cpu - start[i]!.cpu;
        const packets = end[i]!.packets - start[i]!.packets;
        return {
          subject,
          cpuPercent: (100 * cpu) / seconds,
          rate: packets / seconds,
          usPerPacket: (cpu * 1e6) / packets,
          note: (await subject.note?.(seconds)) ?? '',
        };
      }),
    );
    const reference = rows[0]!.usPerPacket;
    console.log(
      `\n${'process'.padEnd(40)}${'CPU %'.padStart(8)}${'packets/s'.padStart(11)}${'µs/packet'.padStart(11)}${'× header'.padStart(10)}`,
    );
    for (const row of rows) {
      console.log(
        `${row.subject.label.padEnd(40)}${row.cpuPercent.toFixed(1).padStart(8)}${row.rate.toFixed(0).padStart(11)}${row.usPerPacket.toFixed(1).padStart(11)}${(row.usPerPacket / reference).toFixed(2).padStart(10)}  ${row.note}`,
      );
    }
    const delays = Object.values(await publishers.stats())
      .flatMap((bot) => bot.keyFrameDelaysMs)
      .sort((a, b) => a - b);
    if (delays.length > 0) {
      console.log(
        `\nPLI/FIR -> key frame out, werift publishers: ${delays.length} requests, median ${delays[delays.length >> 1]!.toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms (a frame interval is ${VIDEO_FRAME_MS.toFixed(1)} ms)`,
      );
    }
    if (!WRTC) {
      console.log(
        '\nlibwebrtc not measured: npm install --no-save --prefix /tmp/krbot-wrtc @roamhq/wrtc, then WRTC_MODULE=/tmp/krbot-wrtc/node_modules/@roamhq/wrtc',
      );
    }
    console.log(
      `\nload average after: ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await Promise.allSettled(fleets.map((f) => f.close()));
    await server.stop();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
await main();
