// RoomClientOptions.peerConnectionFactory: the seam through which every peer connection is
// made (mediasoup-client's handler factory), used here to count and wrap them.
import { expect } from '@esm-bundle/chai';
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import { cleanup, peerFor, start } from './setup.js';

describe('RoomClient peerConnectionFactory', () => {
  afterEach(cleanup);

  it('makes the publisher and every subscription through the factory, with the ICE servers', async () => {
    const made: { config: RTCConfiguration; pc: RTCPeerConnection }[] = [];
    const iceServers = [{ urls: 'stun:127.0.0.1:3478' }];
    const room = start(
      { existing: ['bob', 'carol'] },
      {
        iceServers,
        peerConnectionFactory: (config) => {
          const pc = new RTCPeerConnection(config);
          made.push({ config, pc });
          return pc;
        },
      },
    );
    await room.client.join('lobby', 'ada');
    for (const name of ['bob', 'carol']) {
      await room.events.next('remoteStreamAdded', (p) => p.name === name);
    }
    await room.events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
    expect(made, 'one per peer connection: ada, bob, carol').to.have.length(3);
    for (const { config } of made) expect(config.iceServers).to.deep.equal(iceServers);
    for (const sender of ['ada', 'bob', 'carol']) {
      expect(made.map((m) => m.pc)).to.include(peerFor(room, sender));
    }
  });

  it('a factory that throws emits a NegotiationError and the client stays joined', async () => {
    const room = start(
      { existing: ['bob'] },
      {
        media: false,
        peerConnectionFactory: () => {
          throw new Error('no WebRTC here');
        },
      },
    );
    await room.client.join('lobby', 'ada');
    const [error] = await room.events.next('error');
    expect(error.name).to.equal('NegotiationError');
    expect(error.reason).to.equal('offer');
    expect(room.client.state).to.equal('connected');
  });

  it('new RoomClient() throws a TypeError when peerConnectionFactory is not a function', () => {
    expect(
      () =>
        new RoomClient({ url: 'wss://example.com/groupcall', peerConnectionFactory: 42 as never }),
    ).to.throw(TypeError);
  });
});
