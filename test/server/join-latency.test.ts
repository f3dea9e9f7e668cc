/**
 * What the werift SFU does to make a join fast (issue 12, "Raise them"), with werift
 * itself as the browser in Node: the SFU is the DTLS server, so the browser's
 * ClientHello starts the handshake as soon as its ICE check succeeds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withServer } from './helpers/fixture.js';
import { publish, subscribe } from './helpers/werift-peer.js';

describe('a join without waits on the werift SFU', () => {
  test('every answer makes the SFU the DTLS server (a=setup:passive, RFC 5763 section 5)', async (t) => {
    const { connect } = await withServer(t);
    const alice = await connect();
    await alice.join('room', 'alice');
    const bob = await connect();
    await bob.join('room', 'bob');
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
