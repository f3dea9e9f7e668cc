/**
 * The server's small parts on their own: RTP copies, the key frame throttle, name
 * rules, msid stream ids, SDP filtering, ICE server lists, environment configuration
 * and werift peer settings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { readConfig } from '../../packages/server/src/env-config.js';
import { readIceServers } from '../../packages/server/src/ice-servers.js';
import { assertValidName, MAX_NAME_LENGTH } from '../../packages/server/src/signaling/names.js';
import { RtpRewriter } from '../../packages/server/src/media/werift/rtp-rewriter.js';
import { SerialQueue } from 'kurento-room/protocol';
import { SignalingError } from '../../packages/server/src/signaling/signaling-error.js';
import { Throttle } from '../../packages/server/src/media/werift/throttle.js';
import {
  weriftPeerConfig,
  withoutTransportCc,
} from '../../packages/server/src/media/werift/werift-config.js';
import { msidStreamId } from '../../packages/server/src/media/werift/werift-subscriber.js';

function packet(ssrc: number, sequenceNumber: number, timestamp: number): RtpPacket {
  return new RtpPacket(
    new RtpHeader({
      ssrc,
      sequenceNumber,
      timestamp,
      payloadType: 96,
      marker: true,
      extension: true,
      extensions: [{ id: 3, payload: Buffer.from([1, 2]) }],
    }),
    Buffer.from([0x10, 1, 2, 3]),
  );
}

describe('RtpRewriter', () => {
  test('copies never share a header with the source and carry no header extension', () => {
    const rewriter = new RtpRewriter(90_000);
    const source = packet(1, 10, 1000);
    const copy = rewriter.rewrite(source);
    assert.notEqual(copy, source);
    assert.notEqual(copy.header, source.header);
    assert.equal(copy.header.extension, false);
    assert.deepEqual(copy.header.extensions, []);
    assert.equal(source.header.extensions.length, 1, 'the source is untouched');
    assert.equal(copy.payload, source.payload);
    copy.header.ssrc = 99; // what RTCRtpSender.sendRtp does
    assert.equal(source.header.ssrc, 1);
    // werift serializes the copy without crashing and without extension bit.
    const wire = copy.serialize();
    assert.equal(wire[0]! & 0x10, 0);
  });

  test('passes sequence numbers and timestamps through while the source stays the same', () => {
    const rewriter = new RtpRewriter(90_000);
    for (const [seq, ts] of [
      [65534, 4294967000],
      [65535, 4294967200],
      [0, 104],
      [1, 400],
    ] as const) {
      const copy = rewriter.rewrite(packet(7, seq, ts));
      assert.equal(copy.header.sequenceNumber, seq);
      assert.equal(copy.header.timestamp, ts);
    }
  });

  test('continues after the last packet sent when the source SSRC changes', () => {
    let now = 1000;
    const rewriter = new RtpRewriter(90_000, () => now);
    rewriter.rewrite(packet(1, 500, 90_000));
    rewriter.rewrite(packet(1, 501, 93_000));
    rewriter.rewrite(packet(1, 499, 87_000)); // a late one does not move the baseline
    now += 100; // 100 ms later the new source starts
    const first = rewriter.rewrite(packet(2, 40_000, 7));
    assert.equal(first.header.sequenceNumber, 502);
    assert.equal(first.header.timestamp, 93_000 + 9000);
    const second = rewriter.rewrite(packet(2, 40_001, 3007));
    assert.equal(second.header.sequenceNumber, 503);
    assert.equal(second.header.timestamp, 93_000 + 9000 + 3000);
  });

  test('wraps rebased sequence numbers and timestamps', () => {
    const now = 0;
    const rewriter = new RtpRewriter(48_000, () => now);
    rewriter.rewrite(packet(1, 65535, 4294967295));
    const copy = rewriter.rewrite(packet(2, 10, 10));
    assert.equal(copy.header.sequenceNumber, 0);
    assert.equal(copy.header.timestamp, 0); // + at least one tick
  });
});

describe('Throttle', () => {
  test('runs at once, then collapses requests inside the interval into one trailing run', async () => {
    const runs: number[] = [];
    let trailing!: () => void;
    const trailed = new Promise<void>((resolve) => (trailing = resolve));
    const start = performance.now();
    const throttle = new Throttle(50, () => {
      runs.push(performance.now() - start);
      if (runs.length === 2) trailing();
    });
    throttle.request();
    assert.equal(runs.length, 1);
    throttle.request();
    throttle.request();
    throttle.request();
    assert.equal(runs.length, 1);
    // The throttle's timer is unref'd (it must not hold a server open): a guard keeps
    // the event loop alive, and fails the test if the trailing run never comes.
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([
      trailed,
      new Promise(
        (_, reject) => (guard = setTimeout(() => reject(new Error('no trailing run')), 2000)),
      ),
    ]);
    clearTimeout(guard);
    assert.equal(runs.length, 2);
    assert.ok(runs[1]! >= 45, `trailing run after ${runs[1]} ms`);
    throttle.cancel();
  });

  test('cancel() drops the pending run and later requests', () => {
    let runs = 0;
    const throttle = new Throttle(1000, () => (runs += 1));
    throttle.request();
    throttle.request();
    throttle.cancel();
    throttle.request();
    assert.equal(runs, 1);
  });
});

describe('SerialQueue', () => {
  test('runs tasks one at a time in order, and a failure does not stop the queue', async () => {
    const queue = new SerialQueue();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run(async () => {
      order.push('first start');
      await gate;
      order.push('first end');
    });
    const failing = queue.run(() => {
      order.push('second');
      throw new Error('boom');
    });
    const third = queue.run(() => order.push('third'));
    release();
    await first;
    await assert.rejects(failing, /boom/);
    await third;
    await queue.idle();
    assert.deepEqual(order, ['first start', 'first end', 'second', 'third']);
  });
});

describe('names', () => {
  test(`accept 1 to ${MAX_NAME_LENGTH} code points without control characters`, () => {
    for (const name of [
      'a',
      'Alice Smith',
      'Zoë',
      '山田',
      '😀'.repeat(MAX_NAME_LENGTH),
      'a/b?c#d<e>',
    ]) {
      assertValidName('participant', name);
    }
  });

  test('refuse empty, blank, too long, control characters and lone surrogates with INVALID_NAME', () => {
    for (const name of [
      '',
      ' \t',
      'a'.repeat(MAX_NAME_LENGTH + 1),
      'line\nbreak',
      'del\u007f',
      '\ud83d',
    ]) {
      assert.throws(
        () => assertValidName('room', name),
        (error) => error instanceof SignalingError && error.code === 'INVALID_NAME',
        JSON.stringify(name),
      );
    }
  });
});

describe('msidStreamId', () => {
  test('keeps SDP tokens and percent-encodes everything else, reversibly', () => {
    assert.equal(msidStreamId('alice'), 'alice');
    assert.equal(msidStreamId('Alice Smith'), 'Alice%20Smith');
    assert.equal(msidStreamId('100%'), '100%25');
    assert.equal(msidStreamId('Zoë'), 'Zo%C3%AB');
    for (const name of ['Alice Smith', '100%', 'Zoë', '山田 😀', 'a:b;c=d']) {
      const id = msidStreamId(name);
      assert.match(id, /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/);
      assert.equal(decodeURIComponent(id), name);
    }
  });
});

describe('werift settings', () => {
  test('withoutTransportCc removes transport-cc feedback lines only', () => {
    const sdp = [
      'a=rtpmap:96 VP8/90000',
      'a=rtcp-fb:96 goog-remb',
      'a=rtcp-fb:96 transport-cc',
      'a=rtcp-fb:96 nack pli',
      'a=rtcp-fb:111 transport-cc',
      '',
    ].join('\r\n');
    assert.equal(
      withoutTransportCc(sdp),
      ['a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 goog-remb', 'a=rtcp-fb:96 nack pli', ''].join('\r\n'),
    );
  });

  test('every peer is ICE lite with Opus and VP8 and no header extensions', () => {
    const config = weriftPeerConfig({ network: { mode: 'loopback' }, iceServers: [] });
    assert.equal(config.iceLite, true);
    assert.deepEqual(
      [...(config.codecs?.audio ?? []), ...(config.codecs?.video ?? [])].map((c) => c.mimeType),
      ['audio/OPUS', 'video/VP8'],
    );
    assert.deepEqual(config.headerExtensions, { audio: [], video: [] });
    assert.deepEqual(config.iceServers, []);
  });

  test('loopback mode announces 127.0.0.1 only', () => {
    const config = weriftPeerConfig({ network: { mode: 'loopback' }, iceServers: [] });
    assert.equal(config.iceUseIpv4, false);
    assert.equal(config.iceUseIpv6, false);
    assert.deepEqual(config.iceAdditionalHostAddresses, ['127.0.0.1']);
    assert.deepEqual(config.iceInterfaceAddresses, { udp4: '127.0.0.1' });
  });

  test('public mode announces the given address on a port range, or every interface', () => {
    const announced = weriftPeerConfig({
      network: { mode: 'public', announcedAddress: '203.0.113.7', portRange: [40000, 40099] },
      iceServers: [{ urls: 'stun:stun.example.org' }],
    });
    assert.deepEqual(announced.iceAdditionalHostAddresses, ['203.0.113.7']);
    assert.equal(announced.iceUseIpv4, false);
    assert.deepEqual(announced.icePortRange, [40000, 40099]);
    assert.equal(announced.iceInterfaceAddresses, undefined);
    assert.deepEqual(announced.iceServers, [{ urls: 'stun:stun.example.org' }]);
    const open = weriftPeerConfig({ network: { mode: 'public' }, iceServers: [] });
    assert.equal(open.iceUseIpv4, undefined);
    assert.equal(open.iceAdditionalHostAddresses, undefined);
  });
});

describe('readIceServers', () => {
  test('accepts RTCIceServer lists and drops unknown keys', () => {
    assert.deepEqual(
      readIceServers([
        { urls: 'stun:a.example' },
        {
          urls: ['turn:b.example?transport=tcp', 'turns:b.example'],
          username: 'u',
          credential: 'c',
          extra: 1,
        },
      ]),
      [
        { urls: 'stun:a.example' },
        {
          urls: ['turn:b.example?transport=tcp', 'turns:b.example'],
          username: 'u',
          credential: 'c',
        },
      ],
    );
  });

  test('refuses what is not one', () => {
    for (const value of [
      {},
      [null],
      [{ urls: 'http://x' }],
      [{ urls: [] }],
      [{ urls: 'turn:x', username: 1 }],
    ]) {
      assert.throws(() => readIceServers(value), TypeError, JSON.stringify(value));
    }
  });
});

describe('readConfig', () => {
  test('defaults: 127.0.0.1:8443, info, no ICE servers, loopback media, own origins, 100 rooms of 16, 50 messages/s', () => {
    assert.deepEqual(readConfig({}), {
      host: '127.0.0.1',
      port: 8443,
      logLevel: 'info',
      iceServers: [],
      network: { mode: 'loopback' },
      allowNoOrigin: true,
      maxRooms: 100,
      maxParticipantsPerRoom: 16,
      rateLimit: { messagesPerSecond: 50, burst: 200 },
      heartbeatIntervalMs: 30000,
      exposeStats: false,
    });
  });

  test('reads every variable', () => {
    assert.deepEqual(
      readConfig({
        HOST: '0.0.0.0',
        PORT: '0',
        LOG_LEVEL: 'warn',
        ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]',
        ANNOUNCED_IP: '203.0.113.7',
        RTC_MIN_PORT: '40000',
        RTC_MAX_PORT: '40100',
        ALLOWED_ORIGINS: 'https://Meet.example.com/, http://localhost:8443,*',
        ALLOW_NO_ORIGIN: 'false',
        MAX_ROOMS: '5',
        MAX_PARTICIPANTS_PER_ROOM: '4',
        RATE_LIMIT_PER_SECOND: '10',
        RATE_LIMIT_BURST: '40',
        HEARTBEAT_INTERVAL_MS: '5000',
        EXPOSE_STATS: 'yes',
      }),
      {
        host: '0.0.0.0',
        port: 0,
        logLevel: 'warn',
        iceServers: [{ urls: 'stun:stun.example.org' }],
        network: { mode: 'public', announcedAddress: '203.0.113.7', portRange: [40000, 40100] },
        allowedOrigins: ['https://meet.example.com', 'http://localhost:8443', '*'],
        allowNoOrigin: false,
        maxRooms: 5,
        maxParticipantsPerRoom: 4,
        rateLimit: { messagesPerSecond: 10, burst: 40 },
        heartbeatIntervalMs: 5000,
        exposeStats: true,
      },
    );
    assert.deepEqual(readConfig({ HOST: '0.0.0.0' }).network, { mode: 'public' });
  });

  test('names the variable that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: '80a' }, /PORT/],
      [{ PORT: '70000' }, /PORT/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ ICE_SERVERS: '{' }, /ICE_SERVERS/],
      [{ ICE_SERVERS: '[{"urls":"ftp://x"}]' }, /ICE_SERVERS/],
      [{ ANNOUNCED_IP: 'example.org' }, /ANNOUNCED_IP/],
      [{ RTC_MIN_PORT: '40000' }, /RTC_MIN_PORT and RTC_MAX_PORT/],
      [{ RTC_MIN_PORT: '40000', RTC_MAX_PORT: '40000' }, /lower/],
      [{ ALLOWED_ORIGINS: 'meet.example.com' }, /ALLOWED_ORIGINS/],
      [{ ALLOW_NO_ORIGIN: 'maybe' }, /ALLOW_NO_ORIGIN/],
      [{ MAX_ROOMS: '0' }, /MAX_ROOMS/],
      [{ MAX_PARTICIPANTS_PER_ROOM: '1.5' }, /MAX_PARTICIPANTS_PER_ROOM/],
      [{ RATE_LIMIT_PER_SECOND: '-1' }, /RATE_LIMIT_PER_SECOND/],
      [{ RATE_LIMIT_BURST: 'lots' }, /RATE_LIMIT_BURST/],
      [{ HEARTBEAT_INTERVAL_MS: '10' }, /HEARTBEAT_INTERVAL_MS/],
    ];
    for (const [env, message] of cases)
      assert.throws(() => readConfig(env), message, JSON.stringify(env));
  });
});
