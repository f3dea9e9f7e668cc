// After every way a join can fail, the client is clean to retry from: `disconnected`, no
// peer connection open, no camera track live, and a second join() works.
import { expect } from '@esm-bundle/chai';
import { MediaAccessError, SignalingError } from '../../packages/sdk/src/core/errors.js';
import type { FakeKurentoOptions } from '../helpers-browser/fake-kurento.js';
import { rejection, stubGetUserMedia, until } from './helpers.js';
import { cleanup, onCleanup, start } from './setup.js';

/** Hands out real camera streams (recorded), or refuses while `deny` is true. */
function camera(): { streams: MediaStream[]; deny: boolean } {
  const state = { streams: [] as MediaStream[], deny: false };
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  onCleanup(
    stubGetUserMedia(async (constraints) => {
      if (state.deny) throw new DOMException('Permission denied', 'NotAllowedError');
      const stream = await real(constraints);
      state.streams.push(stream);
      return stream;
    }),
  );
  return state;
}

/** The first joinRoom on each server fails as `fail` says; later ones are answered normally. */
function failFirstJoin(fail: 'taken' | 'silent'): FakeKurentoOptions['onJoin'] {
  const failed = new WeakSet<object>();
  return (message, fake) => {
    if (failed.has(fake)) return fake.admit(message);
    failed.add(fake);
    // A subscription made before the answer (a server that announces first) must be closed too.
    fake.send({ id: 'newParticipantArrived', name: 'early' });
    if (fail === 'taken') {
      fake.send({ id: 'error', code: 'NAME_TAKEN', message: 'Taken.', request: 'joinRoom' });
    }
  };
}

const CASES: {
  what: string;
  options: FakeKurentoOptions;
  denyCamera?: boolean;
  reason: string;
}[] = [
  { what: 'a NAME_TAKEN reply', options: { onJoin: failFirstJoin('taken') }, reason: 'server' },
  { what: 'a socket that cannot open', options: {}, reason: 'socket' },
  {
    what: 'a server that never answers',
    options: { onJoin: failFirstJoin('silent') },
    reason: 'timeout',
  },
  {
    what: 'a denied camera and a NAME_TAKEN reply',
    options: { onJoin: failFirstJoin('taken') },
    denyCamera: true,
    reason: 'server',
  },
];

describe('RoomClient clean state to retry from', () => {
  afterEach(cleanup);

  for (const { what, options, denyCamera, reason } of CASES) {
    it(`after ${what}: disconnected, no peer connection open, no track live, and join() works again`, async () => {
      const media = camera();
      media.deny = !!denyCamera;
      const { server, client, events, peers } = start(
        { existing: ['bob'], ...options },
        { joinTimeoutMs: 300 },
      );
      if (reason === 'socket') server.refuseNext(1);
      const error = await rejection(client.join('lobby', 'ada'));
      expect(error).to.be.instanceOf(SignalingError);
      expect(error).to.include({ reason });
      expect(client.state).to.equal('disconnected');
      expect(client.localParticipant).to.equal(null);
      expect(client.participants.size).to.equal(0);
      expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
      if (options.onJoin) expect(peers.created).to.have.length(1); // The early subscription.
      // The camera may still be opening: it is stopped as soon as it opens.
      await until(
        () => media.streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')),
        'every camera track to end',
      );
      if (denyCamera) {
        expect(events.all('error').map(([e]) => e)[0]).to.be.instanceOf(MediaAccessError);
      }

      media.deny = false;
      await client.join('lobby', 'ada');
      expect(client.state).to.equal('connected');
      await events.next('remoteStreamAdded', (p) => p.name === 'bob');
      await events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
      expect(
        media.streams
          .at(-1)!
          .getTracks()
          .every((t) => t.readyState === 'live'),
      ).to.equal(true);
    });
  }

  it('after a denied camera and leave(): disconnected, nothing open, and join() with the camera allowed publishes', async () => {
    const media = camera();
    media.deny = true;
    const { server, client, events, peers } = start({ existing: ['bob'] });
    await client.join('lobby', 'ada');
    const [error] = await events.next('error');
    expect(error).to.be.instanceOf(MediaAccessError);
    await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    await client.leave();
    expect(client.state).to.equal('disconnected');
    expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
    expect(media.streams).to.deep.equal([]);

    media.deny = false;
    await client.join('lobby', 'ada');
    await events.next('localStreamAdded');
    await server.next('receiveVideoFrom', (m) => m.sender === 'ada');
    await events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
  });
});
