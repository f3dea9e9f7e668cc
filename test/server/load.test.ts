/**
 * Load: many signaling-only clients joining, publishing (to the scripted backend) and
 * leaving rooms concurrently, cycle after cycle. Afterwards the server must hold
 * nothing: no room, participant or endpoint, and a heap back near its baseline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startServer } from '../../packages/server/src/server.js';
import { FakeBackend } from './helpers/fake-backend.js';
import { until } from './helpers/fixture.js';
import { LoadClient } from './helpers/load-client.js';

const CLIENTS = 200;
const ROOMS = 20;
const CYCLES = 20;
/**
 * What the heap may keep after the load, in bytes. Measured: about 0.2 MB after a
 * warm-up; a leak of 100 bytes per message (12,000 messages) would be 1.2 MB.
 */
const HEAP_TOLERANCE = 1024 * 1024;

/** `global.gc`, exposed at run time when node was started without `--expose-gc`. */
function garbageCollector(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use after full collections, in bytes. */
async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Every client, concurrently: `cycles` times join, publish, leave. Resolves with the join latencies, in ms. */
async function cycle(url: string, cycles: number): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => LoadClient.connect(url)));
  const latencies: number[] = [];
  await Promise.all(
    clients.map(async (client, i) => {
      const name = `p${i}`;
      for (let n = 0; n < cycles; n++) {
        latencies.push(await client.join(`room${i % ROOMS}`, name));
        await client.request(
          { id: 'receiveVideoFrom', sender: name, sdpOffer: 'offer' },
          'receiveVideoAnswer',
        );
        client.send({ id: 'leaveRoom' });
      }
    }),
  );
  await Promise.all(clients.map((client) => client.close()));
  return latencies;
}

test(`${CLIENTS} clients in ${ROOMS} rooms, ${CYCLES} cycles of join, publish and leave: everything is released and the heap returns to its baseline`, async (t) => {
  const gc = garbageCollector();
  const server = await startServer({
    port: 0,
    logLevel: 'silent',
    staticDir: '/nonexistent',
    backend: new FakeBackend(false),
    rateLimit: { messagesPerSecond: 1e6, burst: 1e6 },
  });
  t.after(() => server.close());
  const empty = () => Object.values(server.stats()).every((n) => n === 0);

  // Warm-up: code compiled, buffers pooled, lazy structures (pino, ws, V8's) grown once.
  await cycle(server.wsUrl, 5);
  await until(empty, 'the warm-up is released');
  const baseline = await settledHeap(gc);

  const started = performance.now();
  const latencies = await cycle(server.wsUrl, CYCLES);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(latencies.length, CLIENTS * CYCLES);
  await until(empty, `everything is released (${JSON.stringify(server.stats())})`, 10_000);
  const after = await settledHeap(gc);

  latencies.sort((a, b) => a - b);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  t.diagnostic(
    `${latencies.length} joins in ${seconds.toFixed(1)} s (${Math.round(latencies.length / seconds)}/s), ` +
      `join p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)} ms; ` +
      `heap ${mb(baseline)} MB before, ${mb(after)} MB after`,
  );
  assert.ok(
    after - baseline < HEAP_TOLERANCE,
    `heap grew by ${mb(after - baseline)} MB (baseline ${mb(baseline)} MB)`,
  );
});
