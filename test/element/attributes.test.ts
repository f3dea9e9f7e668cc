import { expect } from '@esm-bundle/chai';
import {
  resolveServerUrl,
  type KurentoRoomElement,
} from '../../packages/sdk/src/element/kurento-room.js';
import { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import { freshRoom, mount, rendered, statusText, tile, wsOrigin, SERVER } from './helpers.js';

describe('<kurento-room> attributes and properties', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement | undefined;

  afterEach(cleanup);

  describe('server', () => {
    beforeEach(() => {
      server = fakeKurento({ url: `${wsOrigin}/groupcall` });
    });

    it('defaults to /groupcall on the page origin, ws: on http: and wss: on https:', async () => {
      element = await mount();
      expect(element.server).to.equal(`${wsOrigin}/groupcall`);
      expect(resolveServerUrl('', 'https://example.com/app/page')).to.equal(
        'wss://example.com/groupcall',
      );
      expect(resolveServerUrl(null, 'http://example.com:8080/')).to.equal(
        'ws://example.com:8080/groupcall',
      );
      expect(resolveServerUrl('/signal', 'https://example.com/app/')).to.equal(
        'wss://example.com/signal',
      );
      expect(resolveServerUrl('wss://other.example/groupcall', 'http://example.com/')).to.equal(
        'wss://other.example/groupcall',
      );
    });

    it('joins the default server with the room and name attributes', async () => {
      const room = freshRoom();
      element = await mount({ room, name: 'Ada' });
      expect(element.client, 'no client before join').to.equal(null);
      await element.join();
      const join = await server.next('joinRoom');
      expect(join).to.deep.equal({ id: 'joinRoom', room, name: 'Ada', sessionId: join.sessionId });
      expect(element.client).to.be.instanceOf(RoomClient);
      expect(element.client!.room).to.equal(room);
      expect(element.client!.localParticipant!.name).to.equal('Ada');
    });
  });

  describe('with a mock server', () => {
    beforeEach(() => {
      server = fakeKurento({ url: SERVER });
    });

    it('autojoin joins without a click once room and name are both set', async () => {
      const room = freshRoom();
      element = await mount({ server: SERVER, room, autojoin: '' });
      expect(element.autojoin).to.equal(true);
      expect(element.client, 'no name yet: no join').to.equal(null);
      element.setAttribute('name', 'Ada');
      const join = await server.next('joinRoom');
      expect(join).to.deep.equal({ id: 'joinRoom', room, name: 'Ada', sessionId: join.sessionId });
      await rendered(
        element,
        () => statusText(element!) === `Connected to room ${room} as Ada`,
        'connected',
      );
    });

    it('autojoin joins again when the element comes back to the page', async () => {
      element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada', autojoin: '' });
      await server.next('joinRoom');
      await rendered(
        element,
        () => element!.client?.state === 'connected' && tile(element!, 'Ada'),
        'joined',
      );
      const first = element.client!;
      element.remove();
      await server.closes.next(() => true, 'the socket to close');
      expect(first.state).to.equal('closed');
      document.body.append(element);
      await server.next('joinRoom'); // The second: next() never returns a message twice.
      await rendered(element, () => element!.client?.state === 'connected', 'joined again');
      expect(element.client).not.to.equal(first);
    });

    it('join() after the client closed makes a new client', async () => {
      element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
      await element.join();
      const first = element.client!;
      element.remove();
      document.body.append(element);
      await element.join();
      expect(element.client).to.be.instanceOf(RoomClient);
      expect(element.client).not.to.equal(first);
      expect(first.state).to.equal('closed');
      expect(element.client!.state).to.equal('connected');
    });

    it('passes media (false: receive-only) to the client', async () => {
      element = await mount({ server: SERVER, room: freshRoom(), name: 'Ada' });
      element.media = false;
      await element.join();
      const local = await rendered(element, () => tile(element!, 'Ada'), 'the local tile');
      expect(element.client!.localParticipant!.stream).to.equal(null);
      expect(local.querySelector('[part="peer-state"]')!.textContent).to.equal('Camera off');
    });

    it('passes iceServers to every peer connection', async () => {
      const iceServers: RTCIceServer[] = [{ urls: 'stun:127.0.0.1:3478' }];
      const configs: RTCConfiguration[] = [];
      const Original = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Original {
        constructor(config?: RTCConfiguration) {
          super(config);
          if (config) configs.push(config);
        }
      };
      try {
        const room = freshRoom();
        server.arrive('Bob', room);
        element = await mount({ server: SERVER, room, name: 'Ada' });
        element.iceServers = iceServers;
        await element.join();
        await rendered(element, () => tile(element!, 'Bob'), "Bob's tile");
        await server.next('receiveVideoFrom', (m) => m.sender === 'Bob');
        await server.next('receiveVideoFrom', (m) => m.sender === 'Ada');
        const withServers = configs.filter(
          (c) => c.iceServers?.[0]?.urls === 'stun:127.0.0.1:3478',
        );
        expect(withServers.length, 'publisher and subscriber').to.be.at.least(2);
      } finally {
        window.RTCPeerConnection = Original;
      }
    });
  });
});
