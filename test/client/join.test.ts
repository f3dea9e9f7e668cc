// RoomClient.join(): the guard chain, the joinRoom exchange, publishing and subscribing,
// and every way a join can fail (Kurento group-call contract, FIELD-NOTES section 1).
import { expect } from '@esm-bundle/chai';
import { InvalidStateError, SignalingError } from '../../packages/sdk/src/core/errors.js';
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import { deferred } from '../helpers-browser/wait.js';
import { mediaSections, openRealCamera, rejection, stubGetUserMedia, until } from './helpers.js';
import { cleanup, onCleanup, start } from './setup.js';

/** Records every stream getUserMedia hands out, delegating to the real one. */
function spyGetUserMedia(): MediaStream[] {
  const streams: MediaStream[] = [];
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  onCleanup(
    stubGetUserMedia(async (constraints) => {
      const stream = await real(constraints);
      streams.push(stream);
      return stream;
    }),
  );
  return streams;
}

const allEnded = (streams: MediaStream[]) =>
  streams.length > 0 && streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'));

describe('RoomClient join()', () => {
  afterEach(cleanup);

  it('new RoomClient() throws a TypeError on a missing or non-WebSocket url', () => {
    expect(() => new RoomClient({} as never)).to.throw(TypeError);
    expect(() => new RoomClient({ url: '' })).to.throw(TypeError);
    expect(() => new RoomClient({ url: 'ftp://example.com/groupcall' })).to.throw(TypeError);
    expect(() => new RoomClient({ url: 'ws://127.0.0.1:9/groupcall', joinTimeoutMs: 0 })).to.throw(
      TypeError,
    );
    expect(new RoomClient({ url: 'wss://example.com/groupcall' }).state).to.equal('disconnected');
  });

  it('join() sends joinRoom with the name and room, and resolves on existingParticipants', async () => {
    const { server, client, events } = start({ existing: ['bob'] });
    const joined = client.join('lobby', 'ada');
    expect(client.state).to.equal('connecting');
    const joinRoom = await server.next('joinRoom');
    expect(joinRoom).to.deep.equal({
      id: 'joinRoom',
      name: 'ada',
      room: 'lobby',
      sessionId: joinRoom.sessionId,
    });
    // A secret per join: at least 16 characters, new for every join().
    expect(joinRoom.sessionId).to.match(/^[0-9a-f]{32}$/);
    await joined;
    expect(client.state).to.equal('connected');
    expect(client.room).to.equal('lobby');
    expect(client.localParticipant).to.include({ name: 'ada', isLocal: true });
    expect([...client.participants.keys()]).to.deep.equal(['bob']);
    expect(events.all('connectionStateChanged')).to.deep.equal([
      ['connecting', 'disconnected'],
      ['connected', 'connecting'],
    ]);
    const [joinedParticipant] = await events.next('participantJoined');
    expect(joinedParticipant).to.include({ name: 'bob', isLocal: false });
  });

  it('join() publishes with its own name and subscribes to every existing participant, all offers before any answer', async () => {
    const { server, client } = start({ existing: ['bob', 'carol'], autoAnswer: false });
    await client.join('lobby', 'ada');
    // No answer is ever sent, so three offers can only arrive if none waits on another.
    const offers = await Promise.all([
      server.next('receiveVideoFrom', (m) => m.sender === 'ada'),
      server.next('receiveVideoFrom', (m) => m.sender === 'bob'),
      server.next('receiveVideoFrom', (m) => m.sender === 'carol'),
    ]);
    expect(offers.every((m) => m.sdpOffer.startsWith('v=0'))).to.equal(true);
    expect(server.sent.filter((m) => m.id === 'receiveVideoAnswer')).to.have.length(0);
    expect(server.all('receiveVideoFrom')).to.have.length(3);
  });

  it('the publish offer is send-only and every subscription offer receive-only, for audio and video', async () => {
    const { server, client } = start({ existing: ['bob'], autoAnswer: false });
    await client.join('lobby', 'ada');
    const publish = await server.next('receiveVideoFrom', (m) => m.sender === 'ada');
    const subscribe = await server.next('receiveVideoFrom', (m) => m.sender === 'bob');
    expect(mediaSections(publish.sdpOffer)).to.deep.equal([
      { kind: 'audio', direction: 'sendonly' },
      { kind: 'video', direction: 'sendonly' },
    ]);
    expect(mediaSections(subscribe.sdpOffer)).to.deep.equal([
      { kind: 'audio', direction: 'recvonly' },
      { kind: 'video', direction: 'recvonly' },
    ]);
  });

  it('subscriptions do not wait for the camera; the publish offer follows once it opens', async () => {
    const camera = deferred<MediaStream>();
    onCleanup(stubGetUserMedia(() => camera.promise));
    const { server, client, events } = start({ existing: ['bob', 'carol'], autoAnswer: false });
    await client.join('lobby', 'ada');
    await server.next('receiveVideoFrom', (m) => m.sender === 'bob');
    await server.next('receiveVideoFrom', (m) => m.sender === 'carol');
    expect(server.all('receiveVideoFrom').map((m) => m.sender)).to.not.include('ada');
    expect(client.localParticipant!.stream).to.equal(null);

    camera.resolve(await openRealCamera());
    const [stream] = await events.next('localStreamAdded');
    expect(client.localParticipant!.stream).to.equal(stream);
    const publish = await server.next('receiveVideoFrom', (m) => m.sender === 'ada');
    expect(mediaSections(publish.sdpOffer).map((s) => s.direction)).to.deep.equal([
      'sendonly',
      'sendonly',
    ]);
  });

  it('join() with media: false joins receive-only and never opens the camera or publishes', async () => {
    let opened = 0;
    onCleanup(
      stubGetUserMedia(() => {
        opened += 1;
        return Promise.reject(new Error('must not be called'));
      }),
    );
    const { server, client, events } = start({ existing: ['bob'] }, { media: false });
    await client.join('lobby', 'ada');
    await events.next('remoteStreamAdded');
    expect(opened).to.equal(0);
    expect(client.localParticipant!.stream).to.equal(null);
    expect(server.all('receiveVideoFrom').map((m) => m.sender)).to.deep.equal(['bob']);
    expect(events.all('error')).to.deep.equal([]);
  });

  it('an error reply NAME_TAKEN rejects join() with SignalingError server, back to disconnected, and a retry works', async () => {
    const streams = spyGetUserMedia();
    let attempts = 0;
    const { server, client } = start({
      onJoin: (_message, fake) => {
        attempts += 1;
        if (attempts === 1) {
          fake.send({
            id: 'error',
            code: 'NAME_TAKEN',
            message: 'The name is taken.',
            request: 'joinRoom',
          });
        } else {
          fake.send({ id: 'existingParticipants', data: [] });
        }
      },
    });
    const error = await rejection(client.join('lobby', 'ada'));
    expect(error).to.be.instanceOf(SignalingError);
    expect(error).to.include({ reason: 'server', code: 'NAME_TAKEN' });
    expect(client.state).to.equal('disconnected');
    expect(client.localParticipant).to.equal(null);
    expect(client.room).to.equal(null);
    await server.closes.next(() => true, 'the client to close the refused socket');
    await until(() => allEnded(streams), 'the first camera stream to be stopped');

    await client.join('lobby', 'ada-2');
    expect(client.state).to.equal('connected');
    expect(server.connections).to.equal(2);
  });

  it('join() rejects with SignalingError socket when the socket cannot open', async () => {
    const streams = spyGetUserMedia();
    const { client, server } = start({ refuse: true });
    const error = await rejection(client.join('lobby', 'ada'));
    expect(error).to.be.instanceOf(SignalingError);
    expect(error).to.include({ reason: 'socket' });
    expect(server.connections).to.equal(1);
    expect(client.state).to.equal('disconnected');
    await until(() => allEnded(streams), 'the camera stream to be stopped');
  });

  it('join() rejects with SignalingError timeout after joinTimeoutMs and closes the socket', async () => {
    const { server, client } = start({ onJoin: () => {} }, { joinTimeoutMs: 200 });
    const started = performance.now();
    const error = await rejection(client.join('lobby', 'ada'));
    expect(performance.now() - started).to.be.within(190, 2000);
    expect(error).to.be.instanceOf(SignalingError);
    expect(error).to.include({ reason: 'timeout' });
    expect(client.state).to.equal('disconnected');
    await server.closes.next(() => true, 'the client to close the socket');
  });

  it('join() while joining or joined rejects with InvalidStateError joined', async () => {
    const { client } = start();
    const first = client.join('lobby', 'ada');
    const whileJoining = await rejection(client.join('lobby', 'ada'));
    expect(whileJoining).to.be.instanceOf(InvalidStateError);
    expect(whileJoining).to.include({ reason: 'joined' });
    await first;
    const whileJoined = await rejection(client.join('other', 'ada'));
    expect(whileJoined).to.include({ reason: 'joined' });
    expect(client.state).to.equal('connected');
  });

  it('join() with an empty or non-string room or name rejects with InvalidStateError arguments', async () => {
    const { client, server } = start();
    for (const [room, name] of [
      ['', 'ada'],
      ['lobby', ''],
      ['lobby', 42],
      [null, 'ada'],
    ] as [string, string][]) {
      const error = await rejection(client.join(room, name));
      expect(error).to.be.instanceOf(InvalidStateError);
      expect(error).to.include({ reason: 'arguments' });
    }
    expect(client.state).to.equal('disconnected');
    expect(server.connections).to.equal(0);
  });

  it('join() after close() rejects with InvalidStateError closed', async () => {
    const { client } = start();
    await client.close();
    const error = await rejection(client.join('lobby', 'ada'));
    expect(error).to.be.instanceOf(InvalidStateError);
    expect(error).to.include({ reason: 'closed' });
  });
});
