/**
 * The SFU's own send path against werift's `RTCRtpSender.sendRtp`: the same packets in,
 * the same bytes out, the same sender state for RTCP sender reports, statistics and NACK.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  GenericNack,
  RTCRtpSender,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { RtpRewriter } from '../../packages/server/src/media/werift/rtp-rewriter.js';
import {
  RtpSendPath,
  weriftNtpTime,
} from '../../packages/server/src/media/werift/rtp-send-path.js';

/** What a sender handed its DTLS transport: the RTP header as serialized, and the payload. */
interface Sent {
  header: Buffer;
  payload: Buffer;
}

/** The sender's state that RTCP sender reports, getStats() and NACK read. */
interface SenderState {
  ssrc: number;
  packetCount: number;
  octetCount: number;
  headerBytesSent: number;
  rtpTimestamp: number;
  ntpTimestamp: bigint;
  rtpCache: (RtpPacket | undefined)[];
  handleRtcpPacket(packet: RtcpTransportLayerFeedback): void;
}

const senders: RTCRtpSender[] = [];

afterEach(() => {
  // Ends werift's RTCP sender report loops, which would keep the test process alive.
  for (const sender of senders.splice(0)) sender.stop();
});

/** A video sender negotiated with VP8 as payload type 96, on a DTLS transport that records what it is given. */
function connectedSender(ssrc: number): { sender: RTCRtpSender; sent: Sent[] } {
  const sender = new RTCRtpSender('video');
  senders.push(sender);
  const sent: Sent[] = [];
  Object.assign(sender, {
    ssrc,
    codec: { payloadType: 96 },
    dtlsTransport: {
      state: 'connected',
      sendRtp: async (payload: Buffer, header: RtpHeader) => {
        sent.push({ header: header.serialize(header.serializeSize), payload });
        return header.serializeSize + payload.length;
      },
      sendRtcp: async () => undefined,
    },
  });
  return { sender, sent };
}

/** A publisher's packet as werift's receiver hands it over: with a header extension. */
function sourcePacket(ssrc: number, sequenceNumber: number, timestamp: number, size = 40) {
  return new RtpPacket(
    new RtpHeader({
      ssrc,
      sequenceNumber,
      timestamp,
      payloadType: 120,
      marker: sequenceNumber % 3 === 0,
      extension: true,
      extensions: [{ id: 3, payload: Buffer.from([1, 2, 3]) }],
    }),
    Buffer.alloc(size, sequenceNumber & 0xff),
  );
}

/** Source packets across a publisher change (another SSRC) and a sequence number wrap. */
function sourceStream(): RtpPacket[] {
  const packets: RtpPacket[] = [];
  for (let i = 0; i < 6; i++) packets.push(sourcePacket(1111, 65532 + i, 4294960000 + i * 3000));
  for (let i = 0; i < 6; i++) packets.push(sourcePacket(2222, 100 + i, 5000 + i * 3000, 60 + i));
  return packets;
}

describe('RtpSendPath', () => {
  test('sends the bytes werift sendRtp sends and leaves the sender in the same state', async () => {
    const reference = connectedSender(0xabcdef01);
    const fast = connectedSender(0xabcdef01);
    const path = new RtpSendPath(fast.sender);
    let now = 1000;
    const referenceRewriter = new RtpRewriter(90_000, () => now);
    const fastRewriter = new RtpRewriter(90_000, () => now);
    for (const packet of sourceStream()) {
      await reference.sender.sendRtp(referenceRewriter.rewrite(packet));
      path.send(fastRewriter.rewrite(packet));
      now += 20;
    }
    assert.equal(fast.sent.length, 12);
    assert.deepEqual(fast.sent, reference.sent);
    const want = reference.sender as unknown as SenderState;
    const got = fast.sender as unknown as SenderState;
    for (const key of ['packetCount', 'octetCount', 'headerBytesSent', 'rtpTimestamp'] as const) {
      assert.equal(got[key], want[key], key);
    }
    const cached = (state: SenderState) =>
      state.rtpCache.flatMap((packet, slot) =>
        packet ? [[slot, packet.serialize().toString('hex')]] : [],
      );
    assert.deepEqual(cached(got), cached(want));
    // The sender report's NTP time: werift's format, the same second as werift's own.
    assert.equal(got.ntpTimestamp >> 32n, want.ntpTimestamp >> 32n);
  });

  test('a NACK for a forwarded packet is answered from werift history (RFC 4585)', () => {
    const { sender, sent } = connectedSender(42);
    const path = new RtpSendPath(sender);
    const rewriter = new RtpRewriter(90_000);
    for (const packet of sourceStream()) path.send(rewriter.rewrite(packet));
    // The third packet of the second source: rebased after 65532..65535, 0, 1, it is 4.
    const original = sent.find((s) => s.header.readUInt16BE(2) === 4);
    assert.ok(original);
    sent.length = 0;
    (sender as unknown as SenderState).handleRtcpPacket(
      new RtcpTransportLayerFeedback({
        feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: 42, lost: [4] }),
      }),
    );
    assert.equal(sent.length, 1, 'one retransmission');
    assert.deepEqual(sent[0], original);
  });

  test('sends nothing before DTLS is connected, as werift does', () => {
    const { sender, sent } = connectedSender(7);
    (sender as unknown as { dtlsTransport: { state: string } }).dtlsTransport.state = 'connecting';
    new RtpSendPath(sender).send(new RtpRewriter(90_000).rewrite(sourcePacket(1, 1, 1)));
    assert.equal(sent.length, 0);
  });

  test('hands packets to sender.sendRtp when the sender negotiated header extensions', async () => {
    const { sender, sent } = connectedSender(7);
    (sender as unknown as { headerExtensions: unknown[] }).headerExtensions = [
      { id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
    ];
    let viaWerift = 0;
    const sendRtp = sender.sendRtp.bind(sender);
    sender.sendRtp = (packet) => {
      viaWerift++;
      return sendRtp(packet);
    };
    new RtpSendPath(sender).send(new RtpRewriter(90_000).rewrite(sourcePacket(1, 1, 1)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(viaWerift, 1);
    assert.equal(sent.length, 1);
    assert.notEqual((sender as unknown as SenderState).ntpTimestamp, 0n, 'NTP time of the packet');
  });

  test('weriftNtpTime: seconds since 1900 above, the fraction digits below', () => {
    const ntp = weriftNtpTime(performance.now());
    const seconds = Number(ntp >> 32n);
    const expected = Math.floor((Date.now() - Date.UTC(1900, 0, 1)) / 1000);
    assert.ok(Math.abs(seconds - expected) <= 1, `${seconds} vs ${expected}`);
  });
});
