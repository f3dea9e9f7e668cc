import { expect } from '@esm-bundle/chai';
import { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';

describe('<kurento-room> definition', () => {
  it('a second copy of the SDK on the page (the drop-in bundle) loads without throwing and leaves the first definition in place', async () => {
    expect(customElements.get('kurento-room')).to.equal(KurentoRoomElement);
    // Built by `npm run build` (npm test builds before the browser tests); a module of its
    // own, with its own Lit and its own element class, as a second <script> would be.
    const bundle = (await import('/packages/sdk/dist/kurento-room.bundle.js' as string)) as {
      KurentoRoomElement: CustomElementConstructor;
    };
    expect(bundle.KurentoRoomElement).to.be.a('function');
    expect(bundle.KurentoRoomElement).not.to.equal(KurentoRoomElement);
    expect(customElements.get('kurento-room')).to.equal(KurentoRoomElement);
  });
});
