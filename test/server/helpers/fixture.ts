/**
 * A server per test, on 127.0.0.1 and a free port, closed with its clients when the
 * test ends.
 */
import type { TestContext } from 'node:test';
import type WebSocket from 'ws';
import {
  startServer,
  type RunningServer,
  type ServerOptions,
} from '../../../packages/server/src/server.js';
import { WeriftBackend } from '../../../packages/server/src/media/werift/werift-backend.js';
import { FakeBackend } from './fake-backend.js';
import { TestClient, WAIT_MS } from './ws-client.js';

/** The werift SFU's network on a loopback `HOST`, as `readConfig` chooses it. */
const LOOPBACK = { mode: 'loopback' } as const;

export interface Fixture {
  server: RunningServer;
  /** Opens a client that the fixture closes at the end. */
  connect(options?: WebSocket.ClientOptions): Promise<TestClient>;
}

/**
 * Starts a silent server for the test `t`; it and its clients close in `t.after`.
 * Without `options.backend` it runs on the embedded werift SFU (loopback only, as
 * `main.ts` configures it for a loopback `HOST`), which closes with it.
 */
export async function withServer(
  t: TestContext,
  options: Partial<ServerOptions> = {},
): Promise<Fixture> {
  const ownBackend = options.backend ? undefined : new WeriftBackend({ network: LOOPBACK });
  let server: RunningServer;
  try {
    server = await startServer({
      port: 0,
      logLevel: 'silent',
      staticDir: '/nonexistent',
      backend: ownBackend!,
      ...options,
    });
  } catch (error) {
    await ownBackend?.close();
    throw error;
  }
  const clients: TestClient[] = [];
  t.after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await ownBackend?.close();
  });
  return {
    server,
    async connect(options) {
      const client = await TestClient.connect(server.wsUrl, options);
      clients.push(client);
      return client;
    },
  };
}

/** {@link withServer} over a new scripted backend, returned with the fixture. */
export async function withFakeBackend(
  t: TestContext,
  options: Partial<ServerOptions> = {},
): Promise<Fixture & { backend: FakeBackend }> {
  const backend = new FakeBackend();
  return { ...(await withServer(t, { backend, ...options })), backend };
}

/**
 * alice and bob in `room`, each publishing and subscribed to the other: four endpoints.
 * alice joins with `aliceSessionId` when given.
 */
export async function twoInCall(
  fixture: Fixture,
  aliceSessionId?: string,
): Promise<{ alice: TestClient; bob: TestClient }> {
  const alice = await fixture.connect();
  await alice.join('room', 'alice', aliceSessionId);
  const bob = await fixture.connect();
  await bob.join('room', 'bob');
  for (const [client, self, other] of [
    [alice, 'alice', 'bob'],
    [bob, 'bob', 'alice'],
  ] as const) {
    client.send({ id: 'receiveVideoFrom', sender: self, sdpOffer: `pub-${self}` });
    client.send({ id: 'receiveVideoFrom', sender: other, sdpOffer: `sub-${self}` });
    await client.next('receiveVideoAnswer', (m) => m.name === other);
  }
  return { alice, bob };
}

/**
 * Resolves once `check()` holds, re-checking on every timer tick (for counters that
 * settle after the last message, such as `stats()`). Rejects after `timeoutMs`.
 */
export async function until(
  check: () => boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
