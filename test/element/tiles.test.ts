// Tiles: remote mute state, the speaking highlight from real audio levels (the fake server's
// microphone beeps; `silent` participants send silence), connection quality, and pins.
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import {
  joinedWith,
  nextEvent,
  part,
  recordEvents,
  rendered,
  setRemoteMediaState,
  tile,
} from './helpers.js';

describe('<kurento-room> tiles', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;

  afterEach(cleanup);

  const bob = () => tile(element, 'Bob')!;

  it("shows a remote participant's muted microphone and camera as the room tells; one event per change", async () => {
    server = fakeKurento();
    element = await joinedWith(server, ['Bob']);
    const events = recordEvents(element, ['remote-media-state-changed']);
    setRemoteMediaState(server, 'Bob', { audioMuted: true, videoMuted: false });
    await rendered(element, () => bob().hasAttribute('data-audio-muted'), 'Bob muted');
    const indicator = bob().querySelector('[part="muted-indicator"]')!;
    expect(indicator.textContent!.trim()).to.equal('Microphone muted');
    expect(bob().hasAttribute('data-video-muted')).to.equal(false);
    expect(bob().querySelector('[part="avatar"]')).to.equal(null);

    setRemoteMediaState(server, 'Bob', { audioMuted: true, videoMuted: true });
    await rendered(element, () => bob().hasAttribute('data-video-muted'), 'Bob camera off');
    expect(bob().querySelector('[part="avatar"]')!.textContent!.trim()).to.equal('B');
    setRemoteMediaState(server, 'Bob', { audioMuted: true, videoMuted: true }); // No change.
    setRemoteMediaState(server, 'Bob', { audioMuted: false, videoMuted: false });
    await rendered(element, () => !bob().hasAttribute('data-audio-muted'), 'Bob unmuted');

    const details = events.all('remote-media-state-changed').map((e) => e.detail);
    expect(details.map((d) => [d.participant.name, d.state])).to.deep.equal([
      ['Bob', { audioMuted: true, videoMuted: false }],
      ['Bob', { audioMuted: true, videoMuted: true }],
      ['Bob', { audioMuted: false, videoMuted: false }],
    ]);
  });

  it('highlights the participant who makes sound, not the silent one, and drops it when they fall silent', async () => {
    server = fakeKurento({ silent: ['Carol'] });
    const speakingEvents = recordEvents(document, ['speaking-changed']);
    const speakerEvents = recordEvents(document, ['active-speaker-changed']);
    element = await joinedWith(server, ['Bob', 'Carol']);
    await element.client!.setMicrophoneEnabled(false); // Ada's own beep would speak too.
    const speaker = await nextEvent(document, 'active-speaker-changed');
    expect(speaker.detail.participant!.name).to.equal('Bob');
    await rendered(element, () => bob().hasAttribute('data-speaking'), 'Bob speaking');
    const outline = getComputedStyle(bob()).outlineColor;
    expect(outline, 'the speaking colour').to.equal('rgb(47, 177, 112)');
    expect(tile(element, 'Carol')!.hasAttribute('data-speaking')).to.equal(false);

    server.setAudioEnabled('Bob', false);
    await rendered(element, () => !bob().hasAttribute('data-speaking'), 'Bob silent');
    // speakingChanged and activeSpeakerChanged come in one stats tick, before the render.
    const speaking = speakingEvents.all('speaking-changed').map((e) => e.detail);
    expect(speaking.map((d) => [d.participant.name, d.speaking])).to.deep.equal([
      ['Bob', true],
      ['Bob', false],
    ]);
    expect(
      speakerEvents.all('active-speaker-changed').map((e) => e.detail.participant?.name),
    ).to.deep.equal(['Bob', undefined]);
  });

  it('shows the connection quality with an accessible label once measured, hidden while unknown', async () => {
    server = fakeKurento();
    const events = recordEvents(document, ['connection-quality-changed']);
    element = await joinedWith(server, ['Bob']);
    const quality = () => bob().querySelector<HTMLElement>('[part="quality"]')!;
    if (bob().dataset.quality === 'unknown') expect(quality().hidden).to.equal(true);
    await rendered(element, () => bob().dataset.quality === 'excellent', 'Bob excellent');
    expect(quality().hidden).to.equal(false);
    expect(quality().getAttribute('role')).to.equal('img');
    expect(quality().getAttribute('aria-label')).to.equal('Connection: excellent');
    const bobs = events
      .all('connection-quality-changed')
      .filter((e) => e.detail.participant.name === 'Bob');
    expect(bobs.map((e) => e.detail.quality)).to.deep.equal(['excellent']);
  });

  it('the pin button pins a tile and switches to the speaker layout; pressed again it unpins', async () => {
    server = fakeKurento();
    element = await joinedWith(server, ['Bob', 'Carol']);
    const events = recordEvents(element, ['layout-changed']);
    const pin = (name: string) =>
      tile(element, name)!.querySelector<HTMLButtonElement>('[part="pin-button"]')!;
    expect(pin('Carol').getAttribute('aria-pressed')).to.equal('false');
    expect(pin('Carol').getAttribute('aria-label')).to.equal('Pin Carol');
    pin('Carol').click();
    await rendered(
      element,
      () => tile(element, 'Carol')!.hasAttribute('data-focus'),
      'Carol large',
    );
    expect(element.pinned).to.equal('Carol');
    expect(element.layout).to.equal('speaker');
    expect(element.getAttribute('layout')).to.equal('speaker');
    expect(pin('Carol').getAttribute('aria-pressed')).to.equal('true');
    expect(pin('Carol').getAttribute('aria-label')).to.equal('Unpin Carol');
    expect(part(element, 'strip')).to.not.equal(null);

    pin('Ada').click(); // Another pin: no layout change.
    await rendered(element, () => tile(element, 'Ada')!.hasAttribute('data-focus'), 'Ada large');
    pin('Ada').click();
    await rendered(element, () => element.pinned === null, 'unpinned');
    expect(pin('Ada').getAttribute('aria-pressed')).to.equal('false');
    expect(element.layout, 'unpinning keeps the layout').to.equal('speaker');
    expect(events.all('layout-changed').map((e) => e.detail)).to.deep.equal([
      { layout: 'speaker' },
    ]);
  });
});
