/**
 * What a subscription costs in round trips to the media server on the Kurento backend,
 * and when its first key frame is asked for (issue 12, "Raise them"), against a scripted
 * Kurento Protocol server (JSON-RPC 2.0 over WebSocket) that records every request and
 * holds chosen replies back: a room's endpoints are created one after another, so each
 * round trip delays the next joiner's answer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test, type TestContext } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { KurentoBackend } from '../../packages/server/src/media/kurento/kurento-backend.js';
import { waitUntil } from '../helpers/wait.js';

interface Request {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/** The scripted media server, and a backend on it with a publisher and a subscriber. */
async function subscriptionOnScriptedKms(t: TestContext) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const requests: Request[] = [];
  /** Replies held back: the subscriber endpoint's event subscriptions. */
  const held: (() => void)[] = [];
  let socket: WebSocket | undefined;
  let objects = 0;
  server.on('connection', (connection) => {
    socket = connection;
    connection.on('message', (data) => {
      const request = JSON.parse(String(data)) as Request;
      requests.push(request);
      const reply = (value?: unknown) =>
        connection.send(
          JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { value, sessionId: 's' } }),
        );
      const { method, params } = request;
      if (method === 'create') return reply(`object-${++objects}`);
      // Object 3 is the subscriber (after the pipeline and the publisher).
      if (method === 'subscribe' && params.object === 'object-3') {
        held.push(() => reply('subscription'));
        return;
      }
      if (method === 'subscribe') return reply('subscription');
      if (method === 'invoke' && params.operation === 'getChildren') return reply([]);
      reply();
    });
  });
  const backend = new KurentoBackend({ urls: [`ws://127.0.0.1:${port}/kurento`] });
  t.after(() => backend.close());
  const pipeline = await backend.createPipeline('room');
  const publisher = await pipeline.createPublisher({ participant: 'alice' });
  const subscribing = pipeline.createSubscriber({ participant: 'bob', publisher });
  return {
    requests,
    publisher,
    subscribing,
    /** Sends the subscriber's two event subscription replies, once both are held. */
    async release() {
      await waitUntil(() => held.length === 2, {
        timeoutMs: 5000,
        intervalMs: 10,
        message: 'both subscriptions of the subscriber',
      });
      for (const reply of held.splice(0)) reply();
    },
    /** Raises an event of `object` (a Kurento `onEvent` notification). */
    raise(object: string, type: string, data: Record<string, unknown>) {
      socket!.send(
        JSON.stringify({
          jsonrpc: '2.0',
          method: 'onEvent',
          params: { value: { object, type, data } },
        }),
      );
    },
  };
}

/** The first `invoke` of `operation` recorded, once there is one. */
const invoked = (requests: Request[], operation: string) =>
  waitUntil(
    () => requests.find((r) => r.method === 'invoke' && r.params.operation === operation) ?? false,
    { timeoutMs: 5000, intervalMs: 10, message: `an invoke of ${operation}` },
  );

describe('a subscription on the Kurento backend', () => {
  test('connect leaves with the event subscriptions, before their replies', async (t) => {
    const kms = await subscriptionOnScriptedKms(t);
    const connect = await invoked(kms.requests, 'connect');
    assert.deepEqual(connect.params.operationParams, { sink: 'object-3' });
    assert.equal(connect.params.object, 'object-2');
    const events = kms.requests
      .filter((r) => r.method === 'subscribe' && r.params.object === 'object-3')
      .map((r) => r.params.type);
    assert.deepEqual(events.sort(), ['DtlsConnectionStateChange', 'IceCandidateFound']);
    await kms.release();
    const subscriber = await kms.subscribing;
    assert.equal(subscriber.publisher, kms.publisher);
  });

  test('once the browser’s DTLS connects, a key frame is asked for through the subscriber', async (t) => {
    const kms = await subscriptionOnScriptedKms(t);
    await kms.release();
    await kms.subscribing;
    kms.raise('object-3', 'DtlsConnectionStateChange', { state: 'CONNECTING' });
    kms.raise('object-3', 'DtlsConnectionStateChange', { state: 'CONNECTED' });
    const request = await invoked(kms.requests, 'requestKeyframe');
    // kms-core refuses it on the publisher: "must be requested from a subscriber element".
    assert.equal(request.params.object, 'object-3');
    const count = kms.requests.filter((r) => r.params.operation === 'requestKeyframe').length;
    assert.equal(count, 1, 'only for CONNECTED');
  });
});
