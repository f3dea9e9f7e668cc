// Negotiation deadlines and the ICE transport policy: a peer connection not connected within
// `negotiationTimeoutMs` of its offer is rebuilt with `NegotiationError('timeout')`;
// `iceTransportPolicy` reaches every peer connection; a late candidate of a replaced ICE
// session is dropped, not applied.
import { expect } from '@esm-bundle/chai';
import { NegotiationError } from '../../packages/sdk/src/core/errors.js';
import { cleanup, joinedWithMedia, start } from './setup.js';

describe('RoomClient negotiation deadlines', function () {
  this.timeout(15_000);
  afterEach(cleanup);

  it('a subscription with no answer is rebuilt after negotiationTimeoutMs, with a typed error', async () => {
    const { server, client, events } = start(
      { existing: ['bob'], autoAnswer: false },
      { media: false, negotiationTimeoutMs: 1000 },
    );
    const joined = performance.now();
    await client.join('lobby', 'ada');
    const [error] = await events.next('error', (e) => e instanceof NegotiationError, 4000);
    expect(error).to.be.instanceOf(NegotiationError);
    expect(error.reason).to.equal('timeout');
    expect((error as NegotiationError).participant).to.equal('bob');
    expect(error.message).to.match(/TURN server may be needed/);
    const [bob, reason] = await events.next('peerRestarted', undefined, 4000);
    expect(bob.name).to.equal('bob');
    expect(reason).to.equal('timeout');
    expect(performance.now() - joined).to.be.within(1000, 3000);
    for (const which of ['first', 'second']) {
      const offer = (m: { id: string; sender?: string }) =>
        m.id === 'receiveVideoFrom' && m.sender === 'bob';
      await server.received.next(offer, `the ${which} offer for bob`, 2000);
    }
  });

  it('relay-only with no TURN server never connects: an error says so instead of a silent wait', async () => {
    const configs: RTCConfiguration[] = [];
    const { client, events } = start(
      { existing: ['bob'] },
      {
        media: false,
        iceTransportPolicy: 'relay',
        negotiationTimeoutMs: 1500,
        peerConnectionFactory: (config) => {
          configs.push(config);
          return new RTCPeerConnection(config);
        },
      },
    );
    await client.join('lobby', 'ada');
    // Chromium waits with no candidate pair (the deadline's `timeout`); Firefox, with no
    // candidate to gather, fails ICE at once (`ice`). Either way the app hears of it.
    const [error] = await events.next('error', (e) => e instanceof NegotiationError, 5000);
    expect(error.reason).to.be.oneOf(['timeout', 'ice']);
    expect(configs[0]!.iceTransportPolicy).to.equal('relay');
    expect(events.all('peerStateChanged').some(([, state]) => state === 'connected')).to.equal(
      false,
    );
  });

  it('a connected peer is never timed out', async () => {
    const room = start({ existing: ['bob', 'carol'] }, { negotiationTimeoutMs: 1500 });
    await joinedWithMedia(room);
    // Two pings later (4 s) every peer is past its 1.5 s deadline, looked at 16 times since.
    for (let i = 0; i < 2; i++) {
      await room.server.received.next((m) => m.id === 'ping', `ping ${i + 1}`, 4000);
    }
    expect(room.events.all('peerRestarted')).to.deep.equal([]);
    expect(room.events.all('error')).to.deep.equal([]);
  });

  it("drops a server candidate of a replaced endpoint (another ICE session's ufrag)", async () => {
    const added: string[] = [];
    const room = start(
      { existing: ['bob', 'carol'] },
      {
        peerConnectionFactory: (config) => {
          const pc = new RTCPeerConnection(config);
          const add = pc.addIceCandidate.bind(pc);
          pc.addIceCandidate = (candidate?: RTCIceCandidateInit | null) => {
            added.push(candidate?.candidate ?? '');
            return add(candidate);
          };
          return pc;
        },
      },
    );
    await joinedWithMedia(room);
    const stale = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0 ufrag Zz9Q';
    room.server.send({
      id: 'iceCandidate',
      name: 'bob',
      candidate: { candidate: stale, sdpMid: '0', sdpMLineIndex: 0 },
    });
    room.server.send({
      id: 'participantMediaState',
      name: 'bob',
      audioMuted: true,
      videoMuted: false,
    });
    await room.events.next('remoteMediaStateChanged');
    expect(added).to.not.include(stale);
    expect(added.length).to.be.greaterThan(0); // The live session's candidates were applied.
    expect(room.events.all('error')).to.deep.equal([]);
  });
});
