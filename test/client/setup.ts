// Per-test wiring: a fake server at its own URL, a RoomClient pointed at it, an event
// recorder, and a tracker of the client's RTCPeerConnections. `cleanup()` in afterEach.
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import type { RoomClientOptions } from '../../packages/sdk/src/core/types.js';
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

/** Joins as ada (with bob and carol in the room) and waits until all media is up; returns the camera stream. */
export async function joinedWithMedia(room: Room): Promise<MediaStream> {
  await room.client.join('lobby', 'ada');
  const [local] = await room.events.next('localStreamAdded');
  for (const name of ['bob', 'carol'])
    await room.events.next('remoteStreamAdded', (p) => p.name === name);
  await room.events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
  return local;
}

/** The client's peer connection that made the latest offer for `sender`'s media. */
export function peerFor(room: Room, sender: string): RTCPeerConnection {
  const offer = room.server
    .all('receiveVideoFrom')
    .filter((m) => m.sender === sender)
    .at(-1);
  const pc = offer && room.peers.bySdp(offer.sdpOffer)?.pc;
  if (!pc) throw new Error(`no peer connection offered for ${sender}`);
  return pc;
}
