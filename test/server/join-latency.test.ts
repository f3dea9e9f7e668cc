/**
 * What the werift SFU does to make a join fast (issue 12, "Raise them"), with werift
 * itself as the browser in Node: the SFU is the DTLS server, so the browser's
 * ClientHello starts the handshake as soon as its ICE check succeeds; a new
 * subscription's key frame is requested at its answer; and a subscriber whose DTLS
 * connects gets the publisher's last key frame and what followed it at once.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import {
  isVp8KeyFrameStart,
  KeyFrameCache,
} from '../../packages/server/src/media/werift/key-frame-cache.js';
import { withServer } from './helpers/fixture.js';
import { publish, subscribe } from './helpers/werift-peer.js';

/**
 * A VP8 packet (RFC 7741): a payload descriptor with S = 1 and partition 0, then a VP8
 * payload header whose P bit says key frame (0) or not (1), then `frame` as 2 bytes.
 */
function vp8Packet(sequenceNumber: number, frame: number, keyFrame: boolean): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: frame * 3000, marker: true }),
    Buffer.from([0x10, keyFrame ? 0x00 : 0x01, 0x9d, 0x01, 0x2a, frame & 0xff, frame >> 8]),
  );
}

/** The `frame` of a {@link vp8Packet}. */
const frameOf = (packet: RtpPacket) => packet.payload[5]! | (packet.payload[6]! << 8);

/** alice and bob joined to one room of a werift SFU, no media yet. */
async function aliceAndBob(t: TestContext) {
  const { connect } = await withServer(t);
  const alice = await connect();
  await alice.join('room', 'alice');
  const bob = await connect();
  await bob.join('room', 'bob');
  return { alice, bob };
}

describe('a join without waits on the werift SFU', () => {
  test('every answer makes the SFU the DTLS server (a=setup:passive, RFC 5763 section 5)', async (t) => {
    const { alice, bob } = await aliceAndBob(t);
    const publisher = await publish(alice, 'alice');
    const subscriber = await subscribe(bob, 'alice');
    t.after(() => Promise.all([publisher.pc.close(), subscriber.pc.close()]));
    for (const client of [alice, bob]) {
      const answer = client.history.find((m) => m.id === 'receiveVideoAnswer');
      assert.ok(answer?.id === 'receiveVideoAnswer');
      const setups = answer.sdpAnswer.match(/^a=setup:\w+/gm);
      assert.deepEqual(setups, ['a=setup:passive', 'a=setup:passive']);
    }
    // The offerer (actpass) takes the DTLS client role and connects.
    await Promise.all([publisher.connected, subscriber.connected]);
  });
});

describe('VP8 key frame detection (RFC 7741)', () => {
  test('the first packet of a key frame is one; a delta frame or a later packet is not', () => {
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x10, 0x00, 0x9d])), true);
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x10, 0x01, 0x9d])), false, 'P = 1: delta');
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x00, 0x00])), false, 'S = 0: not a start');
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x11, 0x00])), false, 'partition 1');
    assert.equal(isVp8KeyFrameStart(Buffer.from([])), false);
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x10])), false, 'no payload header');
  });

  test('the extended descriptor fields are skipped: 7- and 15-bit PictureID, TL0PICIDX, TID/KEYIDX', () => {
    // X=1 S=1; I=1 with a 15-bit PictureID (M=1), then the payload header.
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x00])), true);
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x01])), false);
    // I=1 with a 7-bit PictureID.
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0x80, 0x05, 0x00])), true);
    // I, L, T and K: PictureID (1 byte), TL0PICIDX, TID/Y/KEYIDX.
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0xf0, 0x05, 0x07, 0x40, 0x00])), true);
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0xf0, 0x05, 0x07, 0x40, 0x01])), false);
    assert.equal(isVp8KeyFrameStart(Buffer.from([0x90, 0xf0, 0x05])), false, 'cut short');
  });
});

describe('the key frame cache', () => {
  const limits = { maxAgeMs: 400, maxPackets: 5 };

  test('holds the last key frame and every packet after it, and nothing before one', () => {
    let now = 0;
    const cache = new KeyFrameCache(limits, () => now);
    cache.push(vp8Packet(1, 1, false));
    assert.equal(cache.group(), undefined, 'no key frame yet');
    cache.push(vp8Packet(2, 2, true));
    cache.push(vp8Packet(3, 3, false));
    now = 100;
    cache.push(vp8Packet(4, 4, true));
    cache.push(vp8Packet(5, 5, false));
    assert.deepEqual(cache.group()?.map(frameOf), [4, 5]);
  });

  test('gives nothing once its key frame is older than maxAgeMs, or past maxPackets', () => {
    let now = 0;
    const cache = new KeyFrameCache(limits, () => now);
    cache.push(vp8Packet(1, 1, true));
    now = 400;
    assert.deepEqual(cache.group()?.map(frameOf), [1]);
    now = 401;
    assert.equal(cache.group(), undefined, 'too old');
    now = 0;
    const long = new KeyFrameCache(limits, () => now);
    for (let frame = 1; frame <= 6; frame++) long.push(vp8Packet(frame, frame, frame === 1));
    assert.equal(long.group(), undefined, 'six packets do not fit in five');
    long.push(vp8Packet(7, 7, true));
    assert.deepEqual(long.group()?.map(frameOf), [7]);
  });
});

describe('a new subscriber decodes without waiting for the encoder', () => {
  test('its key frame is requested at its answer, before it connects, and it receives the cached key frame first', async (t) => {
    const { alice, bob } = await aliceAndBob(t);
    const publisher = await publish(alice, 'alice');
    await publisher.connected;
    // The publisher's encoder: it answers no key frame request; only the test decides.
    const requests: string[] = [];
    let subscriberState = (): string => 'none';
    publisher.videoSender.onPictureLossIndication.subscribe(() => {
      requests.push(subscriberState());
    });
    const subscriber = await subscribe(bob, 'alice');
    subscriberState = () => subscriber.pc.connectionState;
    const got = subscriber.media;
    t.after(() => Promise.all([subscriber.pc.close(), publisher.pc.close()]));
    // The answer is applied, ICE and DTLS are still to come: one key frame now, then
    // delta frames only (werift as the browser waits 100 ms after ICE before DTLS).
    let frame = 0;
    publisher.video.writeRtp(vp8Packet(1000, frame++, true));
    const timer = setInterval(() => {
      publisher.video.writeRtp(vp8Packet(1000 + frame, frame, false));
      frame += 1;
    }, 20);
    t.after(() => clearInterval(timer));
    await subscriber.connected;
    await got.waitFor(() => got.packets.video.length >= 5, 'five video packets');
    clearInterval(timer);
    const frames = got.packets.video.map(frameOf);
    assert.equal(frames[0], 0, `the key frame first, then the frames after it: ${frames.join()}`);
    assert.ok(isVp8KeyFrameStart(got.packets.video[0]!.payload));
    for (let i = 1; i < frames.length; i++) assert.equal(frames[i], frames[i - 1]! + 1);
    // One key frame request, sent at the answer; none when the cached group was sent.
    assert.equal(requests.length, 1, requests.join());
    assert.notEqual(requests[0], 'connected');
  });
});
