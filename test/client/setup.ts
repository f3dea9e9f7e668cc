// Per-test wiring: a fake server at its own URL, a RoomClient pointed at it, an event
// recorder, and a tracker of the client's RTCPeerConnections. `cleanup()` in afterEach.
import { RoomClient } from '../../src/room-client.js';
import type { RoomClientOptions } from '../../src/types.js';
import type { FakeKurento, FakeKurentoOptions } from '../helpers-browser/fake-kurento.js';
import { fakeKurento, onCleanup } from '../helpers-browser/fixture.js';
import { ClientEvents, trackPeerConnections, type PeerTracker } from './helpers.js';

export { cleanup, onCleanup } from '../helpers-browser/fixture.js';

export interface Room {
  server: FakeKurento;
  client: RoomClient;
  events: ClientEvents;
  peers: PeerTracker;
}

/** A fake server with `options` and a client for it (not joined yet). */
export function start(
  options: FakeKurentoOptions = {},
  clientOptions: Partial<RoomClientOptions> = {},
): Room {
  const server = fakeKurento(options);
  const peers = trackPeerConnections();
  onCleanup(() => peers.restore());
  const client = new RoomClient({ url: server.url, ...clientOptions });
  onCleanup(() => client.close());
  return { server, client, events: new ClientEvents(client), peers };
}
