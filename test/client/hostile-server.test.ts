// A hostile or broken server: malformed and out-of-order frames never throw out of the SDK;
// each emits a typed error where it means something, and the client carries on.
import { expect } from '@esm-bundle/chai';
import { NegotiationError, SignalingError } from '../../packages/sdk/src/core/errors.js';
import type { ReceiveVideoAnswerMessage } from '../../packages/sdk/src/protocol/index.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { watchUncaught } from './helpers.js';
import { cleanup, onCleanup, start, type Room } from './setup.js';

interface Case {
  /** What the server does wrong. */
  what: string;
  /** Sends it, once ada is joined with bob (connected) in the room. */
  send(server: FakeKurento, room: Room): void | Promise<void>;
  /** The error it should emit (class and fields), or none. */
  error?: { type: typeof SignalingError | typeof NegotiationError; fields: Record<string, string> };
  /** Anything else to check afterwards. */
  then?(room: Room): void;
}

const protocolError = (code: string) => ({
  type: SignalingError,
  fields: { reason: 'protocol', code },
});

const answerFor = (server: FakeKurento, name: string) =>
  server.sent.find(
    (m): m is ReceiveVideoAnswerMessage => m.id === 'receiveVideoAnswer' && m.name === name,
  )!;

const CASES: Case[] = [
  {
    what: 'a frame that is not JSON',
    send: (server) => server.sendRaw('\u0000\u00ff{{{'),
    error: protocolError('MALFORMED_FRAME'),
  },
  {
    what: 'a frame with an unknown id',
    send: (server) => server.sendRaw('{"id":"startRecording","name":"bob"}'),
    error: protocolError('UNKNOWN_MESSAGE'),
  },
  {
    what: 'receiveVideoAnswer for an unknown participant',
    send: (server) => server.send({ id: 'receiveVideoAnswer', name: 'zoe', sdpAnswer: 'v=0' }),
    error: protocolError('UNKNOWN_PARTICIPANT'),
  },
  {
    what: 'receiveVideoAnswer for a participant with no offer pending (ada, who does not publish)',
    send: (server) => server.send({ ...answerFor(server, 'bob'), name: 'ada' }),
    error: protocolError('UNEXPECTED_ANSWER'),
  },
  {
    what: 'the same answer twice',
    send: (server) => server.send(answerFor(server, 'bob')),
    error: protocolError('UNEXPECTED_ANSWER'),
    then: ({ client }) => expect(client.participants.get('bob')!.peerState).to.equal('connected'),
  },
  {
    what: 'iceCandidate for someone who left',
    send: (server) => {
      server.depart('bob');
      server.send({
        id: 'iceCandidate',
        name: 'bob',
        candidate: {
          candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      });
    },
  },
  {
    what: 'an ICE candidate the peer connection rejects',
    send: (server) =>
      server.send({
        id: 'iceCandidate',
        name: 'bob',
        // No such media section (webrtc-pc, addIceCandidate: OperationError) and no
        // candidate grammar (Chromium's OperationError; Firefox accepts that alone).
        candidate: { candidate: 'candidate:garbage', sdpMid: 'none', sdpMLineIndex: 99 },
      }),
    error: { type: NegotiationError, fields: { reason: 'candidate', participant: 'bob' } },
    then: ({ client }) => expect(client.participants.get('bob')!.peerState).to.equal('connected'),
  },
  {
    what: 'existingParticipants a second time',
    send: (server) => server.send({ id: 'existingParticipants', data: ['mallory'] }),
    error: protocolError('INVALID_MESSAGE'),
    then: ({ client }) => expect(client.participants.has('mallory')).to.equal(false),
  },
  {
    what: 'participantLeft for a stranger',
    send: (server) => server.send({ id: 'participantLeft', name: 'stranger' }),
    then: ({ events }) => expect(events.all('participantLeft')).to.deep.equal([]),
  },
  {
    what: 'newParticipantArrived for ourselves',
    send: (server) => server.send({ id: 'newParticipantArrived', name: 'ada' }),
    error: protocolError('INVALID_MESSAGE'),
    then: ({ client }) => expect(client.participants.has('ada')).to.equal(false),
  },
  {
    what: 'newParticipantArrived twice (re-subscribes, one Participant, one participantJoined)',
    send: (server) => server.send({ id: 'newParticipantArrived', name: 'bob' }),
    then: ({ client, events }) => {
      expect(events.all('participantJoined').filter(([p]) => p.name === 'bob')).to.have.length(1);
      expect(client.participants.get('bob')).to.equal(events.all('participantJoined')[0][0]);
      expect(client.participants.size).to.equal(2); // bob and zed
    },
  },
  {
    what: 'an error reply to nothing in particular',
    send: (server) => server.send({ id: 'error', code: 'INTERNAL_ERROR', message: 'Oops.' }),
    error: { type: SignalingError, fields: { reason: 'server', code: 'INTERNAL_ERROR' } },
  },
];

describe('RoomClient against a hostile server', () => {
  afterEach(cleanup);

  for (const { what, send, error, then } of CASES) {
    it(`${what}: ${error ? `emits ${error.type.name} ${error.fields.code ?? error.fields.reason}` : 'emits nothing'}, throws nothing, carries on`, async () => {
      const uncaught = watchUncaught();
      onCleanup(() => uncaught.stop());
      const room = start({ existing: ['bob'] }, { media: false });
      const { server, client, events } = room;
      await client.join('lobby', 'ada');
      await events.next(
        'peerStateChanged',
        (p, state) => p.name === 'bob' && state === 'connected',
      );
      await send(server, room);
      if (error) {
        const [emitted] = await events.next('error');
        expect(emitted).to.be.instanceOf(error.type);
        expect(emitted).to.include(error.fields);
      }
      // Carries on: a newcomer is still subscribed to and their media arrives.
      server.arrive('zed');
      await events.next('remoteStreamAdded', (p) => p.name === 'zed');
      then?.(room);
      expect(events.all('error')).to.have.length(error ? 1 : 0);
      expect(client.state).to.equal('connected');
      expect(uncaught.errors).to.deep.equal([]);
    });
  }

  it('existingParticipants listing ourselves: a protocol error, and the join still succeeds', async () => {
    const uncaught = watchUncaught();
    onCleanup(() => uncaught.stop());
    const { client, events } = start({
      onJoin: (_message, fake) => fake.send({ id: 'existingParticipants', data: ['ada', 'bob'] }),
    });
    await client.join('lobby', 'ada');
    const [error] = await events.next('error');
    expect(error).to.include({ reason: 'protocol', code: 'INVALID_MESSAGE' });
    await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    expect([...client.participants.keys()]).to.deep.equal(['bob']);
    expect(uncaught.errors).to.deep.equal([]);
  });
});
