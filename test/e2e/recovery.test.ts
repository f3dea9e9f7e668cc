/**
 * Recovery end to end: the real server process and three Chromium participants in the
 * demo page. (1) The server is killed (SIGKILL) and started again on the same port:
 * every client re-joins by itself and decodes every other's video again. (2) One
 * subscription's peer connection is closed under the client: it is rebuilt alone and
 * decodes again, and the other peer connections are untouched.
 *
 * The recovery times are printed (the issue's targets: 5 s and 3 s); the assertions'
 * limits are failure guards, the bench (`bench/recovery.ts`) gives medians.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess } from '../helpers/server-process.js';
import { callFixture } from '../helpers/call-fixture.js';
import { statusText, tiles } from '../helpers/room-page.js';
import { closeOneSubscription, decodingEverywhere, openPeerIds } from '../helpers/peers.js';
import { waitUntil } from '../helpers/wait.js';

const NAMES = ['ann', 'bo', 'cy'];

describe('recovery of a three-party call', () => {
  const call = callFixture('recovery', NAMES, '320x240@15');
  const pages = call.pages;

  before(() => decodingEverywhere([...pages.values()], NAMES.length - 1));

  it('after the server is killed and restarted, everyone decodes everyone again', async () => {
    const port = new URL(call.server.url).port;
    const before = await Promise.all([...pages.values()].map(openPeerIds));
    call.server.child.kill('SIGKILL');
    await call.server.exited;
    for (const [name, page] of pages) {
      await waitUntil(async () => /reconnecting/i.test(await statusText(page)), {
        message: `${name} showing that it reconnects`,
      });
    }
    call.server = await startServerProcess({ PORT: port });
    const listening = Date.now();
    await decodingEverywhere([...pages.values()], NAMES.length - 1, 15000);
    const seconds = (Date.now() - listening) / 1000;
    console.log(`# recovered from a server restart ${seconds.toFixed(2)} s after it listened`);
    for (const [i, page] of [...pages.values()].entries()) {
      const now = await openPeerIds(page);
      assert.equal(now.length, NAMES.length, 'one publisher and two subscribers, no leftovers');
      assert.ok(
        now.every((id) => !before[i].includes(id)),
        'every peer connection was rebuilt',
      );
    }
    for (const [name, page] of pages) {
      const list = await tiles(page);
      assert.deepEqual(
        list.map((t) => t.name).sort(),
        [...NAMES].sort(),
        `${name} keeps one tile per participant`,
      );
      assert.match(await statusText(page), /connected/i);
    }
  });

  it('a subscription closed under the client is rebuilt alone and decodes again', async () => {
    const page = pages.get('ann')!;
    const before = await openPeerIds(page);
    const broken = await closeOneSubscription(page);
    const closedAt = Date.now();
    await decodingEverywhere([page], NAMES.length - 1, 10000);
    const seconds = (Date.now() - closedAt) / 1000;
    console.log(`# a closed subscription decoded again after ${seconds.toFixed(2)} s`);
    const now = await openPeerIds(page);
    assert.equal(now.length, before.length, 'as many open peer connections as before');
    assert.ok(!now.includes(broken), 'the broken one is gone');
    assert.deepEqual(
      now.filter((id) => before.includes(id)).sort(),
      before.filter((id) => id !== broken).sort(),
      'the other peer connections are untouched',
    );
  });

  it('no page threw an uncaught exception', () => {
    for (const [name, page] of pages) assert.deepEqual(page.errors, [], `${name}'s page errors`);
  });
});
