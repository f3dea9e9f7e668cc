/**
 * The HTTP side of the reference server: static files, /config.json, the upgrade
 * path, and what startServer reports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startServer } from '../../packages/server/src/server.js';
import { FakeBackend } from './helpers/fake-backend.js';
import { withServer } from './helpers/fixture.js';
import { upgradeStatus } from './helpers/ws-client.js';

/** A folder with an index.html that `t` removes at the end. */
function staticFolder(t: Parameters<typeof withServer>[0]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kurento-room-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(dir, 'app.js'), 'export {};');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('startServer', () => {
  test('reports url, wsUrl and the actual port when asked for port 0', async (t) => {
    const { server } = await withServer(t);
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    assert.equal(server.wsUrl, `ws://127.0.0.1:${server.port}/groupcall`);
    assert.deepEqual(server.stats(), { rooms: 0, participants: 0, endpoints: 0 });
  });

  test('rejects when the port is taken', async (t) => {
    const { server } = await withServer(t);
    await assert.rejects(
      startServer({ port: server.port, logLevel: 'silent', backend: new FakeBackend() }),
      /EADDRINUSE/,
    );
  });

  test('GET /config.json returns the ICE servers it was given', async (t) => {
    const iceServers = [
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turn:turn.example.org:3478?transport=udp'], username: 'u', credential: 'p' },
    ];
    const { server } = await withServer(t, { iceServers });
    const response = await fetch(new URL('/config.json', server.url));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { iceServers });
  });

  test('GET /stats serves the counts and memory in bytes when exposeStats is set', async (t) => {
    const { server, connect } = await withServer(t, { exposeStats: true });
    const client = await connect();
    await client.join('room', 'alice');
    const response = await fetch(new URL('/stats', server.url));
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const stats = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(
      { ...stats, memory: undefined },
      { rooms: 1, participants: 1, endpoints: 0, memory: undefined },
    );
    const { rss, heapUsed } = stats.memory as { rss: number; heapUsed: number };
    assert.ok(rss > heapUsed && heapUsed > 1024 * 1024, JSON.stringify(stats.memory));
  });

  test('without exposeStats, /stats is not served', async (t) => {
    const { server } = await withServer(t);
    assert.equal((await fetch(new URL('/stats', server.url))).status, 404);
  });

  test('without ICE servers, /config.json says so', async (t) => {
    const { server } = await withServer(t);
    assert.deepEqual(await (await fetch(new URL('/config.json', server.url))).json(), {
      iceServers: [],
    });
  });

  test('serves the static folder, uncached in dev mode', async (t) => {
    const { server } = await withServer(t, { staticDir: staticFolder(t) });
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(await page.text(), /<title>demo<\/title>/);
    const script = await fetch(new URL('/app.js', server.url));
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    await script.body?.cancel();
    const missing = await fetch(new URL('/nope.js', server.url));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });

  test('serves the static folder with caching headers in production mode', async (t) => {
    const { server } = await withServer(t, { staticDir: staticFolder(t), dev: false });
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.notEqual(page.headers.get('cache-control'), 'no-store');
    assert.ok(page.headers.get('etag'));
    await page.body?.cancel();
  });

  test('a missing static folder means 404s, not a crash', async (t) => {
    const { server } = await withServer(t, {
      staticDir: join(tmpdir(), 'kurento-room-does-not-exist'),
    });
    const page = await fetch(server.url);
    assert.equal(page.status, 404);
    await page.body?.cancel();
    assert.equal((await fetch(new URL('/config.json', server.url))).status, 200);
  });

  test('only GET and HEAD are allowed', async (t) => {
    const { server } = await withServer(t);
    const response = await fetch(new URL('/config.json', server.url), {
      method: 'POST',
      body: '{}',
    });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(new URL('/config.json', server.url), { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('WebSocket upgrades are accepted at /groupcall only', async (t) => {
    const { server } = await withServer(t);
    assert.equal(await upgradeStatus(server.wsUrl), 101);
    assert.equal(await upgradeStatus(server.wsUrl + '?token=x'), 101);
    assert.equal(await upgradeStatus(server.wsUrl.replace('/groupcall', '/other')), 404);
    assert.equal(await upgradeStatus(server.wsUrl.replace('/groupcall', '/')), 404);
  });

  test('a raw upgrade request on a wrong path gets a 404 response', async (t) => {
    const { server } = await withServer(t);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(new URL('/kurento', server.url), {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404);
  });
});
