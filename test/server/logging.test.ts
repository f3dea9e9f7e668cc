/**
 * What the server logs and at which level: a session's story at info with room and
 * participant fields, refusals at warn, client mistakes at debug, and never an SDP at
 * info or above.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeBackend } from './helpers/fake-backend.js';
import { until, withServer } from './helpers/fixture.js';
import { captureLogs, LEVEL, type LogLine } from './helpers/log-capture.js';

const SDP_MARK = 'a=fingerprint:sha-256 SDP-MARK';

test('a session is logged at info with room and participant; refusals at warn; no SDP at info', async (t) => {
  const { logger, lines } = captureLogs('debug');
  const { connect, server } = await withServer(t, {
    backend: new FakeBackend(),
    logger,
    maxParticipantsPerRoom: 1,
  });
  const alice = await connect();
  await alice.join('room', 'alice');
  alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: `v=0\r\n${SDP_MARK}` });
  await alice.next('receiveVideoAnswer');
  alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: `reject\r\n${SDP_MARK}` });
  assert.equal((await alice.next('error')).code, 'MEDIA_ERROR');
  const bob = await connect();
  await assert.rejects(bob.join('room', 'bob'), /ROOM_FULL/);
  await alice.close();
  await until(() => server.stats().rooms === 0, 'the room is closed');

  const find = (level: number, msg: RegExp, fields: Partial<LogLine> = {}) =>
    lines.find(
      (line) =>
        line.level === level &&
        msg.test(line.msg) &&
        Object.entries(fields).every(([key, value]) => line[key] === value),
    );
  assert.ok(find(LEVEL.info, /connection open/), 'connection open');
  assert.equal(typeof find(LEVEL.info, /connection open/)?.remote, 'string');
  assert.ok(find(LEVEL.info, /^joined$/, { room: 'room', participant: 'alice' }), 'joined');
  assert.ok(
    find(LEVEL.debug, /could not process the offer/, { room: 'room', participant: 'alice' }),
    'a client mistake at debug, with the connection’s room and participant',
  );
  assert.ok(
    find(LEVEL.warn, /join refused/, { code: 'ROOM_FULL', room: 'room', participant: 'bob' }),
    'ROOM_FULL at warn',
  );
  assert.ok(find(LEVEL.info, /^left$/, { room: 'room', participant: 'alice' }), 'left');
  assert.ok(find(LEVEL.info, /connection closed/, { code: 1005, participant: 'alice' }));
  assert.ok(find(LEVEL.info, /room closed/, { room: 'room' }));
  const withSdp = lines.filter(
    (line) => line.level >= LEVEL.info && JSON.stringify(line).includes('SDP-MARK'),
  );
  assert.deepEqual(withSdp, [], 'no SDP at info or above');
});
