// Removing <kurento-room> from the page during a call: the client closes and every remote video
// the element played is detached from its stream and from the client (nothing keeps them alive).
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento } from '../helpers-browser/fixture.js';
import { joinedWith, rendered, tile } from './helpers.js';

describe('<kurento-room> removed from the page', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;

  afterEach(cleanup);

  it('during a call: the client closes, the camera stops, and the remote video lets its stream go', async () => {
    server = fakeKurento();
    element = await joinedWith(server, ['Bob']);
    const remoteVideo = () => tile(element, 'Bob')?.querySelector('video');
    await rendered(element, () => remoteVideo()?.srcObject, "Bob's video playing");
    const video = remoteVideo()!;
    const camera = element.client!.localParticipant!.stream!;
    element.remove();
    expect(element.client!.state).to.equal('closed');
    expect(video.srcObject).to.equal(null);
    expect(camera.getTracks().map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
  });
});
