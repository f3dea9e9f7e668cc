/**
 * Relay only (issue 9, scenario 2): the server with `TURN_URLS`, `TURN_SECRET` and
 * `ICE_TRANSPORT_POLICY=relay`, coturn with `use-auth-secret` (the README's
 * `turnserver.conf`), two Chromium participants behind the NAT. Every page gets fresh
 * credentials from `/config.json` and relays its media through coturn over UDP; a page
 * holding expired credentials is told so in words instead of waiting silently.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { turnCredentials } from '../../packages/server/src/turn-credentials.js';
import { waitUntil } from '../helpers/wait.js';
import { decodingFrom } from './helpers/decoding.js';
import { networkCallFixture, TURN_URLS } from './helpers/network-call.js';
import { expectTurnAdvice, selectedPairsOf, type ParticipantPage } from './helpers/participants.js';
import { SERVER_ADDRESS } from './helpers/topology.js';

/** The `turn:` URL over UDP of the fixture's coturn. */
const TURN_UDP_URL = TURN_URLS.find((url) => url.endsWith('?transport=udp'))!;

/** Records every `icecandidateerror`'s STUN error code on `window.__iceErrors`. */
function recordIceCandidateErrors() {
  const errors: number[] = [];
  (window as unknown as { __iceErrors: number[] }).__iceErrors = errors;
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('icecandidateerror', (event) =>
        errors.push((event as RTCPeerConnectionIceErrorEvent).errorCode),
      );
    }
  } as typeof RTCPeerConnection;
}

/** Makes the page's `fetch('/config.json')` answer `window.__config` instead of the server. */
function answerConfigFromWindow() {
  const native = window.fetch.bind(window);
  window.fetch = (input, init) =>
    new URL(String(input instanceof Request ? input.url : input), location.href).pathname ===
    '/config.json'
      ? Promise.resolve(
          new Response(JSON.stringify((window as unknown as { __config: unknown }).__config), {
            headers: { 'Content-Type': 'application/json' },
          }),
        )
      : native(input, init);
}

describe('relay only, with TURN credentials from the TURN_SECRET shared with coturn', () => {
  // TURN over UDP alone: with a TCP URL too, Chromium may nominate whichever relay answered first.
  const net = networkCallFixture({
    homes: 2,
    serverEnv: { ICE_TRANSPORT_POLICY: 'relay', TURN_URLS: TURN_UDP_URL },
  });

  it('every selected local candidate is a coturn relay reached over UDP', async () => {
    const openedAt = Date.now();
    const pages: ParticipantPage[] = [
      await net.join(1, 'relay', 'ann'),
      await net.join(2, 'relay', 'bo'),
    ];
    const seconds = await Promise.all([
      decodingFrom(pages[0]!, ['bo'], openedAt),
      decodingFrom(pages[1]!, ['ann'], openedAt),
    ]);
    console.log(
      `# relay: first frame both ways ${Math.max(...seconds).toFixed(2)} s after the pages opened`,
    );
    for (const page of pages) {
      const config = await page.evaluate(() => fetch('/config.json').then((r) => r.json()));
      assert.equal(config.iceTransportPolicy, 'relay');
      // A publisher and a subscriber, each with a selected pair.
      const pairs = await selectedPairsOf(page, 2);
      for (const { local, remote } of pairs) {
        assert.deepEqual([local.candidateType, local.relayProtocol], ['relay', 'udp']);
        assert.equal(local.address, SERVER_ADDRESS, "coturn's relay address");
        assert.equal(remote.address, SERVER_ADDRESS, 'the SFU as it announces itself');
      }
    }
    for (const page of pages) await page.close();
  });

  it('expired TURN credentials give a clear error, not a silent wait', async () => {
    // Credentials that expired an hour ago, as a page kept open since then would hold.
    const expired = turnCredentials(
      { urls: [TURN_UDP_URL], secret: net.turnSecret, ttlSeconds: 60 },
      Date.now() - 3600 * 1000,
    );
    const config = { iceServers: [expired], iceTransportPolicy: 'relay' };
    const page = await net.join(1, 'expired', 'cy', {
      scripts: [
        `window.__config = ${JSON.stringify(config)};`,
        answerConfigFromWindow,
        recordIceCandidateErrors,
      ],
    });
    await waitUntil(
      () =>
        page.evaluate(() =>
          (window as unknown as { __iceErrors: number[] }).__iceErrors.includes(401),
        ),
      { message: 'coturn refusing the credentials (an icecandidateerror with code 401)' },
    );
    await expectTurnAdvice(page);
  });
});
