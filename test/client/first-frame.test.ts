// A subscription that connects but never decodes a video frame (ICE and DTLS up, no
// video from the server) is noticed by the watchdog and rebuilt, in every browser the
// suite runs in; one whose publisher has its camera off is left alone, frames or not.
import { expect } from '@esm-bundle/chai';
import { firstFrame, until } from './helpers.js';
import { cleanup, peerFor, start } from './setup.js';
import { WATCHDOG_TICK_MS } from '../../packages/sdk/src/core/media-watchdog.js';

describe('RoomClient: a subscription that never starts decoding', () => {
  afterEach(cleanup);

  it('is rebuilt (peerRestarted stalled) about twice stallTimeoutMs after it connected, and the new one decodes', async () => {
    const room = start({ existing: ['bob'] }, { stallTimeoutMs: 1000 });
    const { server, client, events } = room;
    await client.join('lobby', 'ada');
    await until(() => server.endpoints.has('bob'), "bob's server endpoint");
    const endpoint = server.endpoints.get('bob')!;
    await endpoint.answered;
    await server.stopVideo('bob'); // Before the client's ICE and DTLS are up: no frame ever.
    const first = peerFor(room, 'bob');
    await events.next('peerStateChanged', (p, state) => p.name === 'bob' && state === 'connected');
    const connected = performance.now();
    const neverDecoded = client.participants.get('bob')!.stream;
    const [participant, reason] = await events.next('peerRestarted', undefined, 6000);
    expect(participant.name).to.equal('bob');
    expect(reason).to.equal('stalled');
    // Seen connected at a tick, stalled at the first tick 2 s past it.
    expect(performance.now() - connected).to.be.within(1900, 2000 + 2 * WATCHDOG_TICK_MS + 500);
    expect(first.signalingState).to.equal('closed');
    const [, stream] = await events.next(
      'remoteStreamAdded',
      (p, added) => p.name === 'bob' && added !== neverDecoded,
    );
    await firstFrame(stream, "bob's rebuilt subscription");
  });

  it('is left alone while its publisher has the camera off', async () => {
    const room = start({ existing: ['bob'] }, { stallTimeoutMs: 500 });
    const { server, client, events } = room;
    server.setMediaState('bob', { audioMuted: false, videoMuted: true });
    await client.join('lobby', 'ada');
    await until(() => server.endpoints.has('bob'), "bob's server endpoint");
    await server.endpoints.get('bob')!.answered;
    await server.stopVideo('bob');
    await events.next('peerStateChanged', (p, state) => p.name === 'bob' && state === 'connected');
    expect(client.participants.get('bob')!.videoMuted).to.equal(true);
    const watched = performance.now();
    // Longer than a rebuild would take (twice stallTimeoutMs, plus two ticks).
    const watch = 1000 + 2 * WATCHDOG_TICK_MS + 500;
    await until(() => performance.now() - watched > watch, 'watching', watch + 1500);
    expect(events.all('peerRestarted')).to.deep.equal([]);
  });
});
