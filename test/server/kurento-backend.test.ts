/**
 * The Kurento backend against a real Kurento Media Server (each test file starts its
 * own on free ports): the pipeline and endpoint lifecycle as KMS itself reports it
 * (`ServerManager.getPipelines`, `MediaPipeline.getChildren`), the order of the
 * server's candidates, KMS's errors as `MediaError`s, and request timeouts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { WebSocketServer } from 'ws';
import { KurentoBackend } from '../../packages/server/src/media/kurento/kurento-backend.js';
import { KurentoClient } from '../../packages/server/src/media/kurento/kurento-client.js';
import {
  KurentoConnectionError,
  KurentoError,
} from '../../packages/server/src/media/kurento/kurento-errors.js';
import {
  MediaError,
  type IceCandidateInit,
} from '../../packages/server/src/media/media-backend.js';
import { findKms, NO_KMS, startKms, type KmsInstance } from '../helpers/kms.js';
import { until } from './helpers/fixture.js';
import { waitUntil } from '../helpers/wait.js';
import { sampleOffer } from './helpers/werift-peer.js';

const skip = findKms() ? false : NO_KMS;

/**
 * A TCP proxy to a media server that a test can cut (every connection destroyed), make
 * a black hole (connections accepted, nothing forwarded) or close (connections refused).
 */
async function proxyTo(port: number): Promise<{
  url: string;
  cut(): void;
  blackHole(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let forwarding = true;
  const server: Server = createServer((incoming) => {
    sockets.add(incoming);
    incoming.on('close', () => sockets.delete(incoming));
    incoming.on('error', () => undefined);
    if (!forwarding) return;
    const outgoing = connect(port, '127.0.0.1');
    sockets.add(outgoing);
    outgoing.on('close', () => sockets.delete(outgoing));
    outgoing.on('error', () => incoming.destroy());
    incoming.pipe(outgoing).pipe(incoming);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const cut = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/kurento`,
    cut,
    blackHole() {
      forwarding = false;
      cut();
    },
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the Kurento backend on a real KMS', () => {
  let kms: KmsInstance;
  let backend: KurentoBackend;
  let client: KurentoClient;

  before(async () => {
    if (skip) return;
    kms = await startKms();
    backend = new KurentoBackend({ urls: [kms.url] });
    client = backend.clients[0]!;
    await client.opened();
  });
  after(async () => {
    await backend?.close();
    await kms?.stop();
  });

  /** A room's pipeline with alice's publisher endpoint in it. */
  async function pipelineWithPublisher() {
    const pipeline = await backend.createPipeline('room');
    return { pipeline, publisher: await pipeline.createPublisher({ participant: 'alice' }) };
  }

  test(
    'a pipeline with a publisher and a subscriber is one KMS pipeline with two children; release leaves none',
    { skip },
    async () => {
      const { pipeline, publisher } = await pipelineWithPublisher();
      const subscriber = await pipeline.createSubscriber({ participant: 'bob', publisher });
      assert.deepEqual(await client.getPipelines(), [pipeline.id]);
      const children = (await client.invoke(pipeline.id, 'getChildren')) as string[];
      assert.deepEqual([...children].sort(), [publisher.id, subscriber.id].sort());
      assert.equal(subscriber.publisher, publisher);
      assert.deepEqual(backend.stats(), { pipelines: 1, endpoints: 2 });

      await subscriber.release();
      assert.deepEqual(await client.invoke(pipeline.id, 'getChildren'), [publisher.id]);
      assert.deepEqual(backend.stats(), { pipelines: 1, endpoints: 1 });

      await pipeline.release();
      assert.deepEqual(await client.getPipelines(), []);
      assert.deepEqual(backend.stats(), { pipelines: 0, endpoints: 0 });
      assert.equal(publisher.released, true);
      await assert.rejects(pipeline.createPublisher({ participant: 'carol' }), MediaError);
    },
  );

  test(
    'processOffer answers before any server candidate; gathering starts after the answer',
    { skip },
    async () => {
      const { pipeline, publisher } = await pipelineWithPublisher();
      const events: string[] = [];
      const candidates: IceCandidateInit[] = [];
      publisher.onIceCandidate((candidate) => {
        events.push('candidate');
        candidates.push(candidate);
      });
      const answer = await publisher.processOffer(await sampleOffer('sendonly'));
      events.push('answer');
      assert.match(answer, /^m=audio [1-9]/m);
      assert.match(answer, /^m=video [1-9]/m);
      assert.match(answer, /^a=recvonly/m);
      await until(() => candidates.length > 0, 'KMS found a candidate');
      assert.equal(events[0], 'answer');
      assert.match(candidates[0]!.candidate, /^candidate:/);
      assert.equal(typeof candidates[0]!.sdpMLineIndex, 'number');
      await pipeline.release();
    },
  );

  test(
    "KMS's refusal of a malformed offer reaches the caller as a MediaError with KMS's code and message",
    { skip },
    async () => {
      const { pipeline, publisher } = await pipelineWithPublisher();
      const error: unknown = await publisher
        .processOffer('m=audio 9 RTP/AVP 0\r\n')
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof KurentoError, String(error));
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, 40201);
      assert.equal(error.type, 'SDP_PARSE_ERROR');
      assert.match(error.message, /Invalid SDP/);
      await pipeline.release();
    },
  );

  test(
    'an offer whose every media section KMS rejects (AV1 only: not in this build) is refused',
    { skip },
    async () => {
      const { pipeline, publisher } = await pipelineWithPublisher();
      const av1Only = (await sampleOffer('sendonly'))
        .split(/\r\n/)
        .filter((line) => !line.startsWith('m=audio'))
        .join('\r\n')
        .replace(/^m=video (\d+) (\S+) .*$/m, 'm=video $1 $2 45')
        .replace(/^a=(rtpmap|fmtp|rtcp-fb):(?!45 ).*\r\n/gm, '')
        .replace(/^(m=video.*\r\n)/m, '$1a=rtpmap:45 AV1/90000\r\n');
      await assert.rejects(publisher.processOffer(av1Only), /accepted none of the offer media/);
      await pipeline.release();
    },
  );

  test(
    'an offer without media, a second offer and a released endpoint are refused',
    { skip },
    async () => {
      const { pipeline, publisher } = await pipelineWithPublisher();
      await assert.rejects(publisher.processOffer('v=0\r\ns=-\r\n'), /no audio or video/);
      const subscriber = await pipeline.createSubscriber({ participant: 'bob', publisher });
      await subscriber.processOffer(await sampleOffer('recvonly'));
      await assert.rejects(subscriber.processOffer(await sampleOffer('recvonly')), /already/);
      await subscriber.release();
      await assert.rejects(subscriber.processOffer('v=0'), /released/);
      await pipeline.release();
    },
  );
});

describe('losing the connection to a media server', () => {
  let kms: KmsInstance;
  before(async () => {
    if (!skip) kms = await startKms();
  });
  after(() => kms?.stop());

  /** A backend over a proxy to the KMS, and a room's pipeline with a publisher on it. */
  async function pipelineBehindProxy(t: TestContext, lossTimeoutMs = 4000) {
    const proxy = await proxyTo(kms.port);
    t.after(() => proxy.close());
    const backend = new KurentoBackend({
      urls: [proxy.url],
      reconnectDelaysMs: [0, 50],
      requestTimeoutMs: 3000,
      lossTimeoutMs,
    });
    t.after(() => backend.close());
    const pipeline = await backend.createPipeline('room');
    const publisher = await pipeline.createPublisher({ participant: 'alice' });
    const lost: MediaError[] = [];
    pipeline.onLost((error) => lost.push(error));
    return { proxy, backend, client: backend.clients[0]!, pipeline, publisher, lost };
  }

  test(
    'a dropped connection is re-opened in the same Kurento session: objects and events are kept',
    { skip },
    async (t) => {
      const { proxy, client, pipeline, publisher, lost } = await pipelineBehindProxy(t);
      const sessionId = client.sessionId;
      const reopened = new Promise<void>((resolve) =>
        client.onConnection((change) => change.reopened && resolve()),
      );
      proxy.cut();
      await reopened;
      assert.equal(client.sessionId, sessionId);
      assert.ok((await client.getPipelines()).includes(pipeline.id));
      const candidates: IceCandidateInit[] = [];
      publisher.onIceCandidate((candidate) => candidates.push(candidate));
      await publisher.processOffer(await sampleOffer('sendonly'));
      await until(() => candidates.length > 0, 'a candidate after the re-open');
      assert.deepEqual(lost, []);
      assert.equal(pipeline.released, false);
    },
  );

  test(
    'an endpoint released while the connection is down is released on KMS once it is re-opened',
    { skip },
    async (t) => {
      const { proxy, client, pipeline, publisher } = await pipelineBehindProxy(t);
      const reopened = new Promise<void>((resolve) =>
        client.onConnection((change) => change.reopened && resolve()),
      );
      proxy.cut();
      await publisher.release(); // resolves at once: the connection is down
      assert.equal(publisher.released, true);
      await reopened;
      await waitUntil(
        async () => ((await client.invoke(pipeline.id, 'getChildren')) as string[]).length === 0,
        { message: 'the publisher gone from the pipeline' },
      );
    },
  );

  test(
    'a media server that refuses connections is lost at once: its pipelines say so and read as released',
    { skip },
    async (t) => {
      const { proxy, backend, pipeline, publisher, lost } = await pipelineBehindProxy(t);
      await proxy.close();
      await until(() => lost.length === 1, 'the pipeline lost');
      assert.ok(lost[0] instanceof MediaError);
      assert.match(lost[0].message, /refuses connections/);
      assert.equal(pipeline.released, true);
      assert.equal(publisher.released, true);
      assert.deepEqual(backend.stats(), { pipelines: 0, endpoints: 0 });
      await publisher.release(); // never rejects, asks nothing of the server
      await assert.rejects(pipeline.createPublisher({ participant: 'bob' }), /refuses connections/);
    },
  );

  test(
    'a media server unreachable without a refusal is lost after lossTimeoutMs',
    { skip },
    async (t) => {
      const { proxy, pipeline, lost } = await pipelineBehindProxy(t, 300);
      const started = Date.now();
      proxy.blackHole();
      await until(() => lost.length === 1, 'the pipeline lost');
      assert.ok(Date.now() - started >= 290);
      assert.match(lost[0]!.message, /stayed unreachable for 300 ms/);
      assert.equal(pipeline.released, true);
    },
  );
});

describe('the Kurento Protocol client', () => {
  test('a request without a response rejects with KurentoConnectionError at its timeout', async (t) => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(silent, 'listening');
    t.after(() => silent.close());
    const { port } = silent.address() as { port: number };
    const client = new KurentoClient({ url: `ws://127.0.0.1:${port}`, requestTimeoutMs: 200 });
    t.after(() => client.close());
    await client.opened(5000);
    const started = Date.now();
    await assert.rejects(client.create('MediaPipeline'), KurentoConnectionError);
    assert.ok(Date.now() - started >= 190);
  });

  test('a request while the media server is unreachable rejects at once', async (t) => {
    const client = new KurentoClient({ url: 'ws://127.0.0.1:9/kurento' });
    t.after(() => client.close());
    await assert.rejects(client.create('MediaPipeline'), KurentoConnectionError);
  });
});
