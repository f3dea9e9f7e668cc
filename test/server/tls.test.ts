/**
 * HTTPS and WSS on the server's one port: PEM files (`TLS_CERT`, `TLS_KEY`), a
 * self-signed certificate made at start-up (the default off loopback, asked for here with
 * `tls: 'self-signed'` / `TLS=self-signed` since tests bind 127.0.0.1 only), the
 * `https:` own origin, and `trustProxy` for a TLS-terminating proxy.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { readConfig, tlsFor } from '../../packages/server/src/env-config.js';
import { createOriginPolicy, ownOrigins } from '../../packages/server/src/origin-policy.js';
import {
  createSelfSignedCertificate,
  readTlsFiles,
  SELF_SIGNED_VALID_DAYS,
} from '../../packages/server/src/tls.js';
import { spawnServerProcess } from '../helpers/server-process.js';
import { withFakeBackend } from './helpers/fixture.js';
import { captureLogs, LEVEL } from './helpers/log-capture.js';
import { TestClient, upgradeStatus, WAIT_MS } from './helpers/ws-client.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** A temporary folder that `t` removes at the end. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kurento-room-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A self-signed certificate for loopback written as `cert.pem` and `key.pem` in a temp dir. */
async function pemFiles(t: TestContext) {
  const dir = tempDir(t);
  const made = await createSelfSignedCertificate(LOOPBACK_NAMES);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, made.cert);
  writeFileSync(keyFile, made.key);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo over TLS</title>');
  return { dir, certFile, keyFile, made };
}

/** GET `url` trusting `ca`: the status and the body. */
async function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  const request = get(url, { ca });
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

/** The SHA-256 fingerprint of the certificate a TLS server at `url` presents. */
async function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

describe('the self-signed certificate', () => {
  test('is valid now for a year, for its names only, not a CA, with its SHA-256 fingerprint', async () => {
    const made = await createSelfSignedCertificate(['192.0.2.7', 'meet.example.com', '[::1]']);
    const certificate = new X509Certificate(made.cert);
    assert.equal(made.fingerprint256, certificate.fingerprint256);
    assert.match(made.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(certificate.ca, false);
    assert.equal(certificate.checkIP('192.0.2.7'), '192.0.2.7');
    assert.equal(certificate.checkIP('::1'), '::1');
    assert.equal(certificate.checkHost('meet.example.com'), 'meet.example.com');
    assert.equal(certificate.checkHost('evil.example'), undefined);
    assert.equal(certificate.checkIP('192.0.2.8'), undefined);
    assert.deepEqual(certificate.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
    const validFrom = Date.parse(certificate.validFrom);
    const validTo = Date.parse(certificate.validTo);
    assert.ok(validFrom <= Date.now() && Date.now() < validTo);
    assert.ok(validTo - validFrom >= SELF_SIGNED_VALID_DAYS * 86_400_000 - 1000);
    assert.equal(certificate.verify(certificate.publicKey), true, 'self-signed');
  });

  test('two starts make two different keys', async () => {
    const [one, two] = await Promise.all([
      createSelfSignedCertificate(['localhost']),
      createSelfSignedCertificate(['localhost']),
    ]);
    assert.notEqual(one.spkiSha256, two.spkiSha256);
    assert.notEqual(one.fingerprint256, two.fingerprint256);
  });

  test('without a name it throws TypeError', async () => {
    await assert.rejects(createSelfSignedCertificate([]), TypeError);
  });
});

describe('readTlsFiles', () => {
  test('reads a certificate and its key as PEM', async (t) => {
    const { certFile, keyFile, made } = await pemFiles(t);
    assert.deepEqual(await readTlsFiles(certFile, keyFile), { cert: made.cert, key: made.key });
  });

  test('a missing file, a file that is not PEM, or another certificate key throw naming the file', async (t) => {
    const { dir, certFile, keyFile } = await pemFiles(t);
    const other = await createSelfSignedCertificate(['localhost']);
    const otherKey = join(dir, 'other-key.pem');
    writeFileSync(otherKey, other.key);
    const notPem = join(dir, 'index.html');
    await assert.rejects(readTlsFiles(join(dir, 'none.pem'), keyFile), /cannot read .*none\.pem/);
    await assert.rejects(readTlsFiles(notPem, keyFile), /index\.html is not a PEM certificate/);
    await assert.rejects(readTlsFiles(certFile, notPem), /index\.html is not a PEM private key/);
    await assert.rejects(
      readTlsFiles(certFile, otherKey),
      /other-key\.pem is not the private key of the certificate/,
    );
  });
});

describe('startServer with tls', () => {
  test('given PEM files: serves the page over https, and a wss: client trusting the certificate joins', async (t) => {
    const { dir, certFile, keyFile, made } = await pemFiles(t);
    const { server } = await withFakeBackend(t, {
      tls: await readTlsFiles(certFile, keyFile),
      staticDir: dir,
    });
    assert.equal(server.url, `https://127.0.0.1:${server.port}/`);
    assert.equal(server.wsUrl, `wss://127.0.0.1:${server.port}/groupcall`);
    assert.equal(server.certificate?.fingerprint256, made.fingerprint256);
    assert.equal(server.certificate?.selfSigned, false);
    const page = await httpsGet(server.url, made.cert);
    assert.equal(page.status, 200);
    assert.match(page.body, /demo over TLS/);
    const alice = await TestClient.connect(server.wsUrl, {
      ca: made.cert,
      origin: `https://127.0.0.1:${server.port}`,
    });
    t.after(() => alice.close());
    assert.deepEqual(await alice.join('room', 'alice'), []);
  });

  test('a certificate the client does not trust fails the handshake', async (t) => {
    const { certFile, keyFile } = await pemFiles(t);
    const { server } = await withFakeBackend(t, { tls: await readTlsFiles(certFile, keyFile) });
    await assert.rejects(TestClient.connect(server.wsUrl), /self[- ]signed certificate/);
  });

  test('a key that is not the certificate one rejects before listening', async (t) => {
    const { made } = await pemFiles(t);
    const other = await createSelfSignedCertificate(['localhost']);
    await assert.rejects(withFakeBackend(t, { tls: { cert: made.cert, key: other.key } }));
  });

  test("'self-signed': makes a certificate, warns with its SHA-256 fingerprint, and serves it", async (t) => {
    const { logger, lines } = captureLogs('warn');
    const { server } = await withFakeBackend(t, { tls: 'self-signed', logger });
    assert.equal(server.url, `https://127.0.0.1:${server.port}/`);
    const warning = lines.find((line) => /self-signed certificate/.test(line.msg));
    assert.ok(warning, JSON.stringify(lines));
    assert.equal(warning.level, LEVEL.warn);
    const served = await servedFingerprint(server.url);
    assert.equal(warning.fingerprint256, served, 'the fingerprint logged is the one served');
    assert.ok(warning.msg.includes(served), 'and it is in the message itself');
    const certificate = new X509Certificate(server.certificate!.pem);
    assert.equal(certificate.fingerprint256, served);
    assert.equal(server.certificate!.selfSigned, true);
    assert.equal(warning.spkiSha256, server.certificate!.spkiSha256);
    assert.deepEqual(warning.names, ['127.0.0.1', 'localhost']);
    assert.equal(certificate.checkIP('127.0.0.1'), '127.0.0.1');

    const alice = await TestClient.connect(server.wsUrl, { ca: server.certificate!.pem });
    t.after(() => alice.close());
    assert.deepEqual(await alice.join('room', 'alice'), []);
  });

  test('the own https origin may upgrade; with trustProxy so may the forwarded one, and not without', async (t) => {
    const forwarded = {
      origin: 'https://meet.example.com',
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'meet.example.com' },
    };
    // allowedOrigins [] leaves no loopback leniency: only what the options themselves allow.
    const direct = await withFakeBackend(t, { tls: 'self-signed', allowedOrigins: [] });
    const ca = direct.server.certificate!.pem;
    assert.equal(await upgradeStatus(direct.server.wsUrl, { ca, ...forwarded }), 403);
    const proxied = await withFakeBackend(t, {
      tls: 'self-signed',
      allowedOrigins: [],
      trustProxy: true,
    });
    const proxiedCa = proxied.server.certificate!.pem;
    assert.equal(await upgradeStatus(proxied.server.wsUrl, { ca: proxiedCa, ...forwarded }), 101);
    assert.equal(
      await upgradeStatus(proxied.server.wsUrl, {
        ca: proxiedCa,
        origin: 'https://evil.example',
        headers: forwarded.headers,
      }),
      403,
      'an origin other than the forwarded one',
    );
    const own = await withFakeBackend(t, { tls: 'self-signed' });
    const ownOrigin = `https://127.0.0.1:${own.server.port}`;
    const ownCa = own.server.certificate!.pem;
    assert.equal(await upgradeStatus(own.server.wsUrl, { ca: ownCa, origin: ownOrigin }), 101);
  });
});

describe('the origin policy over TLS', () => {
  test('a secure server’s own origins are https:, and its http: ones are not allowed', () => {
    assert.deepEqual(ownOrigins('192.0.2.7', 443, true), ['https://192.0.2.7']);
    const allowed = createOriginPolicy({ host: '192.0.2.7', port: 8443, secure: true });
    assert.equal(allowed('https://192.0.2.7:8443'), true);
    assert.equal(allowed('http://192.0.2.7:8443'), false);
  });

  test('trustProxy allows the origin that X-Forwarded-Proto and -Host (else Host) name, nothing else', () => {
    const proxied = createOriginPolicy({ host: '192.0.2.7', port: 8443, trustProxy: true });
    const plain = createOriginPolicy({ host: '192.0.2.7', port: 8443 });
    const headers = {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'Meet.Example.com',
      host: '192.0.2.7:8443',
    };
    assert.equal(proxied('https://meet.example.com', headers), true);
    assert.equal(plain('https://meet.example.com', headers), false, 'refused without the option');
    assert.equal(proxied('http://meet.example.com', headers), false, 'another scheme');
    assert.equal(proxied('https://evil.example', headers), false);
    assert.equal(
      proxied('https://meet.example.com', {
        'x-forwarded-proto': 'https, http',
        host: 'meet.example.com',
      }),
      true,
      'the Host the proxy passed on, the first of a list',
    );
    assert.equal(
      proxied('https://meet.example.com:8443', {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'meet.example.com:8443',
      }),
      true,
      'with a port',
    );
    assert.equal(
      proxied('https://meet.example.com', { host: 'meet.example.com' }),
      false,
      'no X-Forwarded-Proto: not through the proxy',
    );
    for (const host of ['evil.example/@meet.example.com', 'user@meet.example.com', 'a b']) {
      assert.equal(
        proxied('https://meet.example.com', {
          'x-forwarded-proto': 'https',
          'x-forwarded-host': host,
        }),
        false,
        host,
      );
    }
    assert.equal(proxied(undefined, headers), true, 'no Origin: allowNoOrigin as always');
  });
});

describe('readConfig: TLS, TLS_CERT, TLS_KEY, TRUST_PROXY', () => {
  /** How a server configured by `env` serves its port. */
  const tlsOf = (env: NodeJS.ProcessEnv) => tlsFor(readConfig(env));

  test('a loopback HOST stays plain HTTP; any other makes a self-signed certificate', () => {
    assert.deepEqual(tlsOf({}), { mode: 'off' });
    assert.deepEqual(tlsOf({ HOST: 'localhost', TLS: 'auto' }), { mode: 'off' });
    assert.deepEqual(tlsOf({ HOST: '0.0.0.0' }), { mode: 'self-signed' });
    assert.deepEqual(tlsOf({ HOST: '192.0.2.7', TLS: 'off' }), { mode: 'off' });
    assert.deepEqual(tlsOf({ TLS: 'self-signed' }), { mode: 'self-signed' });
    assert.equal(readConfig({}).tls, undefined, 'auto is not a configured mode');
    assert.equal(readConfig({}).trustProxy, undefined);
    assert.equal(readConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  });

  test('TLS_CERT and TLS_KEY go together and win on any HOST', () => {
    const files = { TLS_CERT: '/etc/ssl/cert.pem', TLS_KEY: '/etc/ssl/key.pem' };
    const expected = { mode: 'files', certFile: files.TLS_CERT, keyFile: files.TLS_KEY };
    assert.deepEqual(tlsOf(files), expected);
    assert.deepEqual(tlsOf({ ...files, HOST: '0.0.0.0', TLS: 'auto' }), expected);
    assert.throws(
      () => readConfig({ TLS_CERT: files.TLS_CERT }),
      /TLS_CERT and TLS_KEY go together/,
    );
    assert.throws(() => readConfig({ ...files, TLS: 'off' }), /TLS=off contradicts/);
    assert.throws(() => readConfig({ TLS: 'on' }), /TLS must be auto, self-signed or off/);
    assert.throws(() => readConfig({ TRUST_PROXY: 'maybe' }), /TRUST_PROXY/);
  });
});

describe('main.ts with TLS', () => {
  test('TLS=self-signed on 127.0.0.1: an https:// listening line and the fingerprint in a warning', async (t) => {
    const server = spawnServerProcess({ TLS: 'self-signed' });
    t.after(() => server.stop());
    const url = await server.listening(4 * WAIT_MS);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const served = await servedFingerprint(url);
    const warning = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { fingerprint256?: string })
      .find((line) => line.fingerprint256 !== undefined);
    assert.equal(warning?.fingerprint256, served, server.stderr());
    assert.equal(server.stdout(), `kurento-room server listening on ${url}\n`);
  });

  test('TLS_CERT and TLS_KEY: the page over https; unusable files exit 2 naming them', async (t) => {
    const { dir, certFile, keyFile, made } = await pemFiles(t);
    const server = spawnServerProcess({ TLS_CERT: certFile, TLS_KEY: keyFile });
    t.after(() => server.stop());
    const url = await server.listening(4 * WAIT_MS);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(await servedFingerprint(url), made.fingerprint256);
    assert.equal((await httpsGet(new URL('/config.json', url).href, made.cert)).status, 200);

    const missing = spawnServerProcess({ TLS_CERT: join(dir, 'none.pem'), TLS_KEY: keyFile });
    const [code] = await missing.exited;
    assert.equal(code, 2);
    assert.match(missing.stderr(), /none\.pem/);
    assert.equal(missing.stdout(), '');
  });
});
