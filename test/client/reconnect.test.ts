// Reconnection: a dropped signaling socket is re-joined on the reconnect policy with the same
// sessionId; peers are rebuilt, the camera and the Participant objects are kept.
import { expect } from '@esm-bundle/chai';
import { SignalingError } from '../../packages/sdk/src/core/errors.js';
import type { JoinRoomMessage } from '../../packages/sdk/src/protocol/index.js';
import type { ReconnectContext, ReconnectPolicy } from '../../packages/sdk/src/core/types.js';
import { firstFrame, until } from './helpers.js';
import { cleanup, joinedWithMedia, start } from './setup.js';

/** A policy that records what it is asked and answers `delay(context)`. */
function recordingPolicy(delay: (context: ReconnectContext) => number | null): {
  policy: ReconnectPolicy;
  asked: ReconnectContext[];
} {
  const asked: ReconnectContext[] = [];
  return {
    asked,
    policy: {
      nextRetryDelayInMs: (context) => {
        asked.push(context);
        return delay(context);
      },
    },
  };
}

const live = (stream: MediaStream) => stream.getTracks().every((t) => t.readyState === 'live');
const ended = (stream: MediaStream) => stream.getTracks().every((t) => t.readyState === 'ended');

describe('RoomClient reconnection', () => {
  afterEach(cleanup);

  it('a dropped socket re-joins with the same sessionId: one reconnecting, one reconnected, the same Participants, every old peer closed, new offers for all', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { server, client, events, peers } = room;
    const camera = await joinedWithMedia(room);
    const bob = client.participants.get('bob')!;
    const carol = client.participants.get('carol')!;
    const oldBobStream = bob.stream!;
    const before = [...peers.created];
    expect(before).to.have.length(3);

    server.closeSocket(1012);
    const [reason] = await events.next('reconnecting');
    expect(reason).to.be.instanceOf(SignalingError);
    expect(reason).to.include({ reason: 'socket' });
    expect((reason.cause as CloseEvent).code).to.equal(1012);
    // At once: every peer closed, the camera and the participants kept.
    expect(client.state).to.equal('reconnecting');
    expect(before.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
    expect(live(camera)).to.equal(true);
    expect(client.participants.get('bob')).to.equal(bob);

    await events.next('reconnected');
    expect(client.state).to.equal('connected');
    const [first, again] = server.all('joinRoom');
    expect(again).to.deep.equal(first);
    expect(first.sessionId).to.have.length.of.at.least(16);

    const [, bobStream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    await events.next('remoteStreamAdded', (p) => p.name === 'carol');
    await events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
    expect(bobStream).to.not.equal(oldBobStream);
    expect(bob.stream).to.equal(bobStream);
    await firstFrame(bobStream, "bob's stream after reconnecting");

    // New offers after the re-join, on three new peer connections; the camera is the same.
    const received = server.received.items;
    const offers = received
      .slice(received.indexOf(again))
      .filter((m) => m.id === 'receiveVideoFrom');
    expect(offers.map((m) => m.sender).sort()).to.deep.equal(['ada', 'bob', 'carol']);
    expect(peers.created.slice(3)).to.have.length(3);
    expect(peers.created.slice(3).every((p) => p.pc.signalingState !== 'closed')).to.equal(true);
    expect(client.localParticipant!.stream).to.equal(camera);
    expect(events.all('localStreamAdded')).to.have.length(1);

    expect(events.all('reconnecting')).to.have.length(1);
    expect(events.all('reconnected')).to.have.length(1);
    expect(events.all('participantLeft')).to.deep.equal([]);
    expect(events.all('participantJoined').map(([p]) => p)).to.deep.equal([bob, carol]);
    expect(events.all('remoteStreamRemoved').find(([p]) => p === bob)![1]).to.equal(oldBobStream);
    expect(events.states().slice(-2)).to.deep.equal(['reconnecting', 'connected']);
  });

  it('the policy is asked with attempt, elapsedMs and reason; a refused socket, a timeout and NAME_TAKEN are each retried', async () => {
    const { asked, policy } = recordingPolicy(() => 10);
    let joins = 0;
    const { server, client, events } = start(
      {
        onJoin: (message: JoinRoomMessage, fake) => {
          joins += 1;
          if (joins === 2) return; // Never answered: the attempt times out.
          if (joins === 3) {
            fake.send({ id: 'error', code: 'NAME_TAKEN', message: 'Taken.', request: 'joinRoom' });
            return;
          }
          fake.admit(message);
        },
      },
      { reconnectPolicy: policy, joinTimeoutMs: 300 },
    );
    await client.join('lobby', 'ada');
    server.refuseNext(1);
    server.closeSocket(1001);
    await events.next('reconnected', undefined, 8000);
    expect(asked.map((c) => c.attempt)).to.deep.equal([0, 1, 2, 3]);
    expect(asked.map((c) => c.reason.reason)).to.deep.equal([
      'socket',
      'socket',
      'timeout',
      'server',
    ]);
    expect((asked[3].reason as SignalingError).code).to.equal('NAME_TAKEN');
    expect((asked[0].reason.cause as CloseEvent).code).to.equal(1001);
    expect(asked[0].elapsedMs).to.be.below(100);
    // The timeout alone took joinTimeoutMs.
    expect(asked[2].elapsedMs - asked[1].elapsedMs).to.be.at.least(290);
    const elapsed = asked.map((c) => c.elapsedMs);
    expect(elapsed).to.deep.equal([...elapsed].sort((a, b) => a - b));
    expect(server.connections).to.equal(5);
    expect(new Set(server.all('joinRoom').map((m) => m.sessionId)).size).to.equal(1);
    expect(events.all('reconnecting')).to.have.length(1);
    expect(client.state).to.equal('connected');
  });

  it('when the policy gives up: disconnected, error SignalingError reconnect-failed, everything cleaned, and join() works again', async () => {
    const { asked, policy } = recordingPolicy(({ attempt }) => (attempt < 2 ? 10 : null));
    const room = start({ existing: ['bob', 'carol'] }, { reconnectPolicy: policy });
    const { server, client, events, peers } = room;
    const camera = await joinedWithMedia(room);
    server.refuseNext(2);
    server.closeSocket(1011);
    const [error] = await events.next('error');
    expect(error).to.be.instanceOf(SignalingError);
    expect(error).to.include({ reason: 'reconnect-failed' });
    expect(error.cause).to.equal(asked[2].reason);
    expect(asked).to.have.length(3);
    expect(client.state).to.equal('disconnected');
    expect(events.states().slice(-2)).to.deep.equal(['reconnecting', 'disconnected']);
    expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
    expect(ended(camera)).to.equal(true);
    expect(events.all('localStreamRemoved')).to.deep.equal([[camera]]);
    expect(client.participants.size).to.equal(0);
    expect(client.localParticipant).to.equal(null);
    expect(events.all('participantLeft')).to.deep.equal([]);

    await client.join('lobby', 'ada');
    await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    const [join1, join2] = server.all('joinRoom');
    expect(join2.sessionId).to.not.equal(join1.sessionId);
  });

  it('a known participant not listed on re-join keeps their object if they come back within rejoinGraceMs; one who does not gets participantLeft; a newcomer gets participantJoined', async () => {
    const room = start({ existing: ['bob', 'carol'] }, { rejoinGraceMs: 400 });
    const { server, client, events } = room;
    await joinedWithMedia(room);
    const bob = client.participants.get('bob')!;
    const carol = client.participants.get('carol')!;
    // The server restarts: it forgot bob and carol; dave is there when we come back.
    server.forget('bob');
    server.forget('carol');
    server.arrive('dave');
    // Before the grace starts (at the re-join's answer): a lower bound that never comes late.
    const closedAt = performance.now();
    server.closeSocket(1012);
    await events.next('reconnected');
    expect(client.participants.get('bob')).to.equal(bob);
    expect(client.participants.get('carol')).to.equal(carol);
    const [dave] = await events.next('participantJoined', (p) => p.name === 'dave');

    server.arrive('bob'); // Back within the grace: a new subscription, no event.
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    expect(bob.stream).to.equal(stream);
    const [left] = await events.next('participantLeft');
    expect(performance.now() - closedAt).to.be.at.least(390);
    expect(left).to.equal(carol);
    expect(events.all('participantLeft')).to.deep.equal([[carol]]);
    expect(events.all('participantJoined').map(([p]) => p)).to.deep.equal([bob, carol, dave]);
    expect([...client.participants.keys()].sort()).to.deep.equal(['bob', 'dave']);
    expect(client.participants.get('bob')).to.equal(bob);
  });

  for (const [what, code, options, reason] of [
    ['a close with 4001 REPLACED', 4001, {}, 'replaced'],
    ['with reconnectPolicy false, any close', 1012, { reconnectPolicy: false }, 'socket'],
  ] as const) {
    it(`${what} does not reconnect: disconnected, error SignalingError ${reason}, every peer closed, the camera stopped`, async () => {
      const room = start({ existing: ['bob', 'carol'] }, options);
      const { server, client, events, peers } = room;
      const camera = await joinedWithMedia(room);
      server.closeSocket(code);
      const [error] = await events.next('error');
      expect(error).to.be.instanceOf(SignalingError);
      expect(error).to.include({ reason });
      expect(client.state).to.equal('disconnected');
      expect(events.states().slice(-2)).to.deep.equal(['connected', 'disconnected']);
      expect(events.all('reconnecting')).to.deep.equal([]);
      expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
      expect(ended(camera)).to.equal(true);
      expect(client.participants.size).to.equal(0);
      expect(server.connections).to.equal(1);
    });
  }

  it('a second connection with the same sessionId takes the name over; the first is closed with REPLACED and does not come back', async () => {
    // The half-open case: the server still holds the old socket when the re-join comes.
    const { server, client, events } = start({ existing: ['bob'] });
    await client.join('lobby', 'ada');
    const { sessionId } = await server.next('joinRoom');
    const intruder = new WebSocket(server.url);
    await new Promise((resolve) => (intruder.onopen = resolve));
    intruder.send(JSON.stringify({ id: 'joinRoom', room: 'lobby', name: 'ada', sessionId }));
    const [error] = await events.next('error');
    expect(error).to.include({ reason: 'replaced' });
    const [code] = server.closes.all().map((c) => c.code);
    expect(code).to.equal(4001);
    expect(client.state).to.equal('disconnected');
    intruder.close();
  });

  for (const how of ['leave', 'close'] as const) {
    it(`${how}() while reconnecting stops retrying at once and cleans up`, async () => {
      const { asked, policy } = recordingPolicy(() => 20);
      const room = start({ existing: ['bob', 'carol'] }, { reconnectPolicy: policy });
      const { server, client, events, peers } = room;
      const camera = await joinedWithMedia(room);
      server.refuseNext(1000);
      server.closeSocket(1011);
      await events.next('reconnecting');
      await until(() => server.connections >= 3, 'two refused attempts');
      await client[how]();
      expect(client.state).to.equal(how === 'leave' ? 'disconnected' : 'closed');
      expect(ended(camera)).to.equal(true);
      expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
      const attempts = server.connections;
      const consulted = asked.length;
      // Nothing to wait on for something that must not happen: ten retry delays.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.connections).to.equal(attempts);
      expect(asked).to.have.length(consulted);
      expect(events.all('reconnected')).to.deep.equal([]);
      expect(events.all('error')).to.deep.equal([]);
    });
  }
});
