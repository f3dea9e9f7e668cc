/**
 * End to end: every media control of `<kurento-room>`, clicked in real Chromium pages
 * of the demo with fake media, against the real reference server. What one participant
 * does must show on the others' pages: mute state (relayed by the server), the speaking
 * highlight (the fake microphone beeps), a camera switch and a screen share (their video
 * keeps decoding on the same peer connection, no renegotiation).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { callFixture } from '../helpers/call-fixture.js';
import {
  clickControl,
  pressed,
  sentVideo,
  subscriptionTo,
  tileFlags,
  type TileFlags,
} from '../helpers/controls.js';
import { decodingEverywhere } from '../helpers/peers.js';
import { tiles } from '../helpers/room-page.js';
import { waitUntil } from '../helpers/wait.js';

const NAMES = ['alice', 'bob', 'carol'];
const VIDEO = '320x240@15';

/** Waits until `page` shows `name`'s tile with `flags` (the ones given). */
function tileShows(page: Page, name: string, flags: Partial<TileFlags>, message: string) {
  return waitUntil(
    async () => {
      const tile = (await tileFlags(page))[name];
      return (
        !!tile &&
        Object.entries(flags).every(([key, value]) => tile[key as keyof TileFlags] === value)
      );
    },
    { timeoutMs: 10000, message },
  );
}

/**
 * Waits until `page` decodes `name`'s video at `width` px (any width when undefined), rising by
 * more than 10 frames on the same peer connection; resolves with that connection's id.
 */
async function decodes(page: Page, name: string, width?: number): Promise<number> {
  const start = await waitUntil(
    async () => {
      const s = await subscriptionTo(page, name);
      return s && s.framesDecoded > 0 && (width === undefined || s.frameWidth === width) && s;
    },
    { timeoutMs: 15000, message: `${name}'s video${width ? ` at ${width} px` : ''}` },
  );
  await waitUntil(
    async () => {
      const s = await subscriptionTo(page, name);
      return s && s.id === start.id && s.framesDecoded > start.framesDecoded + 10;
    },
    { timeoutMs: 15000, message: `${name}'s frames rising on peer connection ${start.id}` },
  );
  return start.id;
}

describe('the media controls of <kurento-room>, end to end', () => {
  // Three fake cameras: fake_device_1 delivers Y16 frames, which the video encoder never
  // encodes (framesEncoded stops after replaceTrack); fake_device_2 (MJPEG) encodes.
  const call = callFixture('controls', NAMES, VIDEO, { cameras: 3 });
  const page = (name: string) => call.pages.get(name)!;

  it('three participants decode each other', async () => {
    await decodingEverywhere([...call.pages.values()], 2);
  });

  it("the microphone and camera buttons mute alice on the others' tiles; unmuting clears it, and her video keeps decoding", async () => {
    const alice = page('alice');
    await clickControl(alice, 'mic-button');
    await clickControl(alice, 'camera-button');
    assert.equal(await pressed(alice, 'mic-button'), true);
    assert.equal(await pressed(alice, 'camera-button'), true);
    await tileShows(alice, 'alice', { audioMuted: true, videoMuted: true }, 'her own tile muted');
    for (const name of ['bob', 'carol']) {
      await tileShows(
        page(name),
        'alice',
        { audioMuted: true, videoMuted: true },
        `${name}: muted`,
      );
    }
    // Camera off sends black frames: the others' subscriptions keep decoding (no stall, no rebuild).
    const before = await subscriptionTo(page('bob'), 'alice');
    assert.equal(await decodes(page('bob'), 'alice'), before!.id);

    await clickControl(alice, 'mic-button');
    await clickControl(alice, 'camera-button');
    assert.equal(await pressed(alice, 'mic-button'), false);
    for (const name of ['bob', 'carol']) {
      await tileShows(
        page(name),
        'alice',
        { audioMuted: false, videoMuted: false },
        `${name}: alice unmuted`,
      );
    }
  });

  it('the speaking highlight follows who makes sound, and leaves a participant who mutes', async () => {
    const carol = page('carol');
    // Everyone's fake microphone beeps, carol's own too (the local participant can be the
    // speaker): silence bob and carol, so that on carol's page only alice speaks.
    await clickControl(page('bob'), 'mic-button');
    await clickControl(carol, 'mic-button');
    await tileShows(carol, 'bob', { audioMuted: true }, 'bob muted on carol');
    await tileShows(carol, 'alice', { speaking: true }, 'alice speaking on carol');
    await tileShows(carol, 'bob', { speaking: false }, 'bob, muted, not speaking on carol');

    await clickControl(carol, 'layout-button');
    await tileShows(carol, 'alice', { focus: true }, 'alice, the speaker, in focus');

    // Alice mutes, bob unmutes: the highlight and the focus move to bob.
    await clickControl(page('alice'), 'mic-button');
    await clickControl(page('bob'), 'mic-button');
    await tileShows(carol, 'alice', { audioMuted: true, speaking: false }, 'alice muted, silent');
    await tileShows(carol, 'bob', { speaking: true, focus: true }, 'bob speaking, in focus');
    assert.equal((await tileFlags(carol)).alice!.focus, false);

    await clickControl(page('alice'), 'mic-button');
    await clickControl(carol, 'mic-button');
    await clickControl(carol, 'layout-button');
  });

  it('switching the camera in the device menu keeps the others decoding on the same peer connection', async () => {
    const alice = page('alice');
    const before = (await sentVideo(alice))!;
    const bobSubscription = (await subscriptionTo(page('bob'), 'alice'))!;
    await clickControl(alice, 'devices-button');
    // The menu lists the devices once `enumerateDevices` answers, after it opens.
    const chosen = await waitUntil(
      () =>
        alice.evaluate(() => {
          const root = document.querySelector('kurento-room')!.shadowRoot!;
          const select = root.querySelector<HTMLSelectElement>('[part~="camera-select"]');
          const other = [...(select?.options ?? [])].find((o) => o.text === 'fake_device_2');
          if (!select || !other) return undefined;
          select.value = other.value;
          select.dispatchEvent(new Event('change', { bubbles: true }));
          return other.value;
        }),
      { message: 'fake_device_2 listed in the device menu' },
    );
    assert.notEqual(chosen, before.deviceId);
    await waitUntil(async () => (await sentVideo(alice))?.deviceId === chosen, {
      message: 'alice sending the other camera',
    });
    assert.equal(await decodes(page('bob'), 'alice'), bobSubscription.id);
    assert.equal(
      await decodes(page('carol'), 'alice'),
      (await subscriptionTo(page('carol'), 'alice'))!.id,
    );
  });

  it('a screen share shows on the other side at the screen size, and the camera comes back after', async () => {
    const alice = page('alice');
    const camera = (await sentVideo(alice))!;
    const subscription = (await subscriptionTo(page('bob'), 'alice'))!;
    await clickControl(alice, 'screen-button');
    await waitUntil(async () => (await pressed(alice, 'screen-button')) === true, {
      message: 'the screen button pressed',
    });
    const screen = await waitUntil(
      async () => {
        const sent = await sentVideo(alice);
        return sent && sent.width !== camera.width && sent;
      },
      { message: 'alice sending her screen' },
    );
    assert.equal(await decodes(page('bob'), 'alice', screen.width), subscription.id);

    await clickControl(alice, 'screen-button');
    assert.equal(await decodes(page('bob'), 'alice', camera.width), subscription.id);
    assert.equal(await pressed(alice, 'screen-button'), false);
  });

  it('the leave button takes carol out: the others drop her tile', async () => {
    await clickControl(page('carol'), 'leave-button');
    for (const name of ['alice', 'bob']) {
      await waitUntil(
        async () => {
          const list = await tiles(page(name));
          return list.length === 2 && !list.some((t) => t.name === 'carol');
        },
        { message: `${name} dropping carol's tile` },
      );
    }
  });

  it('no page threw an uncaught exception', () => {
    for (const [name, p] of call.pages) assert.deepEqual(p.errors, [], `${name}'s page errors`);
  });
});
