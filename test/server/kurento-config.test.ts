/**
 * `KMS_URL`: read by `readConfig`, and how `main.ts` chooses the Kurento backend with it
 * (against a real Kurento Media Server started for the test).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloseCode } from '../../packages/sdk/src/protocol/index.js';
import { readConfig } from '../../packages/server/src/env-config.js';
import { KurentoClient } from '../../packages/server/src/media/kurento/kurento-client.js';
import { findKms, NO_KMS, startKms } from '../helpers/kms.js';
import { spawnServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';
import { TestClient } from './helpers/ws-client.js';

const skip = findKms() ? false : NO_KMS;

describe('KMS_URL in readConfig', () => {
  test('unset or empty: no Kurento backend (the embedded SFU)', () => {
    assert.equal(readConfig({}).kmsUrls, undefined);
    assert.equal(readConfig({ KMS_URL: ' ' }).kmsUrls, undefined);
  });

  test('one URL, or a comma-separated pool with spaces trimmed', () => {
    assert.deepEqual(readConfig({ KMS_URL: 'ws://127.0.0.1:8888/kurento' }).kmsUrls, [
      'ws://127.0.0.1:8888/kurento',
    ]);
    assert.deepEqual(
      readConfig({ KMS_URL: 'ws://kms-a:8888/kurento, wss://kms-b:8433/kurento' }).kmsUrls,
      ['ws://kms-a:8888/kurento', 'wss://kms-b:8433/kurento'],
    );
  });

  test('a URL that is not ws: or wss:, an empty entry, or a repeated URL is refused, naming KMS_URL', () => {
    assert.throws(() => readConfig({ KMS_URL: 'http://kms:8888/kurento' }), /KMS_URL.*"http:/);
    assert.throws(() => readConfig({ KMS_URL: 'ws://kms:8888/kurento,' }), /KMS_URL/);
    assert.throws(
      () => readConfig({ KMS_URL: 'ws://kms:8888/kurento,ws://kms:8888/kurento' }),
      /KMS_URL lists a URL twice/,
    );
  });
});

describe('main.ts with KMS_URL', () => {
  test('an invalid KMS_URL exits 2 and names it', async () => {
    const server = spawnServerProcess({ KMS_URL: 'kms:8888' });
    const [code] = await server.exited;
    assert.equal(code, 2);
    assert.match(server.stderr(), /KMS_URL/);
  });

  test(
    "a room's pipeline is created on the KMS of KMS_URL, and released when it empties",
    { skip },
    async (t) => {
      const kms = await startKms();
      t.after(() => kms.stop());
      const server = spawnServerProcess({ KMS_URL: kms.url });
      t.after(() => server.stop());
      const url = await server.listening();
      const kmsClient = new KurentoClient({ url: kms.url });
      t.after(() => kmsClient.close());
      await kmsClient.opened();

      const alice = await TestClient.connect(url.replace(/^http/, 'ws') + 'groupcall');
      assert.deepEqual(await alice.join('room', 'alice'), []);
      assert.equal((await kmsClient.getPipelines()).length, 1);
      alice.send({ id: 'leaveRoom' });
      await alice.close();
      await waitUntil(async () => (await kmsClient.getPipelines()).length === 0, {
        message: 'KMS holding no pipeline',
      });
    },
  );

  test('SIGTERM in a call releases the pipeline on KMS, then exits 0', { skip }, async (t) => {
    const kms = await startKms();
    t.after(() => kms.stop());
    const server = spawnServerProcess({ KMS_URL: kms.url });
    t.after(() => server.stop());
    const url = await server.listening();
    const kmsClient = new KurentoClient({ url: kms.url });
    t.after(() => kmsClient.close());
    await kmsClient.opened();
    const alice = await TestClient.connect(url.replace(/^http/, 'ws') + 'groupcall');
    await alice.join('room', 'alice');
    assert.equal((await kmsClient.getPipelines()).length, 1);
    server.child.kill('SIGTERM');
    assert.equal((await alice.closed).code, CloseCode.GOING_AWAY);
    const [code] = await server.exited;
    assert.equal(code, 0);
    assert.deepEqual(await kmsClient.getPipelines(), []);
  });
});
