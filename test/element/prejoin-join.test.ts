// The pre-join screen inside <kurento-room>: it shows while not in a room (not with
// autojoin, which never loads its module), and what the user chose there (devices, microphone and camera off) is what the
// call starts with; its open tracks are handed to the call (the devices open once), and it is
// not reopened after leaving.
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { countCalls } from '../helpers-browser/count-calls.js';
import { firefox } from '../helpers-browser/browser.js';
import { isBlank } from '../../packages/sdk/src/controls/black-frames.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import { freshRoom, mount, part, playing, rendered, SERVER } from './helpers.js';

/** Counts `getUserMedia` calls from now on. */
const countGetUserMedia = () => countCalls(navigator.mediaDevices, 'getUserMedia');

describe('<kurento-room> pre-join screen', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;

  beforeEach(() => {
    server = fakeKurento({ url: SERVER });
  });

  afterEach(cleanup);

  const preview = () => part<HTMLVideoElement>(element, 'preview-video');

  it('previews the camera before joining; joining with the microphone and camera off starts the call muted, with the camera closed, and tells the room', async () => {
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    const video = await playing(await rendered(element, preview, 'the preview'));
    const previewTracks = (video.srcObject as MediaStream).getTracks();
    expect(previewTracks.map((t) => t.kind).sort()).to.deep.equal(['audio', 'video']);
    const chosenCamera = previewTracks.find((t) => t.kind === 'video')!.getSettings().deviceId;

    part(element, 'mic-toggle')!.click();
    part(element, 'camera-toggle')!.click();
    await rendered(
      element,
      () => part(element, 'camera-toggle')!.getAttribute('aria-pressed') === 'false',
      'the camera toggle off',
    );
    const opened = countGetUserMedia();
    part(element, 'join-button')!.click();
    await rendered(element, () => part(element, 'controls'), 'the call');
    await server.next('joinRoom');

    const me = element.client!.localParticipant!;
    expect(me.audioMuted).to.equal(true);
    expect(me.videoMuted).to.equal(true);
    expect(part(element, 'mic-button')!.getAttribute('aria-pressed')).to.equal('true');
    expect(part(element, 'camera-button')!.getAttribute('aria-pressed')).to.equal('true');
    expect(await server.next('setMediaState')).to.include({ audioMuted: true, videoMuted: true });
    const [previewAudio, previewVideo] = ['audio', 'video'].map((kind) =>
      previewTracks.find((t) => t.kind === kind)!,
    );
    expect(previewVideo!.readyState, 'camera off closed the preview camera').to.equal('ended');
    const stream = await rendered(element, () => me.stream, 'the local stream');
    expect(stream.getAudioTracks()[0], 'the preview microphone, handed over').to.equal(
      previewAudio,
    );
    expect(previewAudio!.enabled).to.equal(false);
    expect(preview(), 'no preview in the call').to.equal(null);
    expect(isBlank(stream.getVideoTracks()[0]), 'black frames drawn on a canvas').to.equal(true);
    expect(opened(), 'joining opened no camera (its light stays off)').to.equal(0);
    await server.next('receiveVideoFrom', (m) => m.sender === 'Ada');

    // Turned on in the call: the camera chosen on the pre-join screen opens.
    part(element, 'camera-button')!.click();
    const camera = await rendered(
      element,
      () => {
        const track = stream.getVideoTracks()[0];
        return track && !isBlank(track) && track;
      },
      'the camera on',
    );
    expect(camera.getSettings().deviceId).to.equal(chosenCamera);
    expect(opened()).to.equal(1);
  });

  it('hands the preview tracks to the call: the devices open once, the call publishes those tracks, and leaving stops them', async () => {
    const opened = countGetUserMedia();
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    const video = await playing(await rendered(element, preview, 'the preview'));
    const previewTracks = (video.srcObject as MediaStream).getTracks();
    expect(opened()).to.equal(1);
    part(element, 'join-button')!.click();
    const stream = await rendered(
      element,
      () => element.client?.localParticipant?.stream,
      'the local stream',
    );
    expect(stream.getTracks()).to.have.members(previewTracks);
    expect(previewTracks.every((t) => t.readyState === 'live' && t.enabled)).to.equal(true);
    const offer = await server.next('receiveVideoFrom', (m) => m.sender === 'Ada');
    expect(offer.sdpOffer).to.match(/m=audio[\s\S]*m=video/);
    expect(opened(), 'no second getUserMedia').to.equal(1);
    part(element, 'leave-button')!.click();
    await rendered(element, () => part(element, 'join-button'), 'the lobby again');
    expect(previewTracks.every((t) => t.readyState === 'ended')).to.equal(true);
  });

  it('a join refused at once (no name) stops the handed tracks: no camera is left open', async () => {
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    const video = await playing(await rendered(element, preview, 'the preview'));
    const previewTracks = (video.srcObject as MediaStream).getTracks();
    element.name = '';
    let error: unknown;
    await element.join().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error).and.include({ reason: 'arguments' });
    expect(previewTracks.every((t) => t.readyState === 'ended')).to.equal(true);
  });

  it('joins with the microphone chosen in the picker', async () => {
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    await playing(await rendered(element, preview, 'the preview'));
    const select = await rendered(
      element,
      () => {
        // Firefox's fake media has one microphone (Chromium's, several): it is the one chosen.
        const s = part<HTMLSelectElement>(element, 'microphone-select');
        return s && s.options.length > (firefox ? 0 : 1) && s;
      },
      'the microphones listed',
    );
    const chosen = select.options[select.options.length - 1]!.value;
    select.value = chosen;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await rendered(
      element,
      () =>
        (preview()?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.getSettings()
          .deviceId === chosen,
      'the preview on the chosen microphone',
    );
    part(element, 'join-button')!.click();
    const stream = await rendered(
      element,
      () => element.client?.localParticipant?.stream,
      'the local stream',
    );
    expect(stream.getAudioTracks()[0]!.getSettings().deviceId).to.equal(chosen);
  });

  it('does not preview with autojoin, and does not reopen the camera after leaving', async () => {
    const opened = countGetUserMedia();
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada', autojoin: '' });
    const stream = await rendered(
      element,
      () => element.client?.localParticipant?.stream,
      'the local stream',
    );
    expect(opened(), 'the client alone opened the camera').to.equal(1);
    part(element, 'leave-button')!.click();
    // With autojoin the pre-join screen's module is never loaded: the plain Join button.
    await rendered(element, () => part(element, 'join-button'), 'the Join button again');
    expect(part(element, 'prejoin')).to.equal(null);
    expect(stream.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    expect(preview()?.srcObject ?? null, 'no preview after leaving').to.equal(null);
    expect(opened()).to.equal(1);
  });
});
