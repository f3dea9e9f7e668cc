// Liveness: the client pings an open signaling socket every 2 s; against a server that
// answers (`pong`, as the reference server does) a socket that goes silent is dead within
// 4-6 s and the client re-joins; a server that ignores pings (Kurento's) is never timed.
import { expect } from '@esm-bundle/chai';
import { PING_INTERVAL_MS } from '../../packages/sdk/src/core/signaling-session.js';
import { cleanup, start } from './setup.js';

describe('RoomClient liveness', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  it('finds a silent socket dead within 6 s of the last frame and re-joins on a new one', async () => {
    const { server, client, events } = start({ existing: ['bob'], pong: true }, { media: false });
    await client.join('lobby', 'ada');
    await server.received.next((m) => m.id === 'ping', 'a first ping', 4000);
    await events.next('remoteStreamAdded');
    const lastFrame = performance.now();
    server.freeze(); // No close: the link is gone, TCP would not notice for minutes.

    const [reason] = await events.next('reconnecting', undefined, 8000);
    const found = performance.now() - lastFrame;
    expect(reason.reason).to.equal('socket');
    expect(reason.message).to.match(/stopped answering/);
    expect(found).to.be.within(2 * PING_INTERVAL_MS - 500, 3 * PING_INTERVAL_MS + 500);
    await events.next('reconnected', undefined, 8000);
    expect(server.connections).to.equal(2);
    expect(client.state).to.equal('connected');
    await events.next('remoteStreamAdded', (p) => p.name === 'bob');
  });

  it("never times out a server that ignores pings, as Kurento's tutorial server does", async () => {
    const { server, client, events } = start({ existing: ['bob'] }, { media: false });
    await client.join('lobby', 'ada');
    // Four pings unanswered: 8 s, past the 4-6 s after which an answering server is dead.
    for (let i = 0; i < 4; i++) {
      await server.received.next((m) => m.id === 'ping', `ping ${i + 1}`, PING_INTERVAL_MS + 2000);
    }
    expect(client.state).to.equal('connected');
    expect(events.all('reconnecting')).to.deep.equal([]);
    expect(server.connections).to.equal(1);
  });

  it('does not take an older server refusing the ping (an error reply) for a room error', async () => {
    const { server, client, events } = start({ existing: ['bob'] }, { media: false });
    await client.join('lobby', 'ada');
    await server.received.next((m) => m.id === 'ping', 'a ping', 4000);
    server.send({
      id: 'error',
      code: 'UNKNOWN_MESSAGE',
      message: 'unknown "ping"',
      request: 'ping',
    });
    server.send({ id: 'participantMediaState', name: 'bob', audioMuted: true, videoMuted: false });
    await events.next('remoteMediaStateChanged');
    expect(events.all('error')).to.deep.equal([]);
    expect(client.state).to.equal('connected');
  });
});
