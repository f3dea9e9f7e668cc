// Participants coming and going, leave() and close(), bad frames from the
// server, and listeners that throw.
import { expect } from '@esm-bundle/chai';
import { InvalidStateError, SignalingError } from '../../packages/sdk/src/core/errors.js';
import { mediaSections, rejection, watchUncaught } from './helpers.js';
import { cleanup, joinedWithMedia, onCleanup, start } from './setup.js';

describe('RoomClient participants and lifecycle', () => {
  afterEach(cleanup);

  it('newParticipantArrived emits participantJoined and subscribes to the newcomer receive-only', async () => {
    const { server, client, events } = start();
    await client.join('lobby', 'ada');
    server.arrive('dave');
    const [dave] = await events.next('participantJoined');
    expect(dave).to.include({ name: 'dave', isLocal: false });
    expect(client.participants.get('dave')).to.equal(dave);
    const offer = await server.next('receiveVideoFrom', (m) => m.sender === 'dave');
    expect(mediaSections(offer.sdpOffer).map((s) => s.direction)).to.deep.equal([
      'recvonly',
      'recvonly',
    ]);
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'dave');
    expect(dave.stream).to.equal(stream);
  });

  it('participantLeft closes that peer connection, then emits remoteStreamRemoved and participantLeft', async () => {
    const { server, client, events, peers } = start({ existing: ['bob', 'carol'] });
    await client.join('lobby', 'ada');
    const [bob, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    const offer = server.all('receiveVideoFrom').find((m) => m.sender === 'bob')!;
    const bobPeer = peers.bySdp(offer.sdpOffer)!.pc;
    server.depart('bob');
    const [left] = await events.next('participantLeft');
    expect(left).to.equal(bob);
    const [removed, removedStream] = await events.next('remoteStreamRemoved');
    expect(removed).to.equal(bob);
    expect(removedStream).to.equal(stream);
    const order = events.names();
    expect(order.lastIndexOf('remoteStreamRemoved')).to.be.lessThan(
      order.lastIndexOf('participantLeft'),
    );
    expect(bobPeer.signalingState).to.equal('closed');
    expect(bob.stream).to.equal(null);
    expect([...client.participants.keys()]).to.deep.equal(['carol']);
    const others = peers.created.filter((p) => p.pc !== bobPeer);
    expect(others.every((p) => p.pc.signalingState !== 'closed')).to.equal(true);
  });

  it('leave() sends leaveRoom, closes every peer connection, stops every local track and returns to disconnected', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { server, client, events, peers } = room;
    const local = await joinedWithMedia(room);
    expect(peers.created).to.have.length(3);
    await client.leave();
    expect(client.state).to.equal('disconnected');
    expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
    expect(local.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    expect(events.all('localStreamRemoved')).to.deep.equal([[local]]);
    expect(
      events
        .all('remoteStreamRemoved')
        .map(([p]) => p.name)
        .sort(),
    ).to.deep.equal(['bob', 'carol']);
    expect(events.all('participantLeft')).to.deep.equal([]);
    expect(client.participants.size).to.equal(0);
    expect(client.localParticipant).to.equal(null);
    expect(client.room).to.equal(null);
    await server.next('leaveRoom');
    await server.closes.next(() => true, 'the client to close its socket');
  });

  it('leave() twice, or when not joined, resolves and does nothing more', async () => {
    const { client, events } = start();
    await client.leave();
    expect(events.log.items).to.deep.equal([]);
    await client.join('lobby', 'ada');
    await client.leave();
    const count = events.log.items.length;
    await client.leave();
    expect(events.log.items.length).to.equal(count);
    expect(client.state).to.equal('disconnected');
  });

  it('leave() during join() rejects the pending join with InvalidStateError not-joined', async () => {
    const { client, server } = start({ onJoin: () => {} });
    const joining = client.join('lobby', 'ada');
    await server.next('joinRoom');
    await client.leave();
    const error = await rejection(joining);
    expect(error).to.be.instanceOf(InvalidStateError);
    expect(error).to.include({ reason: 'not-joined' });
    expect(client.state).to.equal('disconnected');
  });

  it('the client can join again after leave()', async () => {
    const { server, client, events } = start({ existing: ['bob'] });
    await client.join('lobby', 'ada');
    await client.leave();
    await client.join('lobby', 'ada');
    expect(client.state).to.equal('connected');
    expect(server.connections).to.equal(2);
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    expect(client.participants.get('bob')!.stream).to.equal(stream);
  });

  it('close() is final: leave() and join() then reject with InvalidStateError closed, and close() twice is safe', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { client, events, peers } = room;
    const local = await joinedWithMedia(room);
    await client.close();
    await client.close();
    expect(client.state).to.equal('closed');
    expect(events.all('connectionStateChanged').slice(-1)).to.deep.equal([['closed', 'connected']]);
    expect(events.all('connectionStateChanged').filter(([s]) => s === 'closed')).to.have.length(1);
    expect(peers.created.every((p) => p.pc.signalingState === 'closed')).to.equal(true);
    expect(local.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    for (const call of [client.leave(), client.join('lobby', 'ada')]) {
      const error = await rejection(call);
      expect(error).to.be.instanceOf(InvalidStateError);
      expect(error).to.include({ reason: 'closed' });
    }
  });

  it('malformed frames, unknown ids and answers for unknown participants emit typed protocol errors; the client keeps working', async () => {
    const uncaught = watchUncaught();
    onCleanup(() => uncaught.stop());
    const { server, client, events } = start();
    await client.join('lobby', 'ada');
    server.sendRaw('this is not JSON');
    server.sendRaw('[1,2,3]');
    server.sendRaw('{"id":"startRecording"}');
    server.sendRaw('{"id":"newParticipantArrived"}');
    server.sendRaw('{"id":"receiveVideoAnswer","name":"nobody","sdpAnswer":"v=0"}');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const [error] = await events.next('error');
      expect(error).to.be.instanceOf(SignalingError);
      expect(error.reason).to.equal('protocol');
      codes.push((error as SignalingError).code);
    }
    expect(codes).to.deep.equal([
      'MALFORMED_FRAME',
      'MALFORMED_FRAME',
      'UNKNOWN_MESSAGE',
      'INVALID_MESSAGE',
      'UNKNOWN_PARTICIPANT',
    ]);
    server.arrive('dave');
    await events.next('remoteStreamAdded', (p) => p.name === 'dave');
    expect(client.state).to.equal('connected');
    expect(uncaught.errors).to.deep.equal([]);
  });

  it('a server error frame outside join emits SignalingError server with its code', async () => {
    const { server, client, events } = start();
    await client.join('lobby', 'ada');
    server.send({
      id: 'error',
      code: 'MEDIA_ERROR',
      message: 'The endpoint failed.',
      request: 'receiveVideoFrom',
    });
    const [error] = await events.next('error');
    expect(error).to.be.instanceOf(SignalingError);
    expect(error).to.include({
      reason: 'server',
      code: 'MEDIA_ERROR',
      message: 'The endpoint failed.',
    });
    expect(client.state).to.equal('connected');
  });

  it('a listener that throws is reported with console.error and breaks neither other listeners nor the client', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    onCleanup(() => {
      console.error = original;
    });
    const { server, client, events } = start({ existing: ['bob'] });
    const boom = new Error('app bug');
    client.on('connectionStateChanged', () => {
      throw boom;
    });
    client.on('participantJoined', () => {
      throw boom;
    });
    let after = 0;
    client.on('participantJoined', () => (after += 1));
    await client.join('lobby', 'ada');
    expect(client.state).to.equal('connected');
    expect(after).to.equal(1);
    await server.next('receiveVideoFrom', (m) => m.sender === 'bob');
    await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    expect(logged.some((args) => args.includes(boom))).to.equal(true);
  });

  it('on() returns a function that unsubscribes the listener', async () => {
    const { client } = start();
    const states: string[] = [];
    const off = client.on('connectionStateChanged', (state) => states.push(state));
    await client.join('lobby', 'ada');
    off();
    await client.leave();
    expect(states).to.deep.equal(['connecting', 'connected']);
  });
});
