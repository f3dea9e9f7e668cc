import { expect } from '@esm-bundle/chai';
import { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import {
  countSrcObjectSets,
  freshRoom,
  mount,
  nextEvent,
  part,
  playing,
  rendered,
  shadow,
  statusText,
  tile,
  tiles,
  SERVER,
} from './helpers.js';

describe('<kurento-room> rendering', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement | undefined;

  beforeEach(() => {
    server = fakeKurento({ url: SERVER });
  });

  afterEach(cleanup);

  const button = () => shadow(element!).querySelector<HTMLButtonElement>('[part="join-button"]')!;
  const leaveButton = () => part(element!, 'leave-button')!;
  const video = (name: string) => tile(element!, name)?.querySelector('video') ?? undefined;

  it('defines kurento-room as KurentoRoomElement', () => {
    expect(customElements.get('kurento-room')).to.equal(KurentoRoomElement);
    expect(document.createElement('kurento-room')).to.be.instanceOf(KurentoRoomElement);
  });

  it('says "Not connected" in a polite live region and disables Join until room and name are set', async () => {
    element = await mount({ server: SERVER });
    const status = shadow(element).querySelector('[part="status"]')!;
    expect(statusText(element)).to.equal('Not connected');
    expect(status.getAttribute('role')).to.equal('status');
    expect(status.getAttribute('aria-live')).to.equal('polite');
    expect(button().disabled, 'no room, no name').to.equal(true);
    element.room = 'standup';
    await element.updateComplete;
    expect(button().disabled, 'no name').to.equal(true);
    element.name = 'Ada';
    await element.updateComplete;
    expect(button().disabled).to.equal(false);
    expect(button().textContent!.trim()).to.equal('Join room');
    expect(shadow(element).querySelector('[part="title"]')!.textContent).to.equal('standup');
  });

  it('lays tiles out in a CSS grid that fits a phone-width screen', async () => {
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    element.style.width = '320px';
    await element.join();
    const grid = shadow(element).querySelector<HTMLElement>('[part="grid"]')!;
    expect(getComputedStyle(grid).display).to.equal('grid');
    const local = await rendered(element, () => tile(element!, 'Ada'), 'the local tile');
    expect(local.getBoundingClientRect().width).to.be.greaterThan(0);
    expect(local.getBoundingClientRect().width).to.be.at.most(320);
  });

  it('joins on a click: "Connecting…", then "Connected to room R as N" with a playing, muted, mirrored preview', async () => {
    const room = freshRoom();
    element = await mount({ server: SERVER, room, name: 'Ada' });
    const connecting = nextEvent(
      element,
      'connection-state-changed',
      (e) => e.detail.state === 'connecting',
    );
    button().click();
    await connecting;
    await element.updateComplete;
    expect(statusText(element)).to.equal('Connecting…');
    expect(button(), 'no Join button once joining').to.equal(null);
    expect(leaveButton().disabled, 'Leave cancels a join').to.equal(false);

    await rendered(
      element,
      () => statusText(element!) === `Connected to room ${room} as Ada`,
      'connected',
    );
    expect(leaveButton().textContent!.trim()).to.equal('Leave room');

    const local = await rendered(element, () => tile(element!, 'Ada'), 'the local tile');
    expect(local.hasAttribute('data-local')).to.equal(true);
    expect(local.querySelector('[part="name"]')!.textContent).to.equal('Ada (you)');
    const preview = await playing(local.querySelector('video')!);
    expect(preview.videoWidth).to.be.greaterThan(0);
    expect(preview.muted, 'the local preview is muted').to.equal(true);
    expect(preview.srcObject).to.equal(element.client!.localParticipant!.stream);
    expect(getComputedStyle(preview).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
  });

  it('shows one tile per remote participant with an unmuted playing video, and keeps each video element across renders', async () => {
    const room = freshRoom();
    server.arrive('Bob', room);
    element = await mount({ server: SERVER, room, name: 'Ada' });
    await element.join();

    const bob = await rendered(element, () => video('Bob'), "Bob's tile");
    expect(tile(element, 'Bob')!.hasAttribute('data-local')).to.equal(false);
    expect(tile(element, 'Bob')!.querySelector('[part="name"]')!.textContent).to.equal('Bob');
    await playing(bob);
    expect(bob.videoWidth).to.be.greaterThan(0);
    expect(bob.muted, 'remote audio plays').to.equal(false);
    await rendered(
      element,
      () => tile(element!, 'Bob')!.dataset.peerState === 'connected',
      'Bob connected',
    );
    const bobStream = bob.srcObject;
    const ada = await rendered(element, () => video('Ada'), 'the local tile');
    const bobSets = countSrcObjectSets(bob);
    const adaSets = countSrcObjectSets(ada);

    server.arrive('Carol', room);
    await rendered(element, () => tile(element!, 'Carol'), "Carol's tile");
    expect(tiles(element).map((t) => t.dataset.name)).to.deep.equal(['Ada', 'Bob', 'Carol']);
    expect(video('Bob'), "Bob's video element survives Carol's arrival").to.equal(bob);
    expect(video('Ada')).to.equal(ada);
    expect(bob.srcObject).to.equal(bobStream);

    const carol = video('Carol')!;
    expect(adaSets() + bobSets(), 'no srcObject re-assignment (it reloads the video)').to.equal(0);
    server.depart('Bob', room);
    await rendered(element, () => !tile(element!, 'Bob'), "Bob's tile to go");
    expect(tiles(element).map((t) => t.dataset.name)).to.deep.equal(['Ada', 'Carol']);
    expect(video('Carol'), "Carol's video element survives Bob leaving before her").to.equal(carol);
    expect(adaSets(), 'no srcObject re-assignment (it reloads the video)').to.equal(0);
    expect(bob.srcObject, "Bob's removed video is detached").to.equal(null);
    expect(carol.muted).to.equal(false);
  });

  it('renders names as text, never as markup', async () => {
    const room = freshRoom();
    const hostile = '<img src=x onerror=alert(1)>';
    server.arrive(hostile, room);
    element = await mount({ server: SERVER, room, name: '<b>Ada</b>' });
    await element.join();
    const remote = await rendered(element, () => tile(element!, hostile), 'the hostile tile');
    expect(remote.querySelector('[part="name"]')!.textContent).to.equal(hostile);
    expect(remote.getAttribute('data-name')).to.equal(hostile);
    expect(statusText(element)).to.equal(`Connected to room ${room} as <b>Ada</b>`);
    expect(tile(element, '<b>Ada</b>')!.querySelector('[part="name"]')!.textContent).to.equal(
      '<b>Ada</b> (you)',
    );
    expect(shadow(element).querySelector('img'), 'no img element').to.equal(null);
    expect(shadow(element).querySelector('b'), 'no b element').to.equal(null);
  });

  it('shows the empty slot while nobody else is in the room', async () => {
    const room = freshRoom();
    element = await mount({ server: SERVER, room, name: 'Ada' });
    const message = document.createElement('p');
    message.slot = 'empty';
    message.textContent = 'Alone here';
    element.append(message);
    await element.join();
    const slot = await rendered(
      element,
      () => shadow(element!).querySelector<HTMLSlotElement>('slot[name="empty"]'),
      'the empty slot',
    );
    expect(slot.assignedElements()).to.deep.equal([message]);
    server.arrive('Bob', room);
    await rendered(element, () => tile(element!, 'Bob'), "Bob's tile");
    expect(shadow(element).querySelector('slot[name="empty"]')).to.equal(null);
  });

  it('Leave room leaves: sends leaveRoom, drops the tiles and says "Not connected"', async () => {
    const room = freshRoom();
    server.arrive('Bob', room);
    element = await mount({ server: SERVER, room, name: 'Ada' });
    await element.join();
    await rendered(element, () => tiles(element!).length === 2, 'two tiles');
    leaveButton().click();
    await server.next('leaveRoom');
    await rendered(element, () => statusText(element!) === 'Not connected', 'Not connected');
    expect(tiles(element)).to.have.length(0);
    expect(element.client!.state).to.equal('disconnected');
    expect(button().textContent!.trim()).to.equal('Join room');
  });

  it('leaves the room when removed from the page: the client closes and so does its socket', async () => {
    element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
    await element.join();
    const client = element.client!;
    expect(client.state).to.equal('connected');
    element.remove();
    await server.closes.next(() => true, 'the socket to close');
    expect(client.state).to.equal('closed');
    expect(element.client).to.equal(client);
  });
});
