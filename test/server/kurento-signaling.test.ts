/**
 * The reference server on the Kurento backend against real Kurento Media Servers (each
 * test starts its own on free ports), with werift as the browser in Node: the
 * contract's order (the answer before any server candidate), KMS's objects released on
 * leave and on a closed socket (`ServerManager.getPipelines` back to none), KMS's
 * refusals as `MEDIA_ERROR`, a KMS killed (SIGKILL) under a room of three and
 * restarted, and a pool of two with one killed.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { CloseCode } from '../../packages/sdk/src/protocol/index.js';
import { KurentoBackend } from '../../packages/server/src/media/kurento/kurento-backend.js';
import type { KurentoClient } from '../../packages/server/src/media/kurento/kurento-client.js';
import { findKms, NO_KMS, startKms, type KmsInstance } from '../helpers/kms.js';
import { until, withServer, type Fixture } from './helpers/fixture.js';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import type { TestClient } from './helpers/ws-client.js';

/** A werift peer connection standing in for a browser's, for `name`'s media. */
interface ClientPeer {
  pc: RTCPeerConnection;
  /** Resolves once connected (ICE and DTLS through KMS); rejects on failure or after 10 s. */
  connected: Promise<void>;
}

/**
 * Negotiates a werift peer for `name`'s media as the tutorial client does, trickling
 * every candidate both ways. Unlike the werift SFU's tests, it gathers on the machine's
 * interfaces: KMS gathers no loopback candidate, so a peer bound to 127.0.0.1 alone
 * finds no pair.
 */
async function negotiate(
  client: TestClient,
  name: string,
  direction: 'sendonly' | 'recvonly',
): Promise<ClientPeer> {
  const pc = new RTCPeerConnection({
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
    codecs: { audio: [useOPUS()], video: [useVP8()] },
  });
  for (const kind of ['audio', 'video'] as const) {
    pc.addTransceiver(direction === 'sendonly' ? new MediaStreamTrack({ kind }) : kind, {
      direction,
    });
  }
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no connection in 10 s`)), 10_000);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') resolve();
      if (state === 'failed') reject(new Error(`${name}: peer connection failed`));
      if (state === 'connected' || state === 'failed') clearTimeout(timer);
    });
  });
  connected.catch(() => undefined);
  pc.onIceCandidate.subscribe((candidate) => {
    if (!candidate) return;
    const { sdpMid, sdpMLineIndex } = candidate;
    client.send({
      id: 'onIceCandidate',
      name,
      candidate: {
        candidate: candidate.candidate,
        sdpMid: sdpMid ?? null,
        sdpMLineIndex: sdpMLineIndex ?? null,
      },
    });
  });
  await pc.setLocalDescription(await pc.createOffer());
  client.send({ id: 'receiveVideoFrom', sender: name, sdpOffer: pc.localDescription!.sdp });
  const answer = await client.next('receiveVideoAnswer', (m) => m.name === name, 15_000);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdpAnswer });
  void (async () => {
    for (;;) {
      const found = await client.next('iceCandidate', (m) => m.name === name, 60_000);
      await pc.addIceCandidate({
        candidate: found.candidate.candidate,
        sdpMid: found.candidate.sdpMid ?? undefined,
        sdpMLineIndex: found.candidate.sdpMLineIndex ?? undefined,
      });
    }
  })().catch(() => undefined); // ends when the socket closes
  return { pc, connected };
}

const publish = (client: TestClient, name: string) => negotiate(client, name, 'sendonly');
const subscribe = (client: TestClient, name: string) => negotiate(client, name, 'recvonly');

const skip = findKms() ? false : NO_KMS;

/** KMS instances for the test, stopped (or killed) at its end. */
async function kmsPool(t: TestContext, count: number): Promise<KmsInstance[]> {
  const instances: KmsInstance[] = [];
  t.after(() => Promise.all(instances.map((kms) => kms.stop())));
  for (let i = 0; i < count; i++) instances.push(await startKms());
  return instances;
}

/** The server on a Kurento backend over `instances`, closed at the test's end. */
async function kurentoServer(
  t: TestContext,
  instances: KmsInstance[],
): Promise<Fixture & { backend: KurentoBackend }> {
  const backend = new KurentoBackend({
    urls: instances.map((kms) => kms.url),
    reconnectDelaysMs: [0, 100, 200],
  });
  t.after(() => backend.close());
  await Promise.all(backend.clients.map((client) => client.opened()));
  return { ...(await withServer(t, { backend })), backend };
}

/** `count` KMS instances, the server over them, and a tracker of peer connections. */
async function onKms(t: TestContext, count: number) {
  const instances = await kmsPool(t, count);
  return { instances, fixture: await kurentoServer(t, instances), track: peers(t) };
}

/** Peer connections for the test, closed at its end. */
function peers(t: TestContext): (peer: Promise<ClientPeer>) => Promise<ClientPeer> {
  const open: ClientPeer[] = [];
  t.after(() => Promise.all(open.map((peer) => peer.pc.close())));
  return async (peer) => {
    const made = await peer;
    open.push(made);
    return made;
  };
}

async function pipelinesOn(client: KurentoClient): Promise<string[]> {
  return client.getPipelines();
}

/** Joins each name into `room`, publishing; resolves with the clients. */
async function roomOf(
  fixture: Fixture,
  track: (peer: Promise<ClientPeer>) => Promise<ClientPeer>,
  room: string,
  ...names: string[]
): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (const name of names) {
    const client = await fixture.connect();
    await client.join(room, name);
    await track(publish(client, name));
    clients.push(client);
  }
  return clients;
}

describe('the server on Kurento Media Server', () => {
  test(
    'the answer comes before any server candidate, and a werift peer connects through KMS',
    { skip },
    async (t) => {
      const { fixture, track } = await onKms(t, 1);
      const [alice, bob] = await roomOf(fixture, track, 'room', 'alice', 'bob');
      const subscription = await track(subscribe(bob!, 'alice'));
      await subscription.connected;
      for (const client of [alice!, bob!]) {
        const ids = client.history.map((m) => m.id);
        assert.ok(ids.includes('iceCandidate'), ids.join());
        assert.ok(ids.indexOf('receiveVideoAnswer') < ids.indexOf('iceCandidate'), ids.join());
      }
      const answer = bob!.history.find((m) => m.id === 'receiveVideoAnswer' && m.name === 'alice');
      assert.ok(answer?.id === 'receiveVideoAnswer');
      assert.match(answer.sdpAnswer, /^a=sendonly/m);
      assert.deepEqual(fixture.backend.stats(), { pipelines: 1, endpoints: 3 });
    },
  );

  test(
    "leaving releases the participant's endpoints on KMS; the last one out releases the pipeline",
    { skip },
    async (t) => {
      const { fixture, track } = await onKms(t, 1);
      const client = fixture.backend.clients[0]!;
      const [alice, bob] = await roomOf(fixture, track, 'room', 'alice', 'bob');
      await track(subscribe(bob!, 'alice'));
      await track(subscribe(alice!, 'bob'));
      const [pipeline] = await pipelinesOn(client);
      assert.ok(pipeline);
      assert.equal(((await client.invoke(pipeline, 'getChildren')) as string[]).length, 4);

      alice!.send({ id: 'leaveRoom' });
      await bob!.next('participantLeft', (m) => m.name === 'alice');
      await until(() => fixture.backend.stats().endpoints === 1, 'alice left');
      assert.equal(((await client.invoke(pipeline, 'getChildren')) as string[]).length, 1);

      // A closed socket leaves too: the room empties and KMS holds nothing.
      await bob!.close();
      await until(() => fixture.backend.stats().pipelines === 0, 'the room closed');
      assert.deepEqual(await pipelinesOn(client), []);
    },
  );

  test("an offer KMS cannot parse gets MEDIA_ERROR with KMS's message", { skip }, async (t) => {
    const { fixture } = await onKms(t, 1);
    const alice = await fixture.connect();
    await alice.join('room', 'alice');
    alice.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'm=audio 9 RTP/AVP 0\r\n' });
    const error = await alice.next('error');
    assert.equal(error.code, 'MEDIA_ERROR');
    assert.match(error.message, /Invalid SDP \(SDP_PARSE_ERROR 40201\)/);
  });

  test(
    'a KMS killed under a room of three: every client is told to re-join (1012), and the re-joined room runs on the restarted KMS',
    { skip },
    async (t) => {
      const { instances, fixture, track } = await onKms(t, 1);
      const kms = instances[0]!;
      const clients = await roomOf(fixture, track, 'room', 'alice', 'bob', 'carol');
      await kms.kill();
      const closes = await Promise.all(clients.map((client) => client.closed));
      for (const close of closes) assert.equal(close.code, CloseCode.SERVICE_RESTART);
      assert.deepEqual(fixture.backend.stats(), { pipelines: 0, endpoints: 0 });

      const restarted = await kms.restart();
      t.after(() => restarted.stop());
      const again = await roomOf(fixture, track, 'room', 'alice', 'bob', 'carol');
      const subscription = await track(subscribe(again[0]!, 'carol'));
      await subscription.connected;
      assert.equal((await pipelinesOn(fixture.backend.clients[0]!)).length, 1);
    },
  );

  test(
    'a pool of two: rooms go to the least-loaded KMS; when one is killed its rooms re-join on the other, and it rejoins the pool when back',
    { skip },
    async (t) => {
      const { instances, fixture, track } = await onKms(t, 2);
      const first = instances[0]!;
      const [clientA, clientB] = fixture.backend.clients as [KurentoClient, KurentoClient];
      const [ada] = await roomOf(fixture, track, 'one', 'ada', 'ben');
      await roomOf(fixture, track, 'two', 'cy');
      assert.equal((await pipelinesOn(clientA)).length, 1, 'room one on the first KMS');
      assert.equal((await pipelinesOn(clientB)).length, 1, 'room two on the second, less loaded');

      await first.kill();
      assert.equal((await ada!.closed).code, CloseCode.SERVICE_RESTART);
      const again = await roomOf(fixture, track, 'one', 'ada', 'ben');
      await (
        await track(subscribe(again[1]!, 'ada'))
      ).connected;
      assert.equal((await pipelinesOn(clientB)).length, 2, 'room one rebuilt on the second KMS');

      const back = await first.restart();
      t.after(() => back.stop());
      await clientA.opened(10_000);
      await roomOf(fixture, track, 'three', 'dee');
      assert.equal((await pipelinesOn(clientA)).length, 1, 'the new room went to the KMS back');
    },
  );
});
