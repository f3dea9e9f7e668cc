// Per-test wiring: a fake server at its own URL, a RoomClient pointed at it, an event
// recorder, and a tracker of the client's RTCPeerConnections. `cleanup()` in afterEach.
import { RoomClient } from '../../src/room-client.js';
import type { RoomClientOptions } from '../../src/types.js';
import { FakeKurento, type FakeKurentoOptions } from './fake-kurento.js';
import { ClientEvents, trackPeerConnections, type PeerTracker } from './helpers.js';

export interface Room {
  server: FakeKurento;
  client: RoomClient;
  events: ClientEvents;
  peers: PeerTracker;
}

const cleanups: (() => void | Promise<void>)[] = [];

/** Runs `fn` at the end of the current test (last registered, first run). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

/** Closes every client, server and stub the test made. */
export async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

/** A fake server with `options` and a client for it (not joined yet). */
export function start(
  options: FakeKurentoOptions = {},
  clientOptions: Partial<RoomClientOptions> = {},
): Room {
  const server = new FakeKurento(options);
  onCleanup(() => server.dispose());
  const peers = trackPeerConnections();
  onCleanup(() => peers.restore());
  const client = new RoomClient({ url: server.url, ...clientOptions });
  onCleanup(() => client.close());
  return { server, client, events: new ClientEvents(client), peers };
}
