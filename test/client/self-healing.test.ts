// Self-healing media: a peer connection that fails, is closed by someone else, or whose
// video stalls is rebuilt alone (a new offer for the same sender); the others are untouched.
import { expect } from '@esm-bundle/chai';
import { firstFrame, reportFailed, trackIntervals, until } from './helpers.js';
import { cleanup, joinedWithMedia, onCleanup, peerFor, start, type Room } from './setup.js';
import { WATCHDOG_TICK_MS } from '../../packages/sdk/src/core/media-watchdog.js';

/** The peers of bob, carol and ada, and carol's stream, to check they were left alone. */
function snapshot(room: Room) {
  const carol = room.client.participants.get('carol')!;
  return {
    bob: peerFor(room, 'bob'),
    carol: peerFor(room, 'carol'),
    ada: peerFor(room, 'ada'),
    carolStream: carol.stream,
    created: room.peers.created.length,
  };
}

/** Carol's and ada's peers are the same objects, still connected, and carol's stream is the same. */
function expectOthersUntouched(room: Room, before: ReturnType<typeof snapshot>): void {
  expect(peerFor(room, 'carol')).to.equal(before.carol);
  expect(peerFor(room, 'ada')).to.equal(before.ada);
  expect(before.carol.connectionState).to.equal('connected');
  expect(before.ada.connectionState).to.equal('connected');
  expect(room.client.participants.get('carol')!.stream).to.equal(before.carolStream);
  expect(room.peers.created.length).to.equal(before.created + 1);
}

describe('RoomClient self-healing media', () => {
  afterEach(cleanup);

  it('a subscription whose server endpoint closes is rebuilt alone and decodes again within 3 s', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { server, client, events } = room;
    await joinedWithMedia(room);
    const bob = client.participants.get('bob')!;
    const oldStream = bob.stream!;
    const before = snapshot(room);

    const broken = performance.now();
    server.endpoints.get('bob')!.pc.close(); // DTLS close_notify reaches the client's peer.
    const [participant, reason] = await events.next('peerRestarted');
    expect(participant).to.equal(bob);
    expect(reason).to.equal('closed');
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    await firstFrame(stream, "bob's rebuilt subscription");
    expect(performance.now() - broken).to.be.below(3000);

    expect(before.bob.signalingState).to.equal('closed');
    expect(peerFor(room, 'bob')).to.not.equal(before.bob);
    expect(events.all('remoteStreamRemoved')).to.deep.equal([[bob, oldStream]]);
    expectOthersUntouched(room, before);
    expect(events.all('peerRestarted')).to.have.length(1);
    expect(events.all('participantLeft')).to.deep.equal([]);
    expect(client.state).to.equal('connected');
  });

  it('a subscription whose peer connection someone else closes is rebuilt at the next stats tick', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { client, events } = room;
    await joinedWithMedia(room);
    const before = snapshot(room);
    const broken = performance.now();
    before.bob.close(); // Fires no event (webrtc-pc section 4.4.1.3): only a look finds it.
    const [participant, reason] = await events.next('peerRestarted');
    expect(performance.now() - broken).to.be.below(WATCHDOG_TICK_MS + 850);
    expect(participant).to.equal(client.participants.get('bob'));
    expect(reason).to.equal('closed');
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    await firstFrame(stream, "bob's rebuilt subscription");
    expectOthersUntouched(room, before);
  });

  it('a subscription whose video stops (the server sends no more frames) is rebuilt after stallTimeoutMs', async () => {
    const room = start({ existing: ['bob', 'carol'] }, { stallTimeoutMs: 1000 });
    const { server, client, events } = room;
    await joinedWithMedia(room);
    // Let bob's subscription decode frames first: a stall only counts after the first one.
    await firstFrame(client.participants.get('bob')!.stream!, "bob's stream");
    const before = snapshot(room);
    const stopped = performance.now();
    await server.stopVideo('bob');
    const [participant, reason] = await events.next('peerRestarted');
    const after = performance.now() - stopped;
    // The last rise of its frame count is seen at a tick, the stall at the first tick past it.
    expect(after).to.be.within(1000, 1000 + 2 * WATCHDOG_TICK_MS + 600);
    expect(participant.name).to.equal('bob');
    expect(reason).to.equal('stalled');
    expect(before.bob.signalingState).to.equal('closed');
    const [, stream] = await events.next('remoteStreamAdded', (p) => p.name === 'bob');
    await firstFrame(stream, "bob's rebuilt subscription");
    expectOthersUntouched(room, before);
  });

  it('a publisher peer that fails is republished: a new send-only offer with the same camera, frames reach the server again', async () => {
    const room = start({ existing: ['bob', 'carol'] });
    const { server, client, events } = room;
    const camera = await joinedWithMedia(room);
    const old = peerFor(room, 'ada');
    const carol = peerFor(room, 'carol');
    reportFailed(old);
    const [participant, reason] = await events.next('peerRestarted');
    expect(participant).to.equal(client.localParticipant);
    expect(reason).to.equal('failed');
    expect(old.signalingState).to.equal('closed');
    await events.next('peerStateChanged', (p, state) => p.isLocal && state === 'connected');
    const republished = peerFor(room, 'ada');
    expect(republished).to.not.equal(old);
    const tracks = republished.getSenders().map((s) => s.track);
    expect(tracks).to.have.members(camera.getTracks());
    expect(client.localParticipant!.stream).to.equal(camera);
    expect(events.all('localStreamRemoved')).to.deep.equal([]);
    const video = server.endpoints.get('ada')!.tracks.find((t) => t.kind === 'video')!;
    await firstFrame(new MediaStream([video]), 'the republished camera at the server');
    expect(peerFor(room, 'carol')).to.equal(carol);
    expect(carol.connectionState).to.equal('connected');
  });

  it('a peer that stays broken is rebuilt with a growing backoff, not in a hot loop', async () => {
    const room = start({ existing: ['bob'] });
    const { client, events, peers } = room;
    await client.join('lobby', 'ada');
    await events.next('peerStateChanged', (p, state) => p.name === 'bob' && state === 'connected');
    const times: number[] = [];
    client.on('peerRestarted', () => {
      times.push(performance.now());
      // Break every new subscription to bob as soon as it exists.
      peers.created.at(-1)!.pc.close();
    });
    peerFor(room, 'bob').close();
    for (let i = 0; i < 3; i += 1) await events.next('peerRestarted', undefined, 6000);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).to.be.at.least(950);
    expect(gaps[1]).to.be.at.least(1950);
  });

  it('the watchdog leaves nothing behind: no interval after leave() or close(), no getStats() on a closed peer', async () => {
    const intervals = trackIntervals();
    onCleanup(() => intervals.restore());
    const room = start({ existing: ['bob', 'carol'] });
    const { client, peers } = room;
    await joinedWithMedia(room);
    expect(intervals.live.size).to.equal(2); // The watchdog's stats loop and the socket's ping.
    await until(() => peers.created.some((p) => p.stats.length >= 2), 'two looks at the stats');
    await client.leave();
    expect(intervals.live.size).to.equal(0);
    await client.join('lobby', 'ada');
    expect(intervals.live.size).to.equal(2);
    await client.close();
    expect(intervals.live.size).to.equal(0);
    const stats = peers.created.flatMap((p) => p.stats);
    expect(stats.length).to.be.greaterThan(0);
    expect(stats.filter((s) => s.closed)).to.deep.equal([]);
  });
});
