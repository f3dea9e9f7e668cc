// The control bar: every button works on the real client with fake media, reflects its
// state, is keyboard operable, and reports failures.
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import { MediaAccessError } from '../../packages/sdk/src/core/errors.js';
import { canvasTrack, stubMediaDevices } from '../client/media-probes.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { press } from '../helpers-browser/commands.js';
import { firefox } from '../helpers-browser/browser.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import {
  freshRoom,
  joinedWith,
  mount,
  nextEvent,
  part,
  playing,
  recordEvents,
  rendered,
  shadow,
  statusText,
  tile,
} from './helpers.js';
import { blockAutoplay } from '../helpers-browser/autoplay.js';

const CONTROLS = [
  'mic-button',
  'camera-button',
  'screen-button',
  'devices-button',
  'layout-button',
  'leave-button',
];

describe('<kurento-room> control bar', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;

  beforeEach(() => {
    server = fakeKurento();
  });

  afterEach(cleanup);

  const label = (name: string) => part(element, name)!.textContent!.trim();
  const pressed = (name: string) => part(element, name)!.getAttribute('aria-pressed');
  const ada = () => tile(element, 'Ada')!;

  it('is a labelled toolbar of typed buttons, shown only in the room, with a slot for the page', async () => {
    stubMediaDevices('getDisplayMedia', async () => new MediaStream([canvasTrack()]));
    element = await joinedWith(server, ['Bob']);
    const bar = part<HTMLElement>(element, 'controls')!;
    expect(bar.getAttribute('role')).to.equal('toolbar');
    expect(bar.getAttribute('aria-label')).to.equal('Call controls');
    const buttons = CONTROLS.map((name) => part(element, name)!);
    expect(buttons.map((b) => b.type)).to.deep.equal(CONTROLS.map(() => 'button'));
    expect(buttons.map((b) => b.textContent!.trim())).to.deep.equal([
      'Mute microphone',
      'Turn camera off',
      'Share screen',
      'Devices',
      'Switch to speaker layout',
      'Leave room',
    ]);
    expect(buttons.every((b) => b.closest('[part="controls"]') === bar)).to.equal(true);
    expect(bar.querySelector('slot[name="controls"]')).to.not.equal(null);
    await element.leave();
    await element.updateComplete;
    expect(part(element, 'controls'), 'no control bar out of the room').to.equal(null);
  });

  it('the mic button mutes and unmutes: audioMuted, aria-pressed, its label and the local tile follow; one event each', async () => {
    element = await joinedWith(server, ['Bob']);
    const events = recordEvents(element, ['local-media-state-changed']);
    expect(pressed('mic-button')).to.equal('false');
    part(element, 'mic-button')!.click();
    await rendered(element, () => ada().hasAttribute('data-audio-muted'), 'Ada muted');
    expect(element.client!.localParticipant!.audioMuted).to.equal(true);
    expect(pressed('mic-button')).to.equal('true');
    expect(label('mic-button')).to.equal('Unmute microphone');
    expect(ada().querySelector('[part="muted-indicator"]')!.textContent!.trim()).to.equal(
      'Microphone muted',
    );
    expect(events.all('local-media-state-changed').map((e) => e.detail)).to.deep.equal([
      { state: { audioMuted: true, videoMuted: false, screenSharing: false } },
    ]);

    part(element, 'mic-button')!.click();
    await rendered(element, () => !ada().hasAttribute('data-audio-muted'), 'Ada unmuted');
    expect(element.client!.localParticipant!.audioMuted).to.equal(false);
    expect(label('mic-button')).to.equal('Mute microphone');
    expect(ada().querySelector('[part="muted-indicator"]')).to.equal(null);
    expect(events.all('local-media-state-changed')).to.have.length(2);
  });

  it('the camera button turns the camera off, showing the initial over the tile, and on again', async () => {
    element = await joinedWith(server, ['Bob']);
    part(element, 'camera-button')!.click();
    await rendered(element, () => ada().hasAttribute('data-video-muted'), 'camera off');
    expect(element.client!.localParticipant!.videoMuted).to.equal(true);
    expect(pressed('camera-button')).to.equal('true');
    expect(label('camera-button')).to.equal('Turn camera on');
    const avatar = ada().querySelector<HTMLElement>('[part="avatar"]')!;
    expect(avatar.textContent!.trim()).to.equal('A');
    expect(avatar.getBoundingClientRect().height).to.equal(ada().getBoundingClientRect().height);
    part(element, 'camera-button')!.click();
    await rendered(element, () => !ada().hasAttribute('data-video-muted'), 'camera on');
    expect(ada().querySelector('[part="avatar"]')).to.equal(null);
    expect(label('camera-button')).to.equal('Turn camera off');
  });

  it('without a microphone published the mic button is disabled', async () => {
    element = await mount({ server: server.url, room: freshRoom(), name: 'Ada' });
    element.media = { video: true };
    await element.join();
    await rendered(element, () => element.client!.localParticipant!.stream, 'the camera');
    await element.updateComplete;
    expect(part(element, 'mic-button')!.disabled).to.equal(true);
    expect(part(element, 'camera-button')!.disabled).to.equal(false);
  });

  it('the screen button shares a screen, unmirrored, and stops it; screen-share-changed once each', async () => {
    stubMediaDevices('getDisplayMedia', async () => new MediaStream([canvasTrack()]));
    element = await joinedWith(server, ['Bob']);
    const events = recordEvents(element, ['screen-share-changed']);
    part(element, 'screen-button')!.click();
    await nextEvent(element, 'screen-share-changed');
    await element.updateComplete;
    expect(element.client!.screenSharing).to.equal(true);
    expect(pressed('screen-button')).to.equal('true');
    expect(label('screen-button')).to.equal('Stop sharing');
    expect(ada().hasAttribute('data-screen-sharing')).to.equal(true);
    expect(getComputedStyle(ada().querySelector('video')!).transform).to.equal('none');

    part(element, 'screen-button')!.click();
    await nextEvent(element, 'screen-share-changed', (e) => !e.detail.active);
    await element.updateComplete;
    expect(element.client!.screenSharing).to.equal(false);
    expect(label('screen-button')).to.equal('Share screen');
    expect(getComputedStyle(ada().querySelector('video')!).transform).to.equal(
      'matrix(-1, 0, 0, 1, 0, 0)',
    );
    expect(events.all('screen-share-changed').map((e) => e.detail)).to.deep.equal([
      { active: true },
      { active: false },
    ]);
  });

  it('a refused screen share shows in the status line and as room-error, and the camera stays', async () => {
    stubMediaDevices('getDisplayMedia', () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
    );
    element = await joinedWith(server, ['Bob']);
    const roomError = nextEvent(element, 'room-error');
    part(element, 'screen-button')!.click();
    expect((await roomError).detail.error).to.be.instanceOf(MediaAccessError);
    await rendered(element, () => statusText(element).includes('Screen sharing'), 'the error');
    expect(statusText(element)).to.contain('Screen sharing was refused or cancelled.');
    expect(element.client!.screenSharing).to.equal(false);
  });

  it('has no screen button where the browser cannot share a screen (phones)', async () => {
    stubMediaDevices('getDisplayMedia', undefined as unknown as MediaDevices['getDisplayMedia']);
    element = await joinedWith(server, ['Bob']);
    expect(part(element, 'screen-button')).to.equal(null);
    expect(part(element, 'mic-button')).to.not.equal(null);
  });

  describe('device menu', () => {
    const menu = () => part<HTMLElement>(element, 'device-menu')!;
    const select = (name: string) => part<HTMLSelectElement>(element, name)!;

    it('lists the fake cameras and microphones with the ones in use selected', async () => {
      element = await joinedWith(server, ['Bob']);
      const button = part(element, 'devices-button')!;
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      expect(button.getAttribute('aria-controls')).to.equal(menu().id);
      expect(menu().hidden).to.equal(true);
      button.click();
      await rendered(element, () => select('microphone-select').options.length > 0, 'devices');
      expect(button.getAttribute('aria-expanded')).to.equal('true');
      expect(menu().hidden).to.equal(false);
      const devices = await navigator.mediaDevices.enumerateDevices();
      const ids = (kind: MediaDeviceKind) =>
        devices.filter((d) => d.kind === kind).map((d) => d.deviceId);
      const options = (name: string) => [...select(name).options].map((o) => o.value);
      expect(options('camera-select')).to.deep.equal(ids('videoinput'));
      expect(options('microphone-select')).to.deep.equal(ids('audioinput'));
      const track = (kind: 'audio' | 'video') =>
        element.client!.localParticipant!.stream!.getTracks().find((t) => t.kind === kind)!;
      expect(select('camera-select').value).to.equal(track('video').getSettings().deviceId);
      expect(select('microphone-select').value).to.equal(track('audio').getSettings().deviceId);
      for (const name of ['camera-select', 'microphone-select']) {
        expect(select(name).labels[0].textContent, `${name} is labelled`).to.match(
          /Camera|Microphone/,
        );
      }
    });

    it('switching the microphone sends the new device and keeps the local video playing', async () => {
      element = await joinedWith(server, ['Bob']);
      part(element, 'devices-button')!.click();
      if (firefox) {
        // Firefox's fake media has one microphone (Chromium's, several): nothing to switch to.
        await rendered(element, () => select('microphone-select').options.length > 0, 'devices');
        const audio = element.client!.localParticipant!.stream!.getAudioTracks()[0];
        expect(select('microphone-select').options).to.have.length(1);
        expect(select('microphone-select').value).to.equal(audio.getSettings().deviceId);
        return expect((await playing(ada().querySelector('video')!)).videoWidth).to.be.above(0);
      }
      await rendered(element, () => select('microphone-select').options.length > 1, 'devices');
      const events = recordEvents(element, ['active-device-changed']);
      const mic = select('microphone-select');
      const other = [...mic.options].find((o) => !o.selected)!.value;
      mic.value = other;
      mic.dispatchEvent(new Event('change'));
      await nextEvent(element, 'active-device-changed');
      expect(events.all('active-device-changed').map((e) => e.detail)).to.deep.equal([
        { kind: 'audioinput', deviceId: other },
      ]);
      await rendered(element, () => select('microphone-select').value === other, 'selected');
      const audio = element.client!.localParticipant!.stream!.getAudioTracks()[0];
      expect(audio.getSettings().deviceId).to.equal(other);
      const video = await playing(ada().querySelector('video')!);
      expect(video.videoWidth).to.be.greaterThan(0);
    });

    it('Escape closes it and puts focus back on the devices button; so does a click outside', async () => {
      element = await joinedWith(server, ['Bob']);
      const button = part(element, 'devices-button')!;
      button.click();
      await rendered(element, () => !select('camera-select').disabled, 'the menu');
      select('camera-select').focus();
      expect(shadow(element).activeElement).to.equal(select('camera-select'));
      await press('Escape');
      await rendered(element, () => menu().hidden, 'the menu to close');
      expect(shadow(element).activeElement).to.equal(button);
      expect(button.getAttribute('aria-expanded')).to.equal('false');

      button.click();
      await rendered(element, () => !menu().hidden && !select('camera-select').disabled, 'again');
      select('camera-select').focus();
      document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
      await rendered(element, () => menu().hidden, 'the menu to close on a click outside');
      expect(shadow(element).activeElement).to.equal(button);
    });
  });

  it('Tab reaches every control in order, and Enter and Space operate them', async () => {
    stubMediaDevices('getDisplayMedia', async () => new MediaStream([canvasTrack()]));
    element = await joinedWith(server, ['Bob']);
    part(element, 'mic-button')!.focus();
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = shadow(element).activeElement?.getAttribute('part')?.split(' ')[1];
      if (name && CONTROLS.includes(name) && !reached.includes(name)) reached.push(name);
      // No Tab past the last control: Firefox moves the focus out of the page, to its own UI.
      if (reached.length === CONTROLS.length) break;
      await press('Tab');
    }
    expect(reached).to.deep.equal(CONTROLS);

    part(element, 'mic-button')!.focus();
    await press('Enter');
    await rendered(element, () => element.client!.localParticipant!.audioMuted, 'muted by Enter');
    part(element, 'camera-button')!.focus();
    await press('Space');
    await rendered(element, () => element.client!.localParticipant!.videoMuted, 'off by Space');
    part(element, 'layout-button')!.focus();
    await press('Enter');
    await rendered(element, () => element.layout === 'speaker', 'speaker by Enter');
  });

  it('shows "Click to enable audio" when playback is blocked; a click starts playback and removes it', async () => {
    const autoplay = blockAutoplay();
    const events = recordEvents(document, ['playback-blocked', 'playback-started']);
    element = await joinedWith(server, ['Bob']);
    const button = await rendered(
      element,
      () => part<HTMLButtonElement>(element, 'playback-button'),
      'the button',
    );
    expect(button.textContent!.trim()).to.equal('Click to enable audio');
    expect(button.type).to.equal('button');
    expect(element.client!.playbackBlocked).to.equal(true);

    autoplay.allow(); // The click is the user gesture.
    button.click();
    await rendered(element, () => !part(element, 'playback-button'), 'the button to go');
    expect(element.client!.playbackBlocked).to.equal(false);
    expect(tile(element, 'Bob')!.querySelector('video')!.paused).to.equal(false);
    expect(events.all('playback-blocked').map((e) => e.detail)).to.deep.equal([{}]);
    expect(events.all('playback-started').map((e) => e.detail)).to.deep.equal([{}]);
  });
});
