import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import {
  InvalidStateError,
  MediaAccessError,
  NegotiationError,
  SignalingError,
} from '../../packages/sdk/src/core/errors.js';
import { describeError, type JoinAttempt } from '../../packages/sdk/src/element/room-status.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
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

const BLOCKED =
  "Camera or microphone blocked: allow access in the browser's site settings; you can still see and hear the others.";

describe('<kurento-room> errors in words', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement | undefined;

  beforeEach(() => {
    server = fakeKurento({ url: SERVER, takenNames: ['Ada'] });
  });

  afterEach(cleanup);

  const errorText = () => shadow(element!).querySelector('[part="error"]')?.textContent ?? null;

  it('a NAME_TAKEN reply says the name is taken and to choose another; join() rejects and room-error fires', async () => {
    const room = freshRoom();
    element = await mount({ server: SERVER, room, name: 'Ada' });
    const roomError = nextEvent(element, 'room-error');
    let rejection: unknown;
    await element.join().catch((error: unknown) => (rejection = error));
    expect(rejection).to.be.instanceOf(SignalingError);
    expect((rejection as SignalingError).code).to.equal('NAME_TAKEN');
    const event = await roomError;
    expect(event.detail.error).to.equal(rejection);
    await element.updateComplete;
    expect(errorText()).to.equal(`The name Ada is already taken in room ${room}: choose another.`);
    expect(statusText(element)).to.equal(
      `Not connected The name Ada is already taken in room ${room}: choose another.`,
    );

    // Choosing another name and joining again clears the message.
    element.name = 'Ada 2';
    await element.join();
    await element.updateComplete;
    expect(errorText()).to.equal(null);
    expect(statusText(element)).to.equal(`Connected to room ${room} as Ada 2`);
  });

  it('a denied camera says how to allow it, and the room still shows the others', async () => {
    const room = freshRoom();
    server.arrive('Bob', room);
    const getUserMedia = navigator.mediaDevices.getUserMedia;
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    try {
      element = await mount({ server: SERVER, room, name: 'Eve' });
      const roomError = nextEvent(element, 'room-error');
      await element.join();
      const { error } = (await roomError).detail;
      expect(error).to.be.instanceOf(MediaAccessError);
      expect(error).to.include({ reason: 'denied', device: 'camera or microphone' });
      await rendered(element, () => errorText() === BLOCKED, 'the camera message');
      expect(statusText(element)).to.equal(`Connected to room ${room} as Eve ${BLOCKED}`);
      const local = tile(element, 'Eve')!;
      expect(local.querySelector('[part="peer-state"]')!.textContent).to.equal('Camera off');
      const bob = await rendered(
        element,
        () => tile(element!, 'Bob')?.querySelector('video'),
        "Bob's video",
      );
      await playing(bob);
      expect(bob.videoWidth).to.be.greaterThan(0);
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });

  it('an unreachable server says which address could not be reached', async () => {
    const unreachable = 'ws://127.0.0.1:9/groupcall';
    element = await mount({ server: unreachable, room: freshRoom(), name: 'Ada' });
    let rejection: unknown;
    await element.join().catch((error: unknown) => (rejection = error));
    expect(rejection).to.be.instanceOf(SignalingError);
    expect((rejection as SignalingError).reason).to.equal('socket');
    await element.updateComplete;
    expect(errorText()).to.equal(`Cannot reach the server at ${unreachable}.`);
    expect(
      shadow(element).querySelector<HTMLButtonElement>('[part="join-button"]')!.disabled,
    ).to.equal(false);
  });

  describe('describeError()', () => {
    const attempt: JoinAttempt = {
      room: 'R',
      name: 'N',
      server: 'wss://x/groupcall',
      connected: false,
    };

    it('words timeouts, lost connections and protocol errors', () => {
      expect(describeError(new SignalingError('timeout', 'late'), attempt)).to.equal(
        'The server did not answer.',
      );
      expect(describeError(new SignalingError('socket', 'closed'), attempt)).to.equal(
        'Cannot reach the server at wss://x/groupcall.',
      );
      expect(
        describeError(new SignalingError('socket', 'closed'), { ...attempt, connected: true }),
      ).to.equal('Lost the connection to the server at wss://x/groupcall.');
      expect(describeError(new SignalingError('protocol', 'bad'), attempt)).to.match(
        /does not understand/,
      );
      expect(
        describeError(new SignalingError('server', 'x', { code: 'NAME_TAKEN' }), attempt),
      ).to.equal('The name N is already taken in room R: choose another.');
    });

    it('words media and negotiation errors', () => {
      expect(describeError(new MediaAccessError('denied', 'no'), attempt)).to.equal(BLOCKED);
      expect(describeError(new MediaAccessError('no-device', 'no'), attempt)).to.match(
        /^No camera or microphone found; you can still see and hear the others\.$/,
      );
      expect(
        describeError(
          MediaAccessError.from(new DOMException('', 'NotAllowedError'), 'screen'),
          attempt,
        ),
      ).to.equal('Screen sharing was refused or cancelled.');
      expect(
        describeError(new MediaAccessError('unavailable', 'x', { device: 'screen' }), attempt),
      ).to.equal('The screen could not be shared.');
      const busy = new DOMException('busy', 'NotReadableError');
      expect(describeError(MediaAccessError.from(busy, 'camera'), attempt)).to.equal(
        'The camera could not be started (is another app using it?); you can still see and hear the others.',
      );
      const refused = new DOMException('', 'NotAllowedError');
      expect(describeError(MediaAccessError.from(refused, 'microphone'), attempt)).to.match(
        /^Microphone blocked: allow access/,
      );
      expect(describeError(new NegotiationError('ice', 'Bob', 'failed'), attempt)).to.equal(
        'The connection to Bob failed.',
      );
      expect(describeError(new NegotiationError('offer', 'N', 'failed'), attempt)).to.equal(
        'Could not send your camera.',
      );
      expect(describeError(new InvalidStateError('arguments', 'x'), attempt)).to.equal(
        'Enter a room and a name.',
      );
    });

    it('names an insecure page and an unreachable media server for what they are', () => {
      expect(describeError(new MediaAccessError('insecure', 'x'), attempt)).to.equal(
        'The camera or microphone needs a secure (HTTPS) page: open this page over https://; you can still see and hear the others.',
      );
      expect(describeError(new NegotiationError('timeout', 'Bob', 'x'), attempt)).to.equal(
        'Cannot reach the media server: a TURN server may be needed.',
      );
    });
  });

  it('on a page that is not a secure context, opening media fails as insecure (words above), not as a busy camera', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'isSecureContext');
    Object.defineProperty(window, 'isSecureContext', { value: false, configurable: true });
    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
    try {
      const error = await mediaDevicesError();
      expect(error).to.be.instanceOf(MediaAccessError);
      expect(error.reason).to.equal('insecure');
    } finally {
      delete (navigator as { mediaDevices?: unknown }).mediaDevices;
      if (descriptor) Object.defineProperty(window, 'isSecureContext', descriptor);
      else delete (window as { isSecureContext?: unknown }).isSecureContext;
    }
    expect(navigator.mediaDevices).to.not.equal(undefined);
    expect(window.isSecureContext).to.equal(true);
  });
});

/** What `mediaDevices()` throws now. */
async function mediaDevicesError(): Promise<MediaAccessError> {
  const { mediaDevices } = await import('../../packages/sdk/src/core/media.js');
  try {
    mediaDevices();
  } catch (error) {
    return error as MediaAccessError;
  }
  throw new Error('mediaDevices() did not throw');
}
