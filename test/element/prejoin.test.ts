// The pre-join screen (MediaPreview + renderPrejoin) in real Chromium with fake media: the
// fake camera plays, the fake microphone beeps every 500 ms. A minimal host element stands
// in for <kurento-room>.
import { expect } from '@esm-bundle/chai';
import { InvalidStateError, MediaAccessError } from '../../packages/sdk/src/core/errors.js';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import {
  frames,
  rejection,
  stubGetUserMedia,
  trackIntervals,
  until,
  watchUncaught,
} from '../client/helpers.js';
import {
  audioMeter,
  countAudioContexts,
  stubMediaDevices,
  watchDeviceChangeListeners,
} from '../client/media-probes.js';
import { cleanup, onCleanup } from '../helpers-browser/fixture.js';
import { PrejoinHost } from '../helpers-browser/prejoin-host.js';
import { deferred } from '../helpers-browser/wait.js';
import { playing, rendered } from './helpers.js';
import { countCalls } from '../helpers-browser/count-calls.js';

/** The native getUserMedia (on the prototype, past any stub). */
const nativeGetUserMedia = (constraints: MediaStreamConstraints) =>
  MediaDevices.prototype.getUserMedia.call(navigator.mediaDevices, constraints);

/**
 * Records every track getUserMedia hands out from now on; `before` runs first and may
 * reject (a denied device) or wait.
 */
function recordTracks(
  before: (constraints: MediaStreamConstraints) => Promise<void> | void = () => {},
): MediaStreamTrack[] {
  const tracks: MediaStreamTrack[] = [];
  const restore = stubGetUserMedia(async (constraints = {}) => {
    await before(constraints);
    const stream = await nativeGetUserMedia(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  });
  onCleanup(() => {
    restore();
    for (const track of tracks) track.stop();
  });
  return tracks;
}

/**
 * Presses `key` as a user does: web test runner's `send-keys` command, a trusted key event
 * from the browser driver (what `sendKeys` of @web/test-runner-commands sends; that module's
 * types pull Node's globals into the browser tests, so it is not imported).
 */
async function press(key: string): Promise<void> {
  const socket: string = '/__web-dev-server__web-socket.js';
  const { sendMessageWaitForResponse } = await import(socket);
  const response = await sendMessageWaitForResponse({
    type: 'wtr-command',
    sessionId: new URL(location.href).searchParams.get('wtr-session-id'),
    command: 'send-keys',
    payload: { press: key },
  });
  if (!response.executed) throw new Error('the test runner did not press the key');
}

/** A DOMException as getUserMedia rejects with it. */
const refusal = (name: string) => new DOMException(`${name} (test)`, name);

describe('pre-join screen', () => {
  let host: PrejoinHost;

  afterEach(cleanup);

  /** A host on the page, `media` as its option; removed at the end of the test. */
  async function mount(media?: MediaStreamConstraints | false): Promise<PrejoinHost> {
    host = document.createElement('prejoin-host');
    host.media = media;
    document.body.append(host);
    onCleanup(async () => {
      host.remove();
      await host.preview.stop();
    });
    await host.updateComplete;
    return host;
  }

  async function started(media?: MediaStreamConstraints | false): Promise<PrejoinHost> {
    await mount(media);
    await host.preview.start();
    await host.updateComplete;
    return host;
  }

  const part = <E extends Element = HTMLElement>(name: string) =>
    host.shadowRoot!.querySelector<E>(`[part="${name}"]`)!;
  const video = () => part<HTMLVideoElement>('preview-video');
  const track = (kind: 'audio' | 'video') =>
    host.preview.stream?.getTracks().find((t) => t.kind === kind);
  const until_rendered = <T>(check: () => T | undefined | null | false, what: string) =>
    rendered(host as unknown as KurentoRoomElement, check, what);
  const meterValue = () => Number(part('meter').getAttribute('aria-valuenow'));

  /** Picks `id` in the select of `name` as a user does. */
  function choose(name: 'camera-select' | 'microphone-select', id: string): void {
    const select = part<HTMLSelectElement>(name);
    select.value = id;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** Types `text` into the input of `name` as a user does. */
  async function type(name: 'name-input' | 'room-input', text: string): Promise<void> {
    const input = part<HTMLInputElement>(name);
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await host.updateComplete;
  }

  /** Another device of `kind` than the one in use, or the same when there is only one. */
  function another(kind: 'audioinput' | 'videoinput'): MediaDeviceInfo {
    const inUse = kind === 'audioinput' ? host.preview.audioDeviceId : host.preview.videoDeviceId;
    const devices = host.preview.devices[kind];
    return devices.find((d) => d.deviceId !== inUse) ?? devices[0];
  }

  describe('preview and devices', () => {
    it('start() plays the camera in a mirrored, muted preview and lists the fake devices with labels in both selects', async () => {
      await started();
      await playing(video());
      expect(video().videoWidth).to.be.greaterThan(0);
      expect(video().muted).to.equal(true);
      expect(video().hasAttribute('playsinline')).to.equal(true);
      expect(getComputedStyle(video()).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
      for (const [name, kind] of [
        ['camera-select', 'videoinput'],
        ['microphone-select', 'audioinput'],
      ] as const) {
        const select = part<HTMLSelectElement>(name);
        const listed = host.preview.devices[kind];
        expect(listed.length, kind).to.be.greaterThan(0);
        expect([...select.options].map((o) => o.value)).to.deep.equal(
          listed.map((d) => d.deviceId),
        );
        expect([...select.options].every((o) => o.textContent!.trim() !== '')).to.equal(true);
        expect(listed.every((d) => d.label !== '')).to.equal(true);
      }
      expect(part<HTMLSelectElement>('camera-select').value).to.equal(
        track('video')!.getSettings().deviceId,
      );
      expect(part<HTMLSelectElement>('microphone-select').value).to.equal(
        track('audio')!.getSettings().deviceId,
      );
    });

    it('choosing another camera replaces the video track in the same stream: the old one ends, the preview keeps playing', async () => {
      await started();
      await playing(video());
      const stream = host.preview.stream!;
      const old = track('video')!;
      const camera = another('videoinput');
      choose('camera-select', camera.deviceId);
      await until(() => track('video') !== old, 'a new camera track');
      expect(old.readyState).to.equal('ended');
      expect(track('video')!.readyState).to.equal('live');
      expect(track('video')!.getSettings().deviceId).to.equal(camera.deviceId);
      expect(host.preview.videoDeviceId).to.equal(camera.deviceId);
      expect(host.preview.stream).to.equal(stream);
      expect(video().srcObject).to.equal(stream);
      expect(stream.getVideoTracks()).to.have.length(1);
      await frames(video(), 5, 'the preview after the switch');
    });

    it('choosing another microphone replaces the audio track: the old one ends and the meter hears the new one', async () => {
      await started();
      const old = track('audio')!;
      const microphone = another('audioinput');
      choose('microphone-select', microphone.deviceId);
      await until(() => track('audio') !== old, 'a new microphone track');
      expect(old.readyState).to.equal('ended');
      expect(track('audio')!.getSettings().deviceId).to.equal(microphone.deviceId);
      expect(host.preview.audioDeviceId).to.equal(microphone.deviceId);
      expect(host.preview.stream!.getAudioTracks()).to.have.length(1);
      await until_rendered(() => meterValue() > 0, 'the meter to hear the new microphone');
    });

    it('a device that cannot be opened keeps the old track and says so; the select shows the device in use', async () => {
      await started();
      const old = track('video')!;
      await host.preview.selectDevice('videoinput', 'no-such-camera');
      await host.updateComplete;
      expect(track('video')).to.equal(old);
      expect(old.readyState).to.equal('live');
      expect(host.preview.errors.video).to.be.instanceOf(MediaAccessError);
      expect(host.preview.errors.video!.reason).to.equal('no-device');
      expect(part<HTMLSelectElement>('camera-select').value).to.equal(old.getSettings().deviceId);
      expect(part('prejoin-error').textContent).to.contain('No camera found');
      expect(host.preview.choice().media)
        .to.have.property('video')
        .that.deep.includes({
          deviceId: { exact: old.getSettings().deviceId },
        });
    });

    it('selectDevice() with an unknown kind or an empty deviceId rejects with InvalidStateError arguments', async () => {
      await started();
      for (const call of [
        () => host.preview.selectDevice('audiooutput' as 'audioinput', 'x'),
        () => host.preview.selectDevice('videoinput', ''),
      ]) {
        const error = await rejection(call());
        expect(error).to.be.instanceOf(InvalidStateError).and.include({ reason: 'arguments' });
      }
    });

    it('follows devicechange: a camera that is no longer listed is replaced by the default one', async () => {
      await started();
      const old = track('video')!;
      const lost = old.getSettings().deviceId!;
      const real = await navigator.mediaDevices.enumerateDevices();
      stubMediaDevices('enumerateDevices', async () => real.filter((d) => d.deviceId !== lost));
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      await until(() => track('video') !== old && track('video') !== undefined, 'a new camera');
      expect(old.readyState).to.equal('ended');
      expect(host.preview.devices.videoinput.some((d) => d.deviceId === lost)).to.equal(false);
    });
  });

  describe('microphone level', () => {
    it('the meter rises above 0 with the fake beep, and reads 0 with the microphone off even while it beeps', async () => {
      await started();
      await until_rendered(() => meterValue() > 0, 'the meter to rise with the beep');
      expect(host.preview.level).to.be.within(0.01, 1);
      part('mic-toggle').click();
      await host.updateComplete;
      expect(part('mic-toggle').getAttribute('aria-pressed')).to.equal('false');
      expect(track('audio')!.enabled).to.equal(false);
      expect(meterValue()).to.equal(0);
      // A second capture of the same fake microphone tells when it beeps.
      const other = (await nativeGetUserMedia({ audio: true })).getAudioTracks()[0];
      onCleanup(() => other.stop());
      const beeps = audioMeter(other);
      await until(() => beeps.quietFor() < 50 && beeps.loudFor() > 100, 'a beep');
      expect(host.preview.level).to.equal(0);
      expect(meterValue()).to.equal(0);
      part('mic-toggle').click();
      await until_rendered(() => meterValue() > 0, 'the meter back on');
    });

    it('samples the level with one interval of ~100 ms, not every animation frame', async () => {
      const intervals = trackIntervals();
      onCleanup(intervals.restore);
      const frameRequests = countCalls(window, 'requestAnimationFrame');
      await started();
      expect(intervals.live.size).to.equal(1);
      await until_rendered(() => meterValue() > 0, 'a level');
      expect(frameRequests()).to.equal(0);
      await host.preview.stop();
      expect(intervals.live.size).to.equal(0);
    });
  });

  describe('toggles', () => {
    it('the camera toggle stops the camera track (the light goes off), and turning it on opens a new one that plays', async () => {
      await started();
      await playing(video());
      const toggle = part('camera-toggle');
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      const old = track('video')!;
      toggle.click();
      await until(() => old.readyState === 'ended', 'the camera track to end');
      expect(track('video')).to.equal(undefined);
      await host.updateComplete;
      expect(toggle.getAttribute('aria-pressed')).to.equal('false');
      expect(host.preview.videoEnabled).to.equal(false);
      expect(video().hidden, 'no frozen last frame').to.equal(true);
      expect(part('preview').textContent).to.contain('Camera off');
      toggle.click();
      await until(() => track('video')?.readyState === 'live', 'a new camera track');
      expect(track('video')).to.not.equal(old);
      await host.updateComplete;
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      expect(video().hidden).to.equal(false);
      await frames(video(), 3, 'the preview with the camera back');
    });

    it('choice() carries the base constraints with the exact deviceIds in use, and the toggles', async () => {
      await started({ audio: { echoCancellation: true }, video: { width: 320 } });
      const camera = another('videoinput');
      await host.preview.selectDevice('videoinput', camera.deviceId);
      const microphone = track('audio')!.getSettings().deviceId!;
      part('mic-toggle').click();
      part('camera-toggle').click();
      expect(host.preview.choice()).to.deep.equal({
        media: {
          audio: { echoCancellation: true, deviceId: { exact: microphone } },
          video: { width: 320, deviceId: { exact: camera.deviceId } },
        },
        audioEnabled: false,
        videoEnabled: false,
      });
    });

    it('choice() with media false is false, and opens nothing', async () => {
      const tracks = recordTracks();
      await started(false);
      expect(tracks).to.have.length(0);
      expect(host.preview.choice().media).to.equal(false);
    });
  });

  describe('clean-up', () => {
    it('stop() leaves no live track, closes the AudioContext, stops following devicechange; twice is fine', async () => {
      const contexts = countAudioContexts();
      const listeners = watchDeviceChangeListeners();
      const tracks = recordTracks();
      await started();
      expect(tracks.length).to.be.at.least(2);
      expect(contexts.created).to.have.length(1);
      expect(listeners.live.size).to.equal(1);
      await host.preview.stop();
      await host.preview.stop();
      expect(tracks.every((t) => t.readyState === 'ended')).to.equal(true);
      expect(contexts.created[0].state).to.equal('closed');
      expect(listeners.live.size).to.equal(0);
      expect(host.preview.stream).to.equal(null);
      expect(host.preview.level).to.equal(0);
    });

    it('removing the host from the page stops everything', async () => {
      const contexts = countAudioContexts();
      const tracks = recordTracks();
      await started();
      host.remove();
      await until(
        () =>
          tracks.every((t) => t.readyState === 'ended') && contexts.created[0].state === 'closed',
        'the preview to stop',
      );
      expect(host.preview.stream).to.equal(null);
    });

    it('stop() while start() is still opening the devices leaves nothing live', async () => {
      const contexts = countAudioContexts();
      const gate = deferred<void>();
      const asked = deferred<void>();
      const tracks = recordTracks(async () => {
        asked.resolve();
        await gate.promise;
      });
      await mount();
      const start = host.preview.start();
      await asked.promise;
      const stop = host.preview.stop();
      gate.resolve();
      await Promise.all([start, stop]);
      expect(tracks.length).to.be.at.least(1);
      expect(tracks.every((t) => t.readyState === 'ended')).to.equal(true);
      expect(contexts.created).to.have.length(0);
      expect(host.preview.stream).to.equal(null);
    });
  });

  describe('denied devices', () => {
    it('getUserMedia denied: the alert says what to do, nothing is open, and Join still submits a receive-only choice', async () => {
      const uncaught = watchUncaught();
      onCleanup(uncaught.stop);
      recordTracks(() => Promise.reject(refusal('NotAllowedError')));
      await started();
      const alert = part('prejoin-error');
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.hidden).to.equal(false);
      expect(alert.textContent).to.contain(
        "Camera blocked: allow it in the browser's site settings",
      );
      expect(alert.textContent).to.contain('Microphone blocked');
      expect(host.preview.error).to.be.instanceOf(MediaAccessError);
      expect(host.preview.error!.reason).to.equal('denied');
      expect(host.preview.stream!.getTracks()).to.have.length(0);
      await type('name-input', 'Ada');
      await type('room-input', 'standup');
      part<HTMLButtonElement>('join-button').click();
      expect(host.submitted).to.deep.equal([
        { media: false, audioEnabled: true, videoEnabled: true },
      ]);
      expect(uncaught.errors).to.deep.equal([]);
    });

    it('a denied camera alone leaves the microphone: the meter works and the choice is audio only', async () => {
      recordTracks((constraints) =>
        constraints.video ? Promise.reject(refusal('NotAllowedError')) : undefined,
      );
      await started();
      expect(host.preview.errors.video!.reason).to.equal('denied');
      expect(host.preview.errors.audio).to.equal(null);
      expect(track('audio')!.readyState).to.equal('live');
      await until_rendered(() => meterValue() > 0, 'the meter');
      const { media } = host.preview.choice();
      expect(media).to.deep.include({ video: false });
      expect(media && media.audio).to.deep.equal({
        deviceId: { exact: track('audio')!.getSettings().deviceId },
      });
    });
  });

  describe('the form', () => {
    it('Join is disabled until name and room are filled and while busy; Enter in a field submits', async () => {
      await started();
      const join = part<HTMLButtonElement>('join-button');
      expect(join.type).to.equal('submit');
      expect(join.disabled).to.equal(true);
      await type('name-input', 'Ada');
      expect(join.disabled).to.equal(true);
      await type('room-input', 'standup');
      expect(join.disabled).to.equal(false);
      expect([host.name, host.room]).to.deep.equal(['Ada', 'standup']);
      host.busy = true;
      await host.updateComplete;
      expect(join.disabled).to.equal(true);
      host.busy = false;
      await host.updateComplete;
      part('room-input').focus();
      await press('Enter');
      expect(host.submitted).to.have.length(1);
      expect(host.submitted[0].media).to.have.all.keys('audio', 'video');
    });

    it('shows the host error in the alert', async () => {
      await mount();
      host.error = 'The name Ada is taken in this room.';
      await host.updateComplete;
      expect(part('prejoin-error').hidden).to.equal(false);
      expect(part('prejoin-error').textContent).to.equal('The name Ada is taken in this room.');
    });

    it('every control is labelled: selects and inputs by a visible <label>, toggles by name with aria-pressed, the meter by aria-label', async () => {
      await started();
      expect(part('prejoin').tagName).to.equal('FORM');
      const labelOf = (name: string) =>
        [...(part<HTMLInputElement>(name).labels ?? [])].map((l) =>
          l.textContent!.replace(/\s+/g, ' ').trim(),
        );
      expect(labelOf('camera-select')[0]).to.match(/^Camera/);
      expect(labelOf('microphone-select')[0]).to.match(/^Microphone/);
      expect(labelOf('name-input')[0]).to.match(/^Name/);
      expect(labelOf('room-input')[0]).to.match(/^Room/);
      for (const name of ['name-input', 'room-input']) {
        expect(part<HTMLInputElement>(name).required, name).to.equal(true);
      }
      expect(part('room-input').getAttribute('autocomplete')).to.equal('off');
      for (const [name, accessible] of [
        ['mic-toggle', 'Microphone'],
        ['camera-toggle', 'Camera'],
      ]) {
        const button = part<HTMLButtonElement>(name);
        const visibleName = [...button.childNodes]
          .filter((n) =>
            n instanceof Element ? n.getAttribute('aria-hidden') !== 'true' : n instanceof Text,
          )
          .map((n) => n.textContent)
          .join('')
          .trim();
        expect(visibleName, name).to.equal(accessible);
        expect(button.type).to.equal('button');
        expect(button.getAttribute('aria-pressed')).to.be.oneOf(['true', 'false']);
      }
      const meter = part('meter');
      expect(meter.getAttribute('role')).to.equal('meter');
      expect(meter.getAttribute('aria-label')).to.equal('Microphone level');
      expect(meter.getAttribute('aria-valuemin')).to.equal('0');
      expect(meter.getAttribute('aria-valuemax')).to.equal('100');
      expect(meter.getAttribute('aria-valuenow')).to.match(/^\d+$/);
    });

    it('stacks the preview above the form at 390 px and puts it beside the form on a desktop', async () => {
      await started();
      const box = (name: string) => part(name).getBoundingClientRect();
      const fields = () => part('join-button').parentElement!.getBoundingClientRect();
      host.style.width = '390px';
      await until(() => box('preview').width > 0, 'layout');
      expect(box('preview').width).to.be.closeTo(390, 1);
      expect(box('preview').bottom).to.be.at.most(fields().top);
      expect(fields().width).to.be.closeTo(390, 1);
      host.style.width = '1000px';
      expect(box('preview').right).to.be.at.most(fields().left);
      expect(box('preview').top).to.equal(fields().top);
      expect(box('preview').width).to.be.greaterThan(fields().width);
    });
  });
});
