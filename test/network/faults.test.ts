/**
 * Faults under a running call (issue 9, scenario 6): three participants, each in a home
 * of its own behind the NAT, talk through the reference server while their links fail:
 * 20 s of 5% random loss with a 1.5 Mbit/s cap on every home link; an 8 s total outage of
 * one participant's link; the NAT's mapping changing (new address and ports, every
 * connection tracking entry gone).
 *
 * The figures (lowest frame rate, longest freeze, recovery times) are printed as `# …`
 * lines; the assertions hold the targets.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { openPeerIds } from '../helpers/peers.js';
import { statusText, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';
import { decodingFrom, sampleDecoding, type DecodingFigures } from './helpers/decoding.js';
import { networkCallFixture } from './helpers/network-call.js';
import { peerRestarts, type ParticipantPage } from './helpers/participants.js';
import { NAT_ADDRESS, NAT_ADDRESS_AFTER_CHANGE } from './helpers/topology.js';

const NAMES = ['ann', 'bo', 'cy'];

/** Resolves after `ms`: the length of a fault, which the scenario fixes (not an event). */
const faultLasting = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `# name <- remote: …` lines for figures from {@link sampleDecoding}. */
function report(title: string, figures: Map<string, Record<string, DecodingFigures>>): void {
  for (const [name, remotes] of figures) {
    for (const [remote, f] of Object.entries(remotes)) {
      console.log(
        `# ${title}: ${name} <- ${remote}: lowest ${f.lowestFps.toFixed(1)} fps, ` +
          `longest freeze ${f.longestFreeze.toFixed(2)} s, ${f.frames} frames`,
      );
    }
  }
}

/**
 * Snapshots every page's open peer connections; the function returned prints, under
 * `title`, how many of those open now were created since (rebuilt by the SDK), and the
 * `peer-restarted` events since (`page>participant:reason`).
 */
async function peerSnapshot(pages: Map<string, Page>, title: string) {
  const list = [...pages];
  const before = await Promise.all(list.map(([, page]) => openPeerIds(page)));
  const restartsBefore = await Promise.all(list.map(([, page]) => peerRestarts(page)));
  return async () => {
    const now = await Promise.all(list.map(([, page]) => openPeerIds(page)));
    const rebuilt = now.map((ids, i) => ids.filter((id) => !before[i]!.includes(id))).flat();
    const restarts = await Promise.all(list.map(([, page]) => peerRestarts(page)));
    const events = restarts.flatMap((all, i) =>
      all
        .slice(restartsBefore[i]!.length)
        .map((r) => `${list[i]![0]}>${r.participant}:${r.reason}`),
    );
    console.log(
      `# ${title}: ${rebuilt.length} of ${now.flat().length} peer connections rebuilt; ` +
        `peer-restarted: ${events.join(' ') || 'none'}`,
    );
  };
}

/** Every page decodes both others; resolves with the slowest page's seconds since `sinceMs`. */
async function everyoneDecodesEveryone(
  pages: Map<string, Page>,
  sinceMs: number,
  options: { timeoutMs?: number; fromNow?: boolean } = {},
) {
  const seconds = await Promise.all(
    [...pages].map(([name, page]) =>
      decodingFrom(
        page,
        NAMES.filter((other) => other !== name),
        sinceMs,
        options,
      ),
    ),
  );
  return Math.max(...seconds);
}

describe('a three-party call across a NAT, through faults on the home links', () => {
  const net = networkCallFixture({ homes: NAMES.length });
  const pages = new Map<string, ParticipantPage>();

  before(async () => {
    const openedAt = Date.now();
    for (const [i, name] of NAMES.entries()) pages.set(name, await net.join(i + 1, 'faults', name));
    const seconds = await everyoneDecodesEveryone(pages, openedAt);
    console.log(
      `# three homes: everyone decodes everyone ${seconds.toFixed(2)} s after the first page opened`,
    );
  });

  it('through 20 s of 5% random loss and a 1.5 Mbit/s cap on every home link, everyone keeps decoding everyone', async () => {
    const reportRebuilt = await peerSnapshot(pages, '5% loss, 1.5 Mbit/s');
    await net.topology.impair([1, 2, 3], { lossPercent: 5, rateKbps: 1500 });
    const figures = await sampleDecoding(pages, faultLasting(20000));
    await net.topology.impair([1, 2, 3]);
    report('5% loss, 1.5 Mbit/s', figures);
    await reportRebuilt();
    // Keeps decoding: frames from everyone, and no freeze longer than one rebuild of a
    // subscription the stall watchdog gave up on (2.5 s, then a new negotiation). Measured on
    // a calm machine: freezes of at most 0.35 s in 4 runs of 5; in the 5th the watchdog
    // rebuilt two subscriptions during the loss (freezes of 2.8 and 3.5 s).
    for (const [name, remotes] of figures) {
      for (const [remote, f] of Object.entries(remotes)) {
        assert.ok(f.frames > 0, `${name} decoded frames from ${remote}`);
        assert.ok(f.longestFreeze < 5, `${name} <- ${remote}: a freeze of ${f.longestFreeze} s`);
      }
    }
  });

  it('after an 8 s outage of one link, that participant decodes everyone within 2 s, and the other two never lose each other', async () => {
    const others = new Map(NAMES.slice(1).map((name) => [name, pages.get(name)!]));
    const reportRebuilt = await peerSnapshot(pages, 'outage of ann');
    await net.topology.setOutage(1, true);
    const during = await sampleDecoding(others, faultLasting(8000));
    await net.topology.setOutage(1, false);
    const restoredAt = Date.now();
    report('outage of ann', during);
    for (const [name, remotes] of during) {
      const other = NAMES.find((n) => n !== name && n !== 'ann')!;
      const f = remotes[other]!;
      assert.ok(
        f.longestFreeze < 1,
        `${name} <- ${other} froze ${f.longestFreeze} s while ann was out`,
      );
    }
    const [ann, all] = await Promise.all([
      decodingFrom(pages.get('ann')!, ['bo', 'cy'], restoredAt, { fromNow: true }),
      everyoneDecodesEveryone(pages, restoredAt, { fromNow: true }),
    ]);
    console.log(
      `# outage of ann: ann decodes everyone ${ann.toFixed(2)} s after the link returned, everyone everyone ${all.toFixed(2)} s`,
    );
    await reportRebuilt();
    assert.ok(ann <= 2, `ann decoded everyone again ${ann.toFixed(2)} s after the link returned`);
    for (const [name, page] of pages) {
      assert.deepEqual(
        (await tiles(page)).map((t) => t.name).sort(),
        [...NAMES].sort(),
        `${name}'s tiles`,
      );
    }
  });

  it("when the NAT's mapping changes under the call, the affected peers heal alone", async () => {
    const outside = async () => new Set((await net.topology.natMappings()).map((m) => m.outside));
    const before = await outside();
    assert.ok(
      [...before].some((o) => o.startsWith(`${NAT_ADDRESS}:`)),
      'flows through the NAT',
    );
    const reportRebuilt = await peerSnapshot(pages, 'NAT mapping change');
    await net.topology.changeNatMapping();
    const changedAt = Date.now();
    // The masquerade forgets the old address's connections from a work queue, shortly after.
    await waitUntil(
      async () => ![...(await outside())].some((o) => o.startsWith(`${NAT_ADDRESS}:`)),
      {
        timeoutMs: 5000,
        message: 'the old mappings gone',
      },
    );
    const seconds = await everyoneDecodesEveryone(pages, changedAt, {
      timeoutMs: 30000,
      fromNow: true,
    });
    const figures = await sampleDecoding(pages, faultLasting(3000));
    console.log(`# NAT mapping change: everyone decodes everyone ${seconds.toFixed(2)} s later`);
    report('after the NAT mapping change', figures);
    await reportRebuilt();
    const now = await outside();
    assert.ok(
      [...now].some((o) => o.startsWith(`${NAT_ADDRESS_AFTER_CHANGE}:`)) &&
        [...now].every((o) => !before.has(o)),
      `flows on new mappings only: ${[...now].join(' ')}`,
    );
    for (const [name, remotes] of figures) {
      for (const [remote, f] of Object.entries(remotes)) {
        assert.ok(
          f.longestFreeze < 1,
          `${name} <- ${remote} still freezing (${f.longestFreeze} s)`,
        );
      }
    }
  });

  it('no page threw an uncaught exception, and every page is in the call', async () => {
    for (const [name, page] of pages) {
      assert.deepEqual(page.errors, [], `${name}'s page errors`);
      assert.match(await statusText(page), /connected/i);
    }
  });
});
