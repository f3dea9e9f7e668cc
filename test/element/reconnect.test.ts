import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import { defaultReconnectPolicy } from '../../packages/sdk/src/core/reconnect-policy.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento, onCleanup } from '../helpers-browser/fixture.js';
import { reportFailed, trackPeerConnections } from '../client/helpers.js';
import {
  freshRoom,
  mount,
  nextEvent,
  part,
  playing,
  rendered,
  shadow,
  statusText,
  tile,
} from './helpers.js';

describe('<kurento-room> reconnecting and self-healing', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;
  let room: string;

  beforeEach(async () => {
    server = fakeKurento();
    room = freshRoom();
    server.arrive('Bob', room);
    element = await mount({ server: server.url, room, name: 'Ada' });
  });

  afterEach(cleanup);

  const button = () => shadow(element).querySelector<HTMLButtonElement>('[part="join-button"]')!;
  const bobVideo = () => tile(element, 'Bob')!.querySelector('video')!;

  /** Joins and waits until Bob's video plays. */
  async function joined(): Promise<void> {
    const bobStream = nextEvent(element, 'remote-stream-added');
    await element.join();
    await bobStream;
    await element.updateComplete;
    await playing(bobVideo());
  }

  it('says "Reconnecting…" while re-joining, keeps every tile and the Leave button, then plays Bob again', async () => {
    await joined();
    const bobTile = tile(element, 'Bob')!;
    const localTile = tile(element, 'Ada')!;
    const removed: Node[] = [];
    const observer = new MutationObserver((records) =>
      records.forEach((r) => removed.push(...r.removedNodes)),
    );
    observer.observe(shadow(element).querySelector('[part="grid"]')!, { childList: true });
    onCleanup(() => observer.disconnect());

    server.refuseNext(2); // Two failed attempts keep it reconnecting for a while.
    const reconnecting = nextEvent(element, 'reconnecting');
    server.closeSocket(1012);
    expect((await reconnecting).detail.reason.reason).to.equal('socket');
    await rendered(element, () => statusText(element) === 'Reconnecting…', '"Reconnecting…"');
    expect(tile(element, 'Bob')).to.equal(bobTile);
    expect(tile(element, 'Ada')).to.equal(localTile);
    expect(part(element, 'leave-button')!.disabled, 'Leave stays available').to.equal(false);

    const bobBack = nextEvent(element, 'remote-stream-added');
    await nextEvent(element, 'reconnected');
    await rendered(
      element,
      () => statusText(element) === `Connected to room ${room} as Ada`,
      'connected again',
    );
    await bobBack;
    await element.updateComplete;
    await playing(bobVideo());
    expect(tile(element, 'Bob')).to.equal(bobTile);
    expect(removed.filter((node) => node === bobTile || node === localTile)).to.deep.equal([]);
  });

  it('Leave while reconnecting leaves: "Not connected", no tiles, Join button', async () => {
    await joined();
    server.refuseNext(1000);
    server.closeSocket(1012);
    await rendered(element, () => statusText(element) === 'Reconnecting…', '"Reconnecting…"');
    part(element, 'leave-button')!.click();
    await rendered(element, () => statusText(element) === 'Not connected', '"Not connected"');
    expect(tile(element, 'Bob')).to.equal(undefined);
    expect(button().textContent!.trim()).to.equal('Join room');
    expect(element.client!.state).to.equal('disconnected');
  });

  it('says "Connection lost: <reason>" when reconnecting gives up, and offers Join again', async () => {
    const original = defaultReconnectPolicy.nextRetryDelayInMs;
    defaultReconnectPolicy.nextRetryDelayInMs = () => null;
    onCleanup(() => {
      defaultReconnectPolicy.nextRetryDelayInMs = original;
    });
    await joined();
    const roomError = nextEvent(element, 'room-error');
    server.closeSocket(1011);
    expect((await roomError).detail.error.reason).to.equal('reconnect-failed');
    await rendered(
      element,
      () =>
        statusText(element) ===
        `Not connected Connection lost: cannot reach the server at ${server.url}.`,
      '"Connection lost"',
    );
    expect(button().textContent!.trim()).to.equal('Join room');
    expect(tile(element, 'Bob')).to.equal(undefined);
  });

  it('a failed connection that the client rebuilds leaves no error in the status line', async () => {
    const peers = trackPeerConnections();
    onCleanup(() => peers.restore());
    await joined();
    const offer = server.all('receiveVideoFrom').find((m) => m.sender === 'Bob')!;
    const pc = peers.bySdp(offer.sdpOffer)!.pc;
    const restarted = nextEvent(element, 'peer-restarted');
    reportFailed(pc);
    const { detail } = await restarted;
    expect(detail.participant.name).to.equal('Bob');
    expect(detail.reason).to.equal('failed');
    await element.updateComplete;
    expect(statusText(element)).to.contain('The connection to Bob failed.');
    await rendered(
      element,
      () => statusText(element) === `Connected to room ${room} as Ada`,
      'the error to clear once Bob is connected again',
    );
    await playing(bobVideo());
  });
});
