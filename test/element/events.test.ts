import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { RoomEventDetails } from '../../packages/sdk/src/element/room-controller.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import { stubMediaDevices } from '../client/media-probes.js';
import { freshRoom, joinedWith, mount, nextEvent, recordEvents, SERVER } from './helpers.js';

const TYPES: Array<keyof RoomEventDetails> = [
  'connection-state-changed',
  'participant-joined',
  'participant-left',
  'remote-stream-added',
  'remote-stream-removed',
  'local-stream-added',
  'local-stream-removed',
  'peer-state-changed',
  'room-error',
];

describe('<kurento-room> events', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement | undefined;
  let seen: CustomEvent[];
  const record = (event: Event) => seen.push(event as CustomEvent);

  beforeEach(() => {
    server = fakeKurento({ url: SERVER });
    seen = [];
    for (const type of TYPES) document.addEventListener(type, record);
  });

  afterEach(async () => {
    for (const type of TYPES) document.removeEventListener(type, record);
    await cleanup();
  });

  it('re-dispatches the client events on the document, bubbling and composed, with typed detail', async () => {
    const room = freshRoom();
    server.arrive('Bob', room);
    element = await mount({ server: SERVER, room, name: 'Ada' });

    // nextEvent's types come from GlobalEventHandlersEventMap: e.detail needs no casts.
    const connected = nextEvent(
      document,
      'connection-state-changed',
      (e) => e.detail.state === 'connected',
    );
    const joined = nextEvent(document, 'participant-joined');
    const localStream = nextEvent(document, 'local-stream-added');
    const remoteStream = nextEvent(document, 'remote-stream-added');
    const peerConnected = nextEvent(
      document,
      'peer-state-changed',
      (e) => e.detail.participant.name === 'Bob' && e.detail.state === 'connected',
    );
    await element.join();

    const first = seen.find((e) => e.type === 'connection-state-changed')!;
    expect(first.detail).to.deep.equal({ state: 'connecting', previous: 'disconnected' });
    expect((await connected).detail).to.deep.equal({ state: 'connected', previous: 'connecting' });

    const join = await joined;
    expect(join.detail.participant.name).to.equal('Bob');
    expect(join.detail.participant.isLocal).to.equal(false);
    expect(join.target, 'retargeted to the element').to.equal(element);
    expect(join.bubbles).to.equal(true);
    expect(join.composed).to.equal(true);

    expect((await localStream).detail.stream).to.be.instanceOf(MediaStream);
    expect((await localStream).detail.stream).to.equal(element.client!.localParticipant!.stream);
    const remote = await remoteStream;
    expect(remote.detail.participant.name).to.equal('Bob');
    expect(remote.detail.stream).to.be.instanceOf(MediaStream);
    expect((await peerConnected).detail.participant.peerState).to.equal('connected');

    const left = nextEvent(document, 'participant-left');
    const removed = nextEvent(document, 'remote-stream-removed');
    server.depart('Bob', room);
    expect((await left).detail.participant.name).to.equal('Bob');
    expect((await removed).detail.stream).to.equal(remote.detail.stream);

    const localRemoved = nextEvent(document, 'local-stream-removed');
    await element.leave();
    expect((await localRemoved).detail.stream).to.equal((await localStream).detail.stream);
    for (const event of seen) {
      expect(event.bubbles && event.composed, `${event.type} bubbles and is composed`).to.equal(
        true,
      );
    }
  });

  it('fires nothing when its owner sets properties', async () => {
    element = await mount();
    element.server = SERVER;
    element.room = freshRoom();
    element.name = 'Ada';
    element.media = false;
    element.iceServers = [];
    element.setAttribute('room', 'another');
    await element.updateComplete;
    expect(seen).to.deep.equal([]);
    expect(element.client).to.equal(null);
  });

  it('follows the devices: a camera that disappears fires device-lost, then active-device-changed for the default, once each', async () => {
    element = await joinedWith(server, ['Bob']);
    const events = recordEvents(element, ['device-lost', 'active-device-changed']);
    const camera = element.client!.localParticipant!.stream!.getVideoTracks()[0];
    const lostId = camera.getSettings().deviceId!;
    const native = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
    stubMediaDevices('enumerateDevices', async () =>
      (await native()).filter((d) => d.deviceId !== lostId),
    );
    const changed = nextEvent(element, 'active-device-changed');
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    expect((await changed).detail.kind).to.equal('videoinput');
    expect(events.all('device-lost').map((e) => e.detail)).to.deep.equal([
      { kind: 'videoinput', deviceId: lostId },
    ]);
    expect(events.all('active-device-changed')).to.have.length(1);
    expect(camera.readyState, 'the lost track is stopped').to.equal('ended');
  });
});
