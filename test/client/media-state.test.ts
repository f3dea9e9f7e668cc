// The mute state on the wire: RoomClient sends `setMediaState` when its mute state changes
// and after every (re-)join, and applies the room's `participantMediaState` to the remote
// participants. Against the fake server, which keeps and relays the state as the reference
// server does.
import { expect } from '@esm-bundle/chai';
import { SignalingError } from '../../packages/sdk/src/core/errors.js';
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import type { MediaMuteState } from '../../packages/sdk/src/core/types.js';
import { ClientEvents, watchUncaught } from './helpers.js';
import { cleanup, onCleanup, start, type Room } from './setup.js';

const UNMUTED = { audioMuted: false, videoMuted: false };

/** The ids the client sent, in order. */
const sentIds = ({ server }: Room) => server.received.items.map((m) => m.id);

/**
 * Resolves once the client has handled every frame the server sent before: `zed` arrives
 * and leaves, and the client reports both (frames are handled in order).
 */
async function settled({ server, events }: Room): Promise<void> {
  server.arrive('zed');
  await events.next('participantJoined', (p) => p.name === 'zed');
  server.depart('zed');
  await events.next('participantLeft', (p) => p.name === 'zed');
}

/** Ada joins with bob in the room, and bob (no client behind him) sets `state`. */
async function joinedWithBobMuted(state: MediaMuteState) {
  const room = start({ existing: ['bob'] });
  await room.client.join('lobby', 'ada');
  const bob = room.client.participants.get('bob')!;
  room.server.setMediaState('bob', state);
  await room.events.next('remoteMediaStateChanged');
  return { room, bob };
}

describe('RoomClient mute state on the wire', () => {
  afterEach(cleanup);

  describe('sending setMediaState', () => {
    it('each mute change while connected sends the whole state; an unchanged call sends nothing', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server } = room;
      await client.join('lobby', 'ada');
      await client.setMicrophoneEnabled(false);
      expect(await server.next('setMediaState')).to.deep.equal({
        id: 'setMediaState',
        audioMuted: true,
        videoMuted: false,
      });
      await client.setCameraEnabled(false);
      await client.setMicrophoneEnabled(false); // no change
      await client.setMicrophoneEnabled(true);
      await server.next('setMediaState', (m) => !m.audioMuted);
      expect(
        server.all('setMediaState').map(({ audioMuted, videoMuted }) => [audioMuted, videoMuted]),
      ).to.deep.equal([
        [true, false],
        [true, true],
        [false, true],
      ]);
    });

    it('joining unmuted sends no setMediaState', async () => {
      const room = start({ existing: ['bob'] });
      await room.client.join('lobby', 'ada');
      await room.events.next('remoteStreamAdded');
      await settled(room);
      expect(room.server.all('setMediaState')).to.deep.equal([]);
    });

    it('muted before the room answers: sent once, right after existingParticipants, before any offer', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server } = room;
      const joining = client.join('lobby', 'ada');
      await client.setCameraEnabled(false);
      expect(server.all('setMediaState')).to.deep.equal([]); // not connected yet
      await joining;
      expect(await server.next('setMediaState')).to.deep.equal({
        id: 'setMediaState',
        audioMuted: false,
        videoMuted: true,
      });
      await server.next('receiveVideoFrom', (m) => m.sender === 'ada');
      const ids = sentIds(room);
      expect(ids.slice(0, 2)).to.deep.equal(['joinRoom', 'setMediaState']);
      expect(ids.filter((id) => id === 'setMediaState')).to.have.length(1);
    });

    it('a re-join after the socket dropped sends the state again, right after its joinRoom is answered', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      await client.join('lobby', 'ada');
      await client.setMicrophoneEnabled(false);
      await server.next('setMediaState');
      server.closeSocket(1012);
      await events.next('reconnected');
      expect(await server.next('setMediaState')).to.deep.equal({
        id: 'setMediaState',
        audioMuted: true,
        videoMuted: false,
      });
      const ids = sentIds(room);
      const rejoin = ids.lastIndexOf('joinRoom');
      expect(ids[rejoin + 1]).to.equal('setMediaState');
    });

    it('a server that refuses setMediaState: one error event per join(), not one per toggle', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      const refuse = () =>
        server.send({
          id: 'error',
          code: 'UNKNOWN_MESSAGE',
          message: 'unknown message id "setMediaState"',
          request: 'setMediaState',
        });
      await client.join('lobby', 'ada');
      for (const enabled of [false, true, false]) {
        await client.setMicrophoneEnabled(enabled);
        refuse();
      }
      await settled(room);
      const errors = events.all('error').map(([error]) => error);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.be.instanceOf(SignalingError);
      expect(errors[0]).to.include({ reason: 'server', code: 'UNKNOWN_MESSAGE' });
      expect(client.state).to.equal('connected');

      await client.leave();
      await client.join('lobby', 'ada');
      await client.setMicrophoneEnabled(false);
      refuse();
      await events.next('error', (error) => error !== errors[0]);
    });
  });

  describe('applying participantMediaState', () => {
    it('sets the participant view and emits remoteMediaStateChanged once per change', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      await client.join('lobby', 'ada');
      const bob = client.participants.get('bob')!;
      expect(bob).to.include(UNMUTED);
      const state = { audioMuted: true, videoMuted: true };
      server.send({ id: 'participantMediaState', name: 'bob', ...state });
      server.send({ id: 'participantMediaState', name: 'bob', ...state });
      expect(await events.next('remoteMediaStateChanged')).to.deep.equal([bob, state]);
      expect(bob).to.include(state);
      await settled(room);
      expect(events.all('remoteMediaStateChanged')).to.have.length(1);
      server.send({ id: 'participantMediaState', name: 'bob', ...UNMUTED });
      expect(await events.next('remoteMediaStateChanged')).to.deep.equal([bob, UNMUTED]);
      expect(bob).to.include(UNMUTED);
    });

    it('a stranger’s state is ignored: no event, no error', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      await client.join('lobby', 'ada');
      server.send({
        id: 'participantMediaState',
        name: 'nobody',
        audioMuted: true,
        videoMuted: true,
      });
      await settled(room);
      expect(events.all('remoteMediaStateChanged')).to.deep.equal([]);
      expect(events.all('error')).to.deep.equal([]);
      expect(client.participants.has('nobody')).to.equal(false);
    });

    it('our own name is a protocol error, and our state is untouched', async () => {
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      await client.join('lobby', 'ada');
      server.send({ id: 'participantMediaState', name: 'ada', audioMuted: true, videoMuted: true });
      const [error] = await events.next('error');
      expect(error).to.be.instanceOf(SignalingError);
      expect(error).to.include({ reason: 'protocol', code: 'INVALID_MESSAGE' });
      expect(client.localParticipant).to.include(UNMUTED);
      expect(events.all('localMediaStateChanged')).to.deep.equal([]);
    });

    it('a malformed one emits a protocol error, throws nothing, and the client carries on', async () => {
      const uncaught = watchUncaught();
      onCleanup(() => uncaught.stop());
      const room = start({ existing: ['bob'] });
      const { client, server, events } = room;
      await client.join('lobby', 'ada');
      server.sendRaw(
        '{"id":"participantMediaState","name":"bob","audioMuted":"yes","videoMuted":false}',
      );
      const [error] = await events.next('error');
      expect(error).to.include({ reason: 'protocol', code: 'INVALID_MESSAGE' });
      expect(error.message).to.contain('audioMuted');
      await settled(room);
      expect(client.participants.get('bob')).to.include(UNMUTED);
      expect(client.state).to.equal('connected');
      expect(uncaught.errors).to.deep.equal([]);
    });

    it('the state is kept through a reconnection, and goes with the participant when they leave', async () => {
      const { room, bob } = await joinedWithBobMuted({ audioMuted: true, videoMuted: false });
      const { client, server, events } = room;
      server.closeSocket(1012);
      await events.next('reconnected');
      await settled(room);
      expect(client.participants.get('bob')).to.equal(bob);
      expect(bob).to.include({ audioMuted: true, videoMuted: false });
      expect(events.all('remoteMediaStateChanged')).to.have.length(1);

      server.depart('bob');
      await events.next('participantLeft', (p) => p === bob);
      server.arrive('bob');
      const [again] = await events.next('participantJoined', (p) => p.name === 'bob' && p !== bob);
      expect(again).to.include(UNMUTED);
    });

    it('a re-join puts right a state that changed while the socket was down', async () => {
      const { room, bob } = await joinedWithBobMuted({ audioMuted: true, videoMuted: true });
      const { server, events } = room;
      server.refuseNext(1);
      server.closeSocket(1012);
      await events.next('reconnecting');
      server.setMediaState('bob', { audioMuted: false, videoMuted: true }); // reaches no one
      await events.next('reconnected');
      const [view, state] = await events.next('remoteMediaStateChanged');
      expect(view).to.equal(bob);
      expect(state).to.deep.equal({ audioMuted: false, videoMuted: true });
      expect(bob).to.include({ audioMuted: false, videoMuted: true });
    });

    it('someone known who arrives again (the server restarted) starts unmuted, on the same object', async () => {
      const { room, bob } = await joinedWithBobMuted({ audioMuted: true, videoMuted: true });
      const { client, server, events } = room;
      server.forget('bob'); // the restarted server knows no bob
      server.closeSocket(1012);
      await events.next('reconnected');
      expect(bob).to.include({ audioMuted: true, videoMuted: true }, 'within the grace period');
      server.arrive('bob');
      const [view, state] = await events.next('remoteMediaStateChanged');
      expect(view).to.equal(bob);
      expect(state).to.deep.equal(UNMUTED);
      expect(client.participants.get('bob')).to.equal(bob);
      expect(events.all('participantJoined')).to.have.length(1);
    });
  });

  describe('between two clients through the fake server', () => {
    it('ada’s mute reaches bob’s client, and a late joiner sees it at once', async () => {
      const room = start({}, { media: false });
      const { client: ada, server } = room;
      const bobClient = new RoomClient({ url: server.url, media: false });
      onCleanup(() => bobClient.close());
      const bobEvents = new ClientEvents(bobClient);
      await ada.join('lobby', 'ada');
      await bobClient.join('lobby', 'bob');
      await ada.setMicrophoneEnabled(false);
      const [view, state] = await bobEvents.next('remoteMediaStateChanged');
      expect(view).to.equal(bobClient.participants.get('ada'));
      expect(state).to.deep.equal({ audioMuted: true, videoMuted: false });

      const carol = new RoomClient({ url: server.url, media: false });
      onCleanup(() => carol.close());
      const carolEvents = new ClientEvents(carol);
      await carol.join('lobby', 'carol');
      const [seen] = await carolEvents.next('remoteMediaStateChanged');
      expect(seen.name).to.equal('ada');
      expect(carol.participants.get('ada')).to.include({ audioMuted: true, videoMuted: false });
      expect(carol.participants.get('bob')).to.include(UNMUTED);
    });
  });
});
