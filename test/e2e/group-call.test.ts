/**
 * End to end: the real reference server (embedded werift SFU) and three headless
 * Chromium participants with fake media, joining one room through the demo page.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inboundReports } from '../helpers/browser.js';
import { callFixture } from '../helpers/call-fixture.js';
import { clickJoinLeave, tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';

const NAMES = ['alice', 'bob', 'carol'];

describe('a group call of three in the demo page', () => {
  const call = callFixture('e2e', NAMES);
  const pages = call.pages;

  it('every participant shows its own preview and a playing tile for both others', async () => {
    for (const [name, page] of pages) {
      const seen = await waitUntil(
        async () => {
          const list = await tiles(page);
          const remote = list.filter((t) => !t.local);
          const ok =
            list.length === 3 &&
            list.some((t) => t.local && t.name === name && t.videoWidth > 0) &&
            remote.length === 2 &&
            remote.every((t) => t.videoWidth > 0 && t.playing);
          return ok && list;
        },
        { message: `${name}'s three tiles with video` },
      );
      assert.deepEqual(
        seen
          .filter((t) => !t.local)
          .map((t) => t.name)
          .sort(),
        NAMES.filter((n) => n !== name),
      );
    }
  });

  it('every participant decodes rising video and receives audio from both others', async () => {
    for (const [name, page] of pages) {
      const first = await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return reports.length === 2 && reports.every((r) => r.framesDecoded > 0) && reports;
        },
        { message: `${name} decoding two remote videos` },
      );
      const minimum = Math.max(...first.map((r) => r.framesDecoded));
      const later = await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return (
            reports.length === 2 &&
            reports.every((r) => r.framesDecoded > minimum + 10 && r.frameWidth > 0) &&
            reports
          );
        },
        { message: `${name}'s framesDecoded rising` },
      );
      for (const report of later) {
        assert.ok(report.audioPackets > 0, `${name} receives audio packets`);
        assert.ok(report.audioEnergy > 0, `${name} receives audible audio`);
      }
    }
  });

  it('when one participant leaves, the other two drop its tile and keep the other', async () => {
    await clickJoinLeave(pages.get('carol')!);
    for (const name of ['alice', 'bob']) {
      const page = pages.get(name)!;
      const list = await waitUntil(
        async () => {
          const now = await tiles(page);
          return now.length === 2 && !now.some((t) => t.name === 'carol') && now;
        },
        { message: `${name} dropping carol's tile` },
      );
      const other = list.find((t) => !t.local)!;
      assert.equal(other.name, name === 'alice' ? 'bob' : 'alice');
      assert.ok(other.videoWidth > 0);
    }
    const carolPeers = await pages
      .get('carol')!
      .evaluate(() =>
        (window as unknown as { __peers: RTCPeerConnection[] }).__peers.map(
          (pc) => pc.connectionState,
        ),
      );
    assert.ok(carolPeers.length >= 3, 'carol had a publisher and two subscribers');
    assert.ok(
      carolPeers.every((state) => state === 'closed'),
      `carol's peers all closed: ${carolPeers}`,
    );
  });

  it('no page threw an uncaught exception', () => {
    for (const [name, page] of pages) assert.deepEqual(page.errors, [], `${name}'s page errors`);
  });
});
