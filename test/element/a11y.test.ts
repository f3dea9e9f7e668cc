// `<kurento-room>` passes axe-core's WCAG 2.1 A/AA rules in every state a user meets:
// before joining, connecting, alone, with others, muted, a muted participant, speaker
// layout, the device menu open, playback blocked, and an error. Each state is reached
// the way a user reaches it (the fake group-call server, real fake media), then checked.
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import { a11yViolations } from '../helpers-browser/axe.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento, onCleanup } from '../helpers-browser/fixture.js';
import {
  freshRoom,
  mount,
  nextEvent,
  playing,
  rendered,
  shadow,
  statusText,
  tile,
  SERVER,
} from './helpers.js';

describe('<kurento-room> accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  let server: FakeKurento;

  afterEach(cleanup);

  /** Mounts the element on the fake server in a fresh room with `others` already there. */
  async function inRoom(
    others: string[] = [],
    attributes: Record<string, string> = {},
  ): Promise<KurentoRoomElement> {
    const room = freshRoom();
    for (const name of others) server.arrive(name, room);
    const element = await mount({ server: SERVER, room, name: 'Ada', ...attributes });
    await element.join();
    for (const name of others) {
      const video = await rendered(
        element,
        () => tile(element, name)?.querySelector('video'),
        `${name}'s tile`,
      );
      await playing(video);
    }
    await element.updateComplete;
    return element;
  }

  /** Resolves with the first element of the shadow root matching `selector`, once rendered. */
  const shown = (element: KurentoRoomElement, selector: string) =>
    rendered(element, () => shadow(element).querySelector<HTMLElement>(selector), selector);

  it('the check sees into shadow roots and says what to fix (an unnamed button fails)', async () => {
    const host = document.createElement('div');
    host.attachShadow({ mode: 'open' }).innerHTML = '<button part="x"></button>';
    document.body.append(host);
    onCleanup(() => host.remove());
    const violations = await a11yViolations(host);
    expect(violations).to.have.length(1);
    expect(violations[0]).to.match(/^button-name \(critical\): Buttons must have discernible text/);
    expect(violations[0]).to.contain('button');
  });

  describe('with a group-call server', () => {
    beforeEach(() => {
      server = fakeKurento({ url: SERVER });
    });

    it('before joining, the pre-join screen with its camera preview and pickers, has no violations', async () => {
      const element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
      await shown(element, '[part~="prejoin"]');
      await shown(element, '[part~="camera-select"] option');
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('before joining with autojoin off and no room or name (the plain lobby) has no violations', async () => {
      const element = await mount({ server: SERVER, autojoin: '' });
      await shown(element, '[part~="join-button"]');
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('while connected alone, showing the empty state, has no violations', async () => {
      const element = await inRoom();
      await shown(element, '[part~="empty"]');
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('while connected with two remote participants has no violations', async () => {
      const element = await inRoom(['Bob', 'Carol']);
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('with the microphone and camera muted has no violations', async () => {
      const element = await inRoom(['Bob']);
      await element.client!.setMicrophoneEnabled(false);
      await element.client!.setCameraEnabled(false);
      await element.updateComplete;
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('with a remote participant muted has no violations', async () => {
      const element = await inRoom(['Bob', 'Carol']);
      server.send({ id: 'participantMediaState', name: 'Bob', audioMuted: true, videoMuted: true });
      await rendered(
        element,
        () => tile(element, 'Bob')?.hasAttribute('data-audio-muted'),
        "Bob's tile muted",
      );
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('in speaker layout has no violations', async () => {
      const element = await inRoom(['Bob', 'Carol'], { layout: 'speaker' });
      await shown(element, '[part~="tile"][data-focus]');
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('with the device menu open has no violations', async () => {
      const element = await inRoom(['Bob']);
      (await shown(element, '[part~="devices-button"]')).click();
      await element.updateComplete;
      expect(await a11yViolations(element)).to.deep.equal([]);
    });

    it('with playback blocked ("click to enable audio" shown) has no violations', async () => {
      // The autoplay policy refusing every play(), as a browser does before a user gesture.
      const play = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'play')!;
      Object.defineProperty(HTMLMediaElement.prototype, 'play', {
        configurable: true,
        writable: true,
        value: () =>
          Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError')),
      });
      onCleanup(() => {
        Object.defineProperty(HTMLMediaElement.prototype, 'play', play);
      });
      const room = freshRoom();
      server.arrive('Bob', room);
      const element = await mount({ server: SERVER, room, name: 'Ada' });
      await element.join();
      await shown(element, '[part~="playback-button"]');
      expect(await a11yViolations(element)).to.deep.equal([]);
    });
  });

  it('while connecting has no violations', async () => {
    // A server that never answers joinRoom keeps the element connecting.
    server = fakeKurento({ url: SERVER, onJoin: () => {} });
    const element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    const connecting = nextEvent(
      element,
      'connection-state-changed',
      (e) => e.detail.state === 'connecting',
    );
    element.join().catch(() => {}); // Cancelled by the clean-up's removal.
    await connecting;
    await server.next('joinRoom');
    await element.updateComplete;
    expect(await a11yViolations(element)).to.deep.equal([]);
  });

  it('after failing to reach the server (error state) has no violations', async () => {
    const element = await mount({
      server: 'ws://127.0.0.1:9/groupcall',
      room: freshRoom(),
      name: 'Ada',
    });
    await element.join().catch(() => {});
    await shown(element, '[part~="error"]');
    expect(statusText(element)).to.match(/Cannot reach the server/);
    expect(await a11yViolations(element)).to.deep.equal([]);
  });
});
