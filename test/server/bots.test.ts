/**
 * The bot participants (`bench/bots/`), as a smoke test that keeps the load generator
 * of the benches working: a room of three bots on the real server, each receiving the
 * other two's audio and video; on the werift SFU and on Kurento Media Server. Before it,
 * the parts the figures rest on: the media asset, RFC 7741 packetization, the RFC 3550
 * counters and the key frame on request.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Bot } from '../../bench/bots/bot.js';
import { startFleet } from '../../bench/bots/fleet.js';
import { ClipSender, type OutgoingRtp } from '../../bench/bots/clip-sender.js';
import {
  loadClip,
  nearestKeyFrame,
  vp8Payloads,
  MAX_PAYLOAD_BYTES,
} from '../../bench/bots/media.js';
import { readRtpHeader, RtpStreamCounter, type StreamStats } from '../../bench/bots/rtp-stats.js';
import { findKms, NO_KMS, startKms } from '../helpers/kms.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';

const NAMES = ['ada', 'bob', 'cyd'];
/** The window over which sent and received bitrates are compared: 2 s of audio packets (20 ms). */
const WINDOW_AUDIO_PACKETS = 100;
/** A received stream's payload bitrate may differ from its publisher's by this fraction (issue 12's criterion). */
const BITRATE_TOLERANCE = 0.1;

/** The server's `GET /stats` counts. */
async function serverStats(
  server: ServerProcess,
): Promise<{ participants: number; endpoints: number }> {
  return (await fetch(new URL('/stats', server.url))).json() as Promise<{
    participants: number;
    endpoints: number;
  }>;
}

/** UDP sockets open in this process: the bots' peer connections (the server is another process). */
function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'UDPWrap').length;
}

/** Payload bytes and packets, by `receiver>publisher/kind` and by `publisher/kind` for what was sent. */
function snapshot(bots: Bot[]) {
  const received = new Map<string, StreamStats>();
  const sent = new Map<string, { packets: number; bytes: number }>();
  for (const bot of bots) {
    for (const stream of bot.received())
      received.set(`${bot.name}>${stream.from}/${stream.kind}`, stream);
    const counts = bot.sent();
    sent.set(`${bot.name}/audio`, counts.audio);
    sent.set(`${bot.name}/video`, counts.video);
  }
  return { received, sent };
}

type Snapshot = ReturnType<typeof snapshot>;

/**
 * Tells snapshots taken while no video packet is in flight, so that a window's sent and
 * received bytes hold the same frames (a key frame, ~8 KB, in flight at one end of a
 * 2 s window is 13% of it). With no loss, packets sent minus packets received is
 * constant for a subscription but for those in flight: the least value seen is "none".
 */
class QuietMoments {
  private readonly least = new Map<string, number>();
  samples = 0;

  /** Whether no video packet of any subscription was in flight at `at`, as far as seen so far. */
  quiet(at: Snapshot): boolean {
    this.samples++;
    let quiet = true;
    for (const [key, stream] of at.received) {
      if (stream.kind !== 'video') continue;
      const backlog = at.sent.get(`${stream.from}/video`)!.packets - stream.packets;
      const least = Math.min(backlog, this.least.get(key) ?? Infinity);
      this.least.set(key, least);
      if (backlog !== least) quiet = false;
    }
    return quiet;
  }
}

/** Polls every 5 ms for a quiet snapshot that meets `condition`. */
function quietSnapshot(
  bots: Bot[],
  moments: QuietMoments,
  condition: (at: Snapshot) => boolean,
  message: string,
): Promise<Snapshot> {
  return waitUntil(
    () => {
      const at = snapshot(bots);
      return moments.quiet(at) && condition(at) && at;
    },
    { timeoutMs: 10000, intervalMs: 5, message },
  );
}

/**
 * Three bots join `server`'s room one after another; each receives the other two's audio
 * and video without loss, at the bitrate its publisher sent; after they leave the server
 * holds no endpoint and this process no UDP socket.
 */
async function roomOfThree(t: TestContext, server: ServerProcess): Promise<void> {
  const udpBefore = udpSockets();
  const bots: Bot[] = [];
  t.after(() => Promise.all(bots.map((bot) => bot.leave())));
  for (const name of NAMES) bots.push(await Bot.join({ wsUrl: server.wsUrl, room: 'smoke', name }));
  const others = (bot: Bot) => NAMES.filter((name) => name !== bot.name);
  await Promise.all(bots.map((bot) => bot.waitForMedia(others(bot))));

  const moments = new QuietMoments();
  const streams = 2 * NAMES.length * (NAMES.length - 1);
  const before = await quietSnapshot(
    bots,
    moments,
    (at) => at.received.size === streams && moments.samples > 20,
    'a moment with no video packet in flight',
  );
  // A window of media on every subscription (six streams of each kind), ending quiet too.
  const after = await quietSnapshot(
    bots,
    moments,
    (at) =>
      [...at.received].every(
        ([key, stream]) =>
          stream.kind === 'video' ||
          stream.packets - before.received.get(key)!.packets >= WINDOW_AUDIO_PACKETS,
      ),
    `${WINDOW_AUDIO_PACKETS} more audio packets on every subscription`,
  );

  for (const [key, stream] of after.received) {
    const publisher = `${stream.from}/${stream.kind}`;
    assert.equal(stream.lost, 0, `${key}: no packet lost on loopback`);
    const packets = stream.packets - before.received.get(key)!.packets;
    // 2 s of media: 100 Opus packets, and at least one packet per VP8 frame at 15 fps.
    const least =
      stream.kind === 'audio' ? WINDOW_AUDIO_PACKETS : (WINDOW_AUDIO_PACKETS * 20) / (1000 / 15);
    assert.ok(packets >= least, `${key}: ${packets} packets in the window, at least ${least}`);
    const receivedBytes = stream.bytes - before.received.get(key)!.bytes;
    const sentBytes = after.sent.get(publisher)!.bytes - before.sent.get(publisher)!.bytes;
    const ratio = receivedBytes / sentBytes;
    assert.ok(
      Math.abs(ratio - 1) <= BITRATE_TOLERANCE,
      `${key}: received ${receivedBytes} B while ${publisher} sent ${sentBytes} B in the window (${ratio.toFixed(3)})`,
    );
  }
  for (const bot of bots) {
    // Each subscription's connection made the server ask the publisher for a key frame.
    const delays = bot.keyFrameDelaysMs();
    assert.ok(delays.length > 0, `${bot.name} was asked for a key frame and sent one`);
    t.diagnostic(
      `${bot.name}: PLI -> key frame ${delays.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
  }

  await Promise.all(bots.map((bot) => bot.leave()));
  await waitUntil(
    async () => {
      const stats = await serverStats(server);
      return stats.participants === 0 && stats.endpoints === 0;
    },
    { message: 'the server to hold no participant and no endpoint' },
  );
  assert.equal(udpSockets(), udpBefore, 'every peer connection of the bots is closed');
}

describe('bot media and counting', () => {
  test('the clip is 8 s of VP8 at 15 fps with a key frame every 15 frames, and 20 ms Opus packets of 80 bytes', () => {
    const clip = loadClip();
    assert.equal(clip.video.length, 120);
    assert.deepEqual(clip.keyFrames, [0, 15, 30, 45, 60, 75, 90, 105]);
    assert.ok(clip.audio.length >= 400);
    assert.ok(clip.audio.every((packet) => packet.length === 80));
    // The TOC byte (RFC 6716 section 3.1): a 20 ms configuration, one frame (code 0).
    const twentyMs = [1, 5, 9, 13, 15, 19, 23, 27, 31];
    assert.ok(
      clip.audio.every((packet) => twentyMs.includes(packet[0]! >> 3) && (packet[0]! & 3) === 0),
    );
  });

  test('vp8Payloads splits a frame into RFC 7741 payloads: S on the first, a 15-bit PictureID on each', () => {
    const frame = Buffer.alloc(3000, 7);
    const payloads = vp8Payloads(frame, 0x1234);
    assert.equal(payloads.length, 3);
    assert.ok(payloads.every((payload) => payload.length <= MAX_PAYLOAD_BYTES));
    assert.deepEqual(
      payloads.map((payload) => [...payload.subarray(0, 4)]),
      [
        [0x90, 0x80, 0x92, 0x34],
        [0x80, 0x80, 0x92, 0x34],
        [0x80, 0x80, 0x92, 0x34],
      ],
    );
    assert.deepEqual(Buffer.concat(payloads.map((payload) => payload.subarray(4))), frame);
  });

  test('nearestKeyFrame picks the key frame closest to a position, around the loop', () => {
    const keys = [0, 15, 30];
    assert.equal(nearestKeyFrame(keys, 14, 45), 15);
    assert.equal(nearestKeyFrame(keys, 22, 45), 15);
    assert.equal(nearestKeyFrame(keys, 43, 45), 0);
  });

  test('RtpStreamCounter counts loss across a sequence number wrap (RFC 3550 A.3) and interarrival jitter (A.8)', () => {
    const counter = new RtpStreamCounter('ada', 'audio', 48000);
    // Packets 65534, 65535, (0 lost), 1, 2 sent every 20 ms; packet 1 arrives 2 ms late.
    const arrivals: [number, number][] = [
      [65534, 0],
      [65535, 20],
      [1, 62],
      [2, 80],
    ];
    for (const [seq, at] of arrivals) {
      const packet = Buffer.alloc(20);
      packet[0] = 0x80;
      packet.writeUInt16BE(seq, 2);
      packet.writeUInt32BE(((seq + 2) & 0xffff) * 960, 4); // 960 ticks per 20 ms from 65534
      counter.count(readRtpHeader(packet)!, 8, at);
    }
    const stats = counter.stats();
    assert.equal(stats.packets, 4);
    assert.equal(stats.lost, 1, 'sequence number 0 is missing');
    assert.equal(stats.bytes, 32);
    // Transit differences |D| in 48 kHz ticks: 0, 96, 96 -> J = 96/16 = 6, then 6 + 90/16.
    assert.ok(Math.abs(stats.jitterMs - (6 + 90 / 16) / 48) < 1e-9, `jitter ${stats.jitterMs} ms`);
    assert.equal(stats.firstPacketAt, 0);
  });

  test('after a key frame request the next video frame sent is a key frame', async (t) => {
    const clip = loadClip();
    const frames: { keyFrame: boolean; at: number }[] = [];
    let requestedAt = 0;
    const sender = new ClipSender(clip, {
      video: (packet: OutgoingRtp) => {
        // The first packet of a frame carries S=1; a key frame's VP8 frame tag has bit 0 clear.
        if (packet.payload[0]! & 0x10) {
          frames.push({ keyFrame: (packet.payload[4]! & 0x01) === 0, at: performance.now() });
        }
      },
    });
    try {
      sender.start();
      await waitUntil(() => frames.length >= 3, { intervalMs: 10, message: 'three frames' });
      requestedAt = performance.now();
      const before = frames.length;
      sender.requestKeyFrame();
      await waitUntil(() => frames.length > before, { intervalMs: 5, message: 'the next frame' });
      assert.equal(frames[before]!.keyFrame, true);
      assert.equal(sender.keyFrameDelaysMs().length, 1);
      // The frame after the request: one frame interval at most on an idle machine (not asserted: timers run late under load).
      t.diagnostic(`request -> key frame ${(frames[before]!.at - requestedAt).toFixed(1)} ms`);
    } finally {
      sender.stop();
    }
  });
});

describe('bot participants', () => {
  test('on the werift SFU, three bots each receive audio and video from the other two, none lost, at the bitrate sent', async (t) => {
    const server = await startServerProcess({ EXPOSE_STATS: 'true' });
    t.after(() => server.stop());
    await roomOfThree(t, server);
  });

  test('when the server goes away, a bot closes its peer connections and its socket', async (t) => {
    const server = await startServerProcess({ EXPOSE_STATS: 'true' });
    t.after(() => server.stop());
    const udpBefore = udpSockets();
    const bots = [
      await Bot.join({ wsUrl: server.wsUrl, room: 'gone', name: 'ada' }),
      await Bot.join({ wsUrl: server.wsUrl, room: 'gone', name: 'bob' }),
    ];
    t.after(() => Promise.all(bots.map((bot) => bot.leave())));
    await Promise.all([bots[0]!.waitForMedia(['bob']), bots[1]!.waitForMedia(['ada'])]);
    await server.stop();
    await waitUntil(() => udpSockets() === udpBefore, {
      message: 'the bots to close their peer connections',
    });
    await assert.rejects(bots[0]!.waitForMedia(['cyd']), /ended/);
  });

  test('a bot process runs bots on request, reports their figures and its own CPU and memory, and ends on close()', async (t) => {
    const server = await startServerProcess({ EXPOSE_STATS: 'true' });
    t.after(() => server.stop());
    const fleet = await startFleet();
    t.after(() => fleet.close());
    await fleet.join({ wsUrl: server.wsUrl, room: 'fleet', name: 'ada' });
    await fleet.join({ wsUrl: server.wsUrl, room: 'fleet', name: 'bob' });
    const stats = await waitUntil(
      async () => {
        const now = await fleet.stats();
        const streams = Object.values(now).flatMap((bot) => bot.received);
        return streams.length === 4 && streams.every((stream) => stream.packets > 0) && now;
      },
      { message: 'audio and video at each bot of the process' },
    );
    assert.deepEqual(Object.keys(stats).sort(), ['ada', 'bob']);
    assert.ok(stats.ada!.sent.video.packets > 0 && stats.ada!.sent.audio.packets > 0);
    assert.ok(fleet.cpuSeconds() > 0 && fleet.rssMb() > 0);
    await assert.rejects(
      fleet.join({ wsUrl: server.wsUrl, room: 'fleet', name: 'bob' }),
      /already/,
    );
    await fleet.leave('bob');
    assert.deepEqual(Object.keys(await fleet.stats()), ['ada']);
    await fleet.close();
    assert.throws(
      () => process.kill(fleet.pid, 0),
      { code: 'ESRCH' },
      'the bot process has exited',
    );
    await waitUntil(async () => (await serverStats(server)).participants === 0, {
      message: 'the server to hold no participant',
    });
  });

  test(
    'on Kurento Media Server, three bots each receive audio and video from the other two, none lost, at the bitrate sent',
    { skip: findKms() ? false : NO_KMS },
    async (t) => {
      const kms = await startKms();
      t.after(() => kms.stop());
      const server = await startServerProcess({ EXPOSE_STATS: 'true', KMS_URL: kms.url });
      t.after(() => server.stop());
      await roomOfThree(t, server);
    },
  );
});
