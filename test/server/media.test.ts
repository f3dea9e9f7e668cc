/**
 * Media through the embedded werift SFU, with werift itself as the browser in Node:
 * real offers and answers, ICE and DTLS on loopback, and RTP end to end.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RtpPacket } from 'werift';
import { until, withServer } from './helpers/fixture.js';
import {
  audioPacket,
  publish,
  subscribe,
  videoPacket,
  type PublisherPeer,
} from './helpers/werift-peer.js';
import type { TestClient } from './helpers/ws-client.js';

/** The publisher's media clock: one video and one audio packet every 20 ms until stopped. */
function pump(publisher: PublisherPeer, first = { seq: 1000, marker: 0 }) {
  let seq = first.seq;
  let marker = first.marker;
  const timer = setInterval(() => {
    publisher.video.writeRtp(videoPacket(seq, seq * 3000, marker));
    publisher.audio.writeRtp(audioPacket(seq, seq * 960, marker));
    seq = (seq + 1) & 0xffff;
    marker += 1;
  }, 20);
  return {
    /** The marker the next packet will carry. */
    get marker() {
      return marker;
    },
    stop: () => clearInterval(timer),
  };
}

/** The marker bytes of a fake packet (see `videoPacket`/`audioPacket`). */
const markerOf = (packet: RtpPacket) => {
  const p = packet.payload;
  return p.length === 7 ? p[5]! | (p[6]! << 8) : p[1]! | (p[2]! << 8);
};

async function joinAll(
  connect: () => Promise<TestClient>,
  ...names: string[]
): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (const name of names) {
    const client = await connect();
    await client.join('room', name);
    clients.push(client);
  }
  return clients;
}

describe('media negotiation with the werift SFU', () => {
  test('a send-only offer gets a receive-only answer, then the server candidates', async (t) => {
    const { connect } = await withServer(t);
    const [alice] = await joinAll(connect, 'alice');
    const publisher = await publish(alice!, 'alice');
    t.after(() => publisher.pc.close());
    const answer = alice!.history.find((m) => m.id === 'receiveVideoAnswer');
    assert.ok(answer && answer.id === 'receiveVideoAnswer');
    assert.equal(answer.name, 'alice');
    const sdp = answer.sdpAnswer;
    assert.match(sdp, /^m=audio .*\r?\n/m);
    assert.match(sdp, /^m=video .*\r?\n/m);
    assert.equal(sdp.match(/^a=recvonly/gm)?.length, 2);
    assert.match(sdp, /^a=ice-lite/m);
    assert.match(sdp, /^a=rtpmap:\d+ OPUS\/48000\/2/im);
    assert.match(sdp, /^a=rtpmap:\d+ VP8\/90000/m);
    assert.equal(sdp.match(/^a=rtpmap:/gm)?.length, 2, 'Opus and VP8 only');
    assert.doesNotMatch(sdp, /transport-cc|a=extmap:/);
    // The server's candidates come after its answer, and are loopback host candidates.
    const ids = alice!.history.map((m) => m.id);
    assert.ok(ids.indexOf('receiveVideoAnswer') < ids.indexOf('iceCandidate'), ids.join());
    const found = alice!.history.find((m) => m.id === 'iceCandidate');
    assert.ok(found?.id === 'iceCandidate');
    assert.equal(found.name, 'alice');
    assert.match(found.candidate.candidate, /^candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    // The client trickled its candidates before the offer got there: queued, not refused.
    assert.ok(!ids.includes('error'), ids.join());
    await publisher.connected;
  });

  test('a receive-only offer gets a send-only answer whose a=msid names the publisher', async (t) => {
    const { connect } = await withServer(t);
    const [alice, bob] = await joinAll(connect, 'Alice Smith', 'bob');
    const subscriber = await subscribe(bob!, 'Alice Smith');
    t.after(() => subscriber.pc.close());
    const answer = bob!.history.find((m) => m.id === 'receiveVideoAnswer');
    assert.ok(answer?.id === 'receiveVideoAnswer');
    assert.equal(answer.name, 'Alice Smith');
    assert.equal(answer.sdpAnswer.match(/^a=sendonly/gm)?.length, 2);
    assert.equal(answer.sdpAnswer.match(/^a=msid:Alice%20Smith \S+/gm)?.length, 2);
    assert.match(answer.sdpAnswer, /^a=ssrc:\d+ cname:/m);
    await subscriber.connected;
    void alice;
  });

  test('an offer without Opus or VP8 gets MEDIA_ERROR and the socket stays usable', async (t) => {
    const { connect, server } = await withServer(t);
    const [alice] = await joinAll(connect, 'alice');
    const offer = [
      'v=0',
      'o=- 1 1 IN IP4 0.0.0.0',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'm=video 9 UDP/TLS/RTP/SAVPF 102',
      'c=IN IP4 0.0.0.0',
      'a=ice-ufrag:abcd',
      'a=ice-pwd:abcdefghijklmnopqrstuvwx',
      'a=fingerprint:sha-256 ' + Array(32).fill('AB').join(':'),
      'a=setup:actpass',
      'a=mid:0',
      'a=sendonly',
      'a=rtcp-mux',
      'a=rtpmap:102 H264/90000',
      '',
    ].join('\r\n');
    alice!.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: offer });
    const error = await alice!.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    alice!.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'not sdp at all' });
    assert.equal((await alice!.next('error')).code, 'MEDIA_ERROR');
    const publisher = await publish(alice!, 'alice');
    t.after(() => publisher.pc.close());
    await publisher.connected;
    assert.equal(server.stats().endpoints, 1);
  });
});

describe('RTP through the SFU', () => {
  test('reaches subscribers who subscribed before and after the publisher published', async (t) => {
    const { connect } = await withServer(t);
    const [alice, bob, carol] = await joinAll(connect, 'alice', 'bob', 'carol');
    // bob subscribes before alice has published anything.
    const early = await subscribe(bob!, 'alice');
    const earlyMedia = early.media;
    const publisher = await publish(alice!, 'alice');
    const late = await subscribe(carol!, 'alice');
    const lateMedia = late.media;
    t.after(() => Promise.all([early.pc.close(), late.pc.close(), publisher.pc.close()]));
    await Promise.all([publisher.connected, early.connected, late.connected]);
    const media = pump(publisher);
    t.after(media.stop);
    for (const [who, got] of [
      ['bob', earlyMedia],
      ['carol', lateMedia],
    ] as const) {
      await got.waitFor(
        () => got.packets.video.length >= 10 && got.packets.audio.length >= 10,
        `${who} to receive audio and video`,
      );
    }
    media.stop();
    for (const got of [earlyMedia, lateMedia]) {
      for (const kind of ['audio', 'video'] as const) {
        const packets = got.packets[kind];
        // Copies without the publisher's header extensions, in order, payload intact.
        assert.ok(packets.every((p) => p.header.extensions.length === 0));
        const markers = packets.map(markerOf);
        for (let i = 1; i < markers.length; i++)
          assert.equal(markers[i], markers[i - 1]! + 1, `${kind} in order`);
        const seqs = packets.map((p) => p.header.sequenceNumber);
        for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1]! + 1) & 0xffff);
      }
    }
  });

  test('a connecting subscriber and a subscriber PLI each make the publisher send a key frame request', async (t) => {
    const { connect } = await withServer(t);
    const [alice, bob] = await joinAll(connect, 'alice', 'bob');
    const publisher = await publish(alice!, 'alice');
    let plis = 0;
    const pliWaiters = new Set<() => void>();
    publisher.videoSender.onPictureLossIndication.subscribe(() => {
      plis += 1;
      for (const wake of [...pliWaiters]) wake();
    });
    const pliCount = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${plis} PLI, wanted ${n}`)), 5000);
        const wake = () => {
          if (plis < n) return;
          clearTimeout(timer);
          pliWaiters.delete(wake);
          resolve();
        };
        pliWaiters.add(wake);
        wake();
      });
    await publisher.connected;
    const media = pump(publisher);
    t.after(media.stop);
    const subscriber = await subscribe(bob!, 'alice');
    const got = subscriber.media;
    t.after(() => Promise.all([subscriber.pc.close(), publisher.pc.close()]));
    await subscriber.connected;
    await pliCount(1);
    await got.waitFor(() => got.packets.video.length > 0, 'video');
    const video = subscriber.pc.getTransceivers().find((tr) => tr.kind === 'video')!;
    const ssrc = got.packets.video[0]!.header.ssrc;
    await video.receiver.sendRtcpPLI(ssrc);
    await pliCount(2); // within the 300 ms throttle window, as a trailing request
  });

  test('publishing again keeps a subscriber on one continuous stream', async (t) => {
    const { connect } = await withServer(t);
    const [alice, bob] = await joinAll(connect, 'alice', 'bob');
    const first = await publish(alice!, 'alice');
    const subscriber = await subscribe(bob!, 'alice');
    const got = subscriber.media;
    await Promise.all([first.connected, subscriber.connected]);
    const before = pump(first, { seq: 100, marker: 0 });
    t.after(before.stop);
    await got.waitFor(() => got.packets.video.length >= 5, 'the first stream');
    before.stop();
    await first.pc.close();
    const switchAt = got.packets.video.length;
    const second = await publish(alice!, 'alice');
    t.after(() => Promise.all([subscriber.pc.close(), second.pc.close()]));
    await second.connected;
    // A new SSRC, sequence numbers and timestamps far from the first stream's.
    const after = pump(second, { seq: 60000, marker: 5000 });
    t.after(after.stop);
    await got.waitFor(
      () => got.packets.video.slice(switchAt).some((p) => markerOf(p) >= 5000 + 5),
      'the second stream',
    );
    after.stop();
    const packets = got.packets.video;
    const seqs = packets.map((p) => p.header.sequenceNumber);
    for (let i = 1; i < seqs.length; i++)
      assert.equal(seqs[i], (seqs[i - 1]! + 1) & 0xffff, `seq at ${i}`);
    const ssrcs = new Set(packets.map((p) => p.header.ssrc));
    assert.equal(ssrcs.size, 1, 'one outgoing SSRC');
    const stamps = packets.map((p) => p.header.timestamp);
    for (let i = 1; i < stamps.length; i++)
      assert.ok(stamps[i]! > stamps[i - 1]!, `timestamp at ${i}`);
  });

  test('leaving releases every peer connection of the server', async (t) => {
    const { connect, server } = await withServer(t);
    const [alice, bob] = await joinAll(connect, 'alice', 'bob');
    const peers = [
      await publish(alice!, 'alice'),
      await publish(bob!, 'bob'),
      await subscribe(alice!, 'bob'),
      await subscribe(bob!, 'alice'),
    ];
    t.after(() => Promise.all(peers.map((peer) => peer.pc.close())));
    await Promise.all(peers.map((peer) => peer.connected));
    assert.deepEqual(server.stats(), { rooms: 1, participants: 2, endpoints: 4 });
    alice!.send({ id: 'leaveRoom' });
    await bob!.next('participantLeft');
    await until(() => server.stats().endpoints === 1, 'alice’s endpoints are released');
    await bob!.close();
    await until(() => server.stats().rooms === 0, 'the room is closed');
    assert.deepEqual(server.stats(), { rooms: 0, participants: 0, endpoints: 0 });
  });
});
