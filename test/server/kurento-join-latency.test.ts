/**
 * How many round trips to the media server a subscription costs on the Kurento backend
 * (issue 12, "Raise them"), against a scripted Kurento Protocol server (JSON-RPC 2.0
 * over WebSocket) that holds chosen replies back: a room's endpoints are created one
 * after another, so each round trip delays the next joiner's answer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { KurentoBackend } from '../../packages/server/src/media/kurento/kurento-backend.js';
import { waitUntil } from '../helpers/wait.js';

interface Request {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

describe('a subscription on the Kurento backend', () => {
  test('connect leaves with the IceCandidateFound subscription, before its reply', async (t) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    t.after(() => server.close());
    const { port } = server.address() as { port: number };
    const requests: Request[] = [];
    /** Replies held back: the subscriber endpoint's event subscription. */
    const held: (() => void)[] = [];
    let objects = 0;
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as Request;
        requests.push(request);
        const reply = (value?: unknown) =>
          socket.send(
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
    const connect = await waitUntil(
      () =>
        requests.find((r) => r.method === 'invoke' && r.params.operation === 'connect') ?? false,
      { timeoutMs: 5000, message: 'the connect request, while the subscription reply is held' },
    );
    assert.deepEqual(connect.params.operationParams, { sink: 'object-3' });
    assert.equal(connect.params.object, 'object-2');
    for (const release of held) release();
    const subscriber = await subscribing;
    assert.equal(subscriber.publisher, publisher);
  });
});
