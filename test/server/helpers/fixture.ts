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
} from '../../../demo/server/server.js';
import { TestClient, WAIT_MS } from './ws-client.js';

export interface Fixture {
  server: RunningServer;
  /** Opens a client that the fixture closes at the end. */
  connect(options?: WebSocket.ClientOptions): Promise<TestClient>;
}

/** Starts a silent server for the test `t`; it and its clients close in `t.after`. */
export async function withServer(t: TestContext, options: ServerOptions = {}): Promise<Fixture> {
  const server = await startServer({
    port: 0,
    logLevel: 'silent',
    staticDir: '/nonexistent',
    ...options,
  });
  const clients: TestClient[] = [];
  t.after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
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
