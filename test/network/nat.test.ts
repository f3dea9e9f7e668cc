/**
 * A call across a NAT (issue 9, scenarios 1, 3, 4 and 5): the reference server with its
 * own HTTPS and coturn on a public address, two Chromium participants each in a home
 * behind an nftables masquerade. The demo page is loaded over HTTPS from the server and
 * joins over WSS; media crosses the NAT directly, then over TURN/TCP once the NAT drops
 * all UDP, and with TURN blocked as well the app is told, in words, within a bounded time.
 *
 * Times to first frame are printed (`# …` lines); the assertions' limits are failure
 * guards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statusText } from '../helpers/room-page.js';
import { decodingFrom } from './helpers/decoding.js';
import { networkCallFixture } from './helpers/network-call.js';
import {
  expectTurnAdvice,
  NEGOTIATION_TIMEOUT_MS,
  selectedPairsOf,
  type ParticipantPage,
} from './helpers/participants.js';
import { SERVER_ADDRESS } from './helpers/topology.js';

describe('a call across a NAT', () => {
  const net = networkCallFixture({ homes: 2 });
  let open: ParticipantPage[] = [];

  /** Ann in home 1 and Bo in home 2 join `room`; resolves once both decode each other. */
  async function callOfTwo(room: string): Promise<ParticipantPage[]> {
    for (const page of open) await page.close();
    const openedAt = Date.now();
    open = [await net.join(1, room, 'ann'), await net.join(2, room, 'bo')];
    const [ann, bo] = open as [ParticipantPage, ParticipantPage];
    const seconds = await Promise.all([
      decodingFrom(ann, ['bo'], openedAt),
      decodingFrom(bo, ['ann'], openedAt),
    ]);
    console.log(
      `# ${room}: first frame both ways ${Math.max(...seconds).toFixed(2)} s after the pages opened`,
    );
    return open;
  }

  it('the demo page served over HTTPS by the server itself is a secure context and joins over WSS', async () => {
    const [ann] = await callOfTwo('direct');
    const page = await ann!.evaluate(() => ({
      protocol: location.protocol,
      secure: isSecureContext,
      camera: !!navigator.mediaDevices,
    }));
    assert.deepEqual(page, { protocol: 'https:', secure: true, camera: true });
    assert.match(await statusText(ann!), /connected/i);
  });

  it('media flows both ways through the NAT, and the selected pair reaches the announced address', async () => {
    for (const page of open) {
      // A publisher and a subscriber, each with a selected pair.
      const pairs = await selectedPairsOf(page, 2);
      for (const { local, remote } of pairs) {
        assert.equal(remote.address, SERVER_ADDRESS, 'the SFU as it announces itself');
        assert.notEqual(local.candidateType, 'relay', 'no TURN relay on a direct path');
        assert.equal(local.protocol, 'udp');
      }
    }
  });

  it('with all UDP dropped at the NAT, TURN over TCP carries the call', async () => {
    await net.topology.blockUdp();
    await callOfTwo('tcp-only');
    for (const page of open) {
      const pairs = await selectedPairsOf(page, 2);
      for (const { local, remote } of pairs) {
        assert.deepEqual(
          [local.candidateType, local.relayProtocol],
          ['relay', 'tcp'],
          'a relay reached over TCP',
        );
        assert.equal(remote.address, SERVER_ADDRESS);
      }
    }
  });

  it('with UDP and TURN blocked, the app gets a NegotiationError (timeout) and the element says a TURN server may be needed', async () => {
    await net.topology.blockTurnTcp();
    for (const page of open) await page.close();
    const openedAt = Date.now();
    open = [await net.join(1, 'no-route', 'ann'), await net.join(2, 'no-route', 'bo')];
    for (const page of open) await expectTurnAdvice(page);
    console.log(`# no route: the error after ${((Date.now() - openedAt) / 1000).toFixed(2)} s`);
    // Nothing spins: each peer is rebuilt on the backoff, not in a loop.
    const count = () =>
      Promise.all(
        open.map((page) =>
          page.evaluate(() => (window as unknown as { __peers: unknown[] }).__peers.length),
        ),
      );
    const before = await count();
    await new Promise((resolve) => setTimeout(resolve, NEGOTIATION_TIMEOUT_MS));
    const later = await count();
    for (const [i, page] of open.entries()) {
      // A publisher and one subscriber; a rebuild fails no sooner than its deadline, so
      // each is rebuilt at most twice in a deadline's time (once at each edge).
      assert.ok(later[i]! - before[i]! <= 4, `${later[i]! - before[i]!} peer connections in 10 s`);
      assert.deepEqual(page.errors, []);
    }
  });
});
