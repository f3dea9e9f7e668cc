/**
 * Bench: `npx tsx bench/server-load.ts [clients] [seconds]` (defaults 200 and 10).
 *
 * Signaling load on the reference server, no media: `clients` WebSocket clients in
 * rooms of ten, each cycling joinRoom → existingParticipants → leaveRoom as fast as
 * the server answers, for `seconds`. Prints the joins per second held (completed
 * join round trips over the run), the join round trip's p50 and p99, and the server
 * process's RSS before, at the end of the load and after the clients left, and its
 * CPU (% of one core).
 *
 * Baseline, measured in the same run with the same clients and harness: a minimal room
 * server in its own process, on the same `ws` library, that does what the Kurento
 * tutorial's CallHandler does for joins and leaves and nothing else (rooms of names,
 * `existingParticipants`, `newParticipantArrived`/`participantLeft` to the others).
 * Both send the same messages, so the ratio is what the reference server's own
 * engineering costs per join: frame validation, name rules, the per-connection and
 * per-room queues, limits and rate limiting, pipelines opened and closed, logging calls.
 * A single client on the reference server gives the unloaded join latency.
 *
 * The server runs as `npm start` does (`packages/server/src/main.ts`, LOG_LEVEL=warn, its own
 * process group), with the rate limit raised out of the way: one client cycling alone
 * sends far more than 50 messages a second. Run on demand, not in `npm test`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { startServerProcess } from '../test/helpers/server-process.js';
import { LoadClient } from '../test/server/helpers/load-client.js';

const ROOM_SIZE = 10;
const CLOCK_TICKS = 100;

/** RSS in MB and CPU seconds used so far by a process, from /proc. */
function usage(pid: number): { rssMb: number; cpuSeconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { rssMb: rss / 1024, cpuSeconds };
}

/**
 * The baseline server: the Kurento group-call contract's room logic and nothing else
 * (the tutorial's CallHandler without media): rooms of names, `existingParticipants` to
 * the joiner, `newParticipantArrived`/`participantLeft` to the others. No validation,
 * no queues, no limits, no pipelines, no logging.
 */
async function minimalRoomServer(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/groupcall' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const rooms = new Map<string, Map<string, WebSocket>>();
  const send = (ws: WebSocket, message: object) => ws.send(JSON.stringify(message));
  wss.on('connection', (ws) => {
    let joined: { room: Map<string, WebSocket>; name: string } | undefined;
    const leave = () => {
      if (!joined) return;
      joined.room.delete(joined.name);
      for (const other of joined.room.values())
        send(other, { id: 'participantLeft', name: joined.name });
      joined = undefined;
    };
    ws.on('error', () => undefined);
    ws.on('close', leave);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id: string; room: string; name: string };
      if (message.id === 'leaveRoom') leave();
      if (message.id !== 'joinRoom') return;
      let room = rooms.get(message.room);
      if (!room) rooms.set(message.room, (room = new Map()));
      send(ws, { id: 'existingParticipants', data: [...room.keys()] });
      for (const other of room.values())
        send(other, { id: 'newParticipantArrived', name: message.name });
      room.set(message.name, ws);
      joined = { room, name: message.name };
    });
  });
  const { port } = wss.address() as { port: number };
  process.stdout.write(`listening on ws://127.0.0.1:${port}/groupcall\n`);
}

/** Spawns this file as the baseline server, in its own process group. */
async function startBaselineServer(): Promise<{ pid: number; wsUrl: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--baseline-server'],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}`)));
  });
  return { pid: child.pid!, wsUrl, stop: () => child.kill() };
}

interface Run {
  joins: number;
  joinsPerSecond: number;
  p50: number;
  p99: number;
}

/** `clients` clients cycle join/leave against `wsUrl` for `seconds`; the first second is warm-up. */
async function drive(wsUrl: string, clients: number, seconds: number): Promise<Run> {
  const sockets = await Promise.all(
    Array.from({ length: clients }, () => LoadClient.connect(wsUrl)),
  );
  const rooms = Math.max(1, Math.ceil(clients / ROOM_SIZE));
  const started = performance.now();
  const warm = started + 1000;
  const end = warm + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    sockets.map(async (client, i) => {
      while (performance.now() < end) {
        const ms = await client.join(`room${i % rooms}`, `p${i}`);
        if (performance.now() > warm) latencies.push(ms);
        client.send({ id: 'leaveRoom' });
      }
    }),
  );
  const measured = (performance.now() - warm) / 1000;
  await Promise.all(sockets.map((client) => client.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
  return {
    joins: latencies.length,
    joinsPerSecond: latencies.length / measured,
    p50: at(0.5),
    p99: at(0.99),
  };
}

const describe = (run: Run) =>
  `${Math.round(run.joinsPerSecond)} joins/s (${run.joins} joins), p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms`;

async function bench(clients: number, seconds: number): Promise<void> {
  console.log(
    `signaling load: ${clients} clients in rooms of ${ROOM_SIZE}, ${seconds} s per run\n`,
  );

  const minimal = await startBaselineServer();
  let baseline: Run;
  try {
    baseline = await drive(minimal.wsUrl, clients, seconds);
  } finally {
    minimal.stop();
  }
  console.log(`baseline (minimal room server): ${describe(baseline)}`);

  const server = await startServerProcess({
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    MAX_ROOMS: String(Math.ceil(clients / ROOM_SIZE) + 10),
  });
  try {
    const single = await drive(server.wsUrl, 1, Math.min(seconds, 3));
    console.log(`reference server, 1 client:    ${describe(single)}`);
    const before = usage(server.pid);
    const run = await drive(server.wsUrl, clients, seconds);
    const loaded = usage(server.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let it release and settle
    const after = usage(server.pid);
    const cpu = ((loaded.cpuSeconds - before.cpuSeconds) / (seconds + 1)) * 100;
    console.log(`reference server, ${clients} clients: ${describe(run)}`);
    console.log(
      `  server RSS ${before.rssMb.toFixed(0)} MB before, ${loaded.rssMb.toFixed(0)} MB at the end of the load, ` +
        `${after.rssMb.toFixed(0)} MB after the clients left; CPU ${cpu.toFixed(0)}% of a core`,
    );
    console.log(
      `  vs the baseline: ${(run.joinsPerSecond / baseline.joinsPerSecond).toFixed(2)}× the joins/s, ` +
        `p50 ${(run.p50 / baseline.p50).toFixed(2)}×, p99 ${(run.p99 / baseline.p99).toFixed(2)}×`,
    );
  } finally {
    await server.stop();
  }
}

if (process.argv.includes('--baseline-server')) {
  await minimalRoomServer();
} else {
  const [clients = 200, seconds = 10] = process.argv.slice(2).map(Number);
  if (!(clients >= 1 && seconds >= 1)) {
    console.error('usage: npx tsx bench/server-load.ts [clients >= 1] [seconds >= 1]');
    process.exit(2);
  }
  await bench(clients, seconds);
}
