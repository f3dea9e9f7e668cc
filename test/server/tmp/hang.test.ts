import { after, test } from 'node:test';
import { withServer } from '../helpers/fixture.js';
import { publish } from '../helpers/werift-peer.js';
test('x', async (t) => {
  const { connect } = await withServer(t);
  const alice = await connect(); await alice.join('room', 'alice');
  const publisher = await publish(alice, 'alice');
  t.after(() => publisher.pc.close());
  await publisher.connected;
});
after(() => {
  setTimeout(() => {
    const hs = (process as any)._getActiveHandles();
    console.error('handles', hs.map((h: any) => h.constructor.name + ' ' + (h.address ? JSON.stringify(h.address?.()) : '') + (h._onTimeout ? String(h._onTimeout).slice(0, 200) : '')));
    const rs = (process as any)._getActiveRequests();
    console.error('requests', rs.length);
  }, 1000).unref();
});
