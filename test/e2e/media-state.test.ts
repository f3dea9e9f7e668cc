/**
 * End to end: the mute state through the real reference server. alice and bob join through
 * the demo page; alice mutes (the element stops her camera and sends black frames) and the
 * server relays her `setMediaState` to the room; bob keeps decoding her (black) video; a late
 * joiner, carol, sees her muted state as soon as she joins; a change made while the server
 * was down shows once everyone has re-joined the restarted server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import type { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import type { MediaMuteState } from '../../packages/sdk/src/core/types.js';
import { inboundReports, openPage } from '../helpers/browser.js';
import { callFixture } from '../helpers/call-fixture.js';
import { demoUrl, statusText } from '../helpers/room-page.js';
import { startServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';

const VIDEO = '320x240@15';
const MUTED: MediaMuteState = { audioMuted: true, videoMuted: true };
const UNMUTED: MediaMuteState = { audioMuted: false, videoMuted: false };

/** How `viewer`'s client sees `name`'s mute state; null until `name` is a participant there. */
function seenState(viewer: Page, name: string): Promise<MediaMuteState | null> {
  return viewer.evaluate((who) => {
    const element = document.querySelector('kurento-room') as unknown as { client?: RoomClient };
    const participant = element?.client?.participants.get(who);
    return participant
      ? { audioMuted: participant.audioMuted, videoMuted: participant.videoMuted }
      : null;
  }, name);
}

/** Waits until `viewer` sees `name` with `state`. */
async function expectSeen(viewer: Page, name: string, state: MediaMuteState, what: string) {
  await waitUntil(
    async () => {
      const seen = await seenState(viewer, name);
      return seen?.audioMuted === state.audioMuted && seen.videoMuted === state.videoMuted;
    },
    { message: what },
  );
}

/** Calls `setMicrophoneEnabled` and `setCameraEnabled` on the page's client. */
function setEnabled(page: Page, enabled: boolean): Promise<void> {
  return page.evaluate(async (on) => {
    const { client } = document.querySelector('kurento-room') as unknown as { client: RoomClient };
    await client.setMicrophoneEnabled(on);
    await client.setCameraEnabled(on);
  }, enabled);
}

/** The `readyState` of the camera track kept in `window.__camera`. */
function cameraState(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => (window as unknown as { __camera?: MediaStreamTrack }).__camera?.readyState,
  );
}

/** The framesDecoded of the page's only subscription (a room of two). */
async function framesDecoded(page: Page): Promise<number> {
  const reports = await inboundReports(page);
  return reports.length === 1 ? reports[0]!.framesDecoded : 0;
}

describe('the mute state in a call through the reference server', () => {
  const call = callFixture('mute', ['alice', 'bob'], VIDEO);
  const pages = call.pages;

  it('alice mutes: bob sees it, keeps decoding her black frames, and no peer connection is rebuilt', async () => {
    const alice = pages.get('alice')!;
    const bob = pages.get('bob')!;
    await waitUntil(async () => (await framesDecoded(bob)) > 0, {
      message: 'bob decoding alice',
    });
    await bob.evaluate(() => {
      const { client } = document.querySelector('kurento-room') as unknown as {
        client: RoomClient;
      };
      const restarts: string[] = [];
      (window as unknown as { __restarts: string[] }).__restarts = restarts;
      client.on('peerRestarted', (participant, reason) => {
        restarts.push(`${participant.name}: ${reason}`);
      });
    });
    assert.deepEqual(await seenState(bob, 'alice'), { audioMuted: false, videoMuted: false });

    await alice.evaluate(() => {
      const { client } = document.querySelector('kurento-room') as unknown as {
        client: RoomClient;
      };
      const w = window as unknown as { __camera?: MediaStreamTrack };
      w.__camera = client.localParticipant!.stream!.getVideoTracks()[0];
    });
    await setEnabled(alice, false);
    await expectSeen(
      bob,
      'alice',
      { audioMuted: true, videoMuted: true },
      'bob seeing alice muted',
    );

    // The element stops a camera turned off (its light goes off) and sends black frames.
    assert.equal(await cameraState(alice), 'ended');
    const muted = await framesDecoded(bob);
    // 20 black frames at 5 a second: longer than the 2.5 s stall timeout.
    await waitUntil(async () => (await framesDecoded(bob)) > muted + 20, {
      message: 'bob still decoding alice’s video (black frames) while her camera is off',
    });
    const restarts = await bob.evaluate(
      () => (window as unknown as { __restarts: string[] }).__restarts,
    );
    assert.deepEqual(restarts, [], 'no stall watchdog fired');
  });

  it('a late joiner sees alice muted at once, without her doing anything', async () => {
    const carol = await openPage(call.browser, demoUrl(call.server.url, 'mute', 'carol', VIDEO));
    pages.set('carol', carol);
    await waitUntil(async () => (await seenState(carol, 'alice')) !== null, {
      message: 'carol joined with alice in the room',
    });
    await expectSeen(
      carol,
      'alice',
      { audioMuted: true, videoMuted: true },
      'carol seeing alice muted',
    );
    assert.deepEqual(await seenState(carol, 'bob'), { audioMuted: false, videoMuted: false });
  });

  it('alice unmutes: bob and carol see it', async () => {
    await setEnabled(pages.get('alice')!, true);
    for (const name of ['bob', 'carol']) {
      await expectSeen(
        pages.get(name)!,
        'alice',
        { audioMuted: false, videoMuted: false },
        `${name} seeing alice unmuted`,
      );
    }
  });

  it('alice unmutes while the server is down: after it restarts, bob and carol see her unmuted', async () => {
    const alice = pages.get('alice')!;
    await setEnabled(alice, false);
    for (const name of ['bob', 'carol']) {
      await expectSeen(pages.get(name)!, 'alice', MUTED, `${name} seeing alice muted`);
    }
    const port = new URL(call.server.url).port;
    call.server.child.kill('SIGKILL');
    await call.server.exited;
    for (const [name, page] of pages) {
      await waitUntil(async () => /reconnecting/i.test(await statusText(page)), {
        message: `${name} reconnecting`,
      });
    }
    await setEnabled(alice, true);
    call.server = await startServerProcess({ PORT: port });
    // Whoever re-joins first, the room puts bob and carol right: a joiner gets everyone's
    // state, and someone who arrives again starts unmuted.
    for (const name of ['bob', 'carol']) {
      const page = pages.get(name)!;
      await waitUntil(async () => /connected/i.test(await statusText(page)), {
        message: `${name} connected again`,
      });
      await expectSeen(page, 'alice', UNMUTED, `${name} seeing alice unmuted`);
    }
  });

  it('no page threw an uncaught exception', () => {
    for (const [name, page] of pages) assert.deepEqual(page.errors, [], `${name}: no page error`);
  });
});
