/**
 * The reference server as users receive it: `npm pack` of packages/sdk and packages/server
 * (built by `npm test` before this suite; packed with --ignore-scripts), both tarballs
 * installed into a temporary folder, and `npx kurento-room-server` started there (its own
 * process group, stopped by PID). It serves the demo page and the SDK bundle, and two
 * headless Chromium pages through that page decode each other's video. The install holds
 * no development tool (the server runs compiled JavaScript, not TypeScript under tsx).
 * Needs the npm registry or npm's cache for the server's dependencies.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { inboundReports, launchBrowser, openPage } from '../helpers/browser.js';
import {
  bytesUnder,
  createApp,
  install,
  installedPackages,
  npmEnv,
  pack,
  ROOT,
  run,
} from '../helpers/package.js';
import { demoUrl } from '../helpers/room-page.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';

const SDK = join(ROOT, 'packages/sdk');
const SERVER = join(ROOT, 'packages/server');

/** Packages that must not reach a server install: the repository's build and run tools. */
const DEV_TOOLS = ['tsx', 'typescript', 'rollup', '@rollup', 'esbuild', '@esbuild'];

/** The command lines of the processes in process group `pgid` (Linux `ps`). */
async function processGroup(pgid: number): Promise<string[]> {
  const output = await run('ps', ['-o', 'pgid=,args=', '-e'], ROOT);
  return output
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
    .filter((match) => match && Number(match[1]) === pgid)
    .map((match) => match![2]!);
}

describe('npx kurento-room-server from the packed tarballs', () => {
  const work = mkdtempSync(join(tmpdir(), 'kurento-room-server-tarball-'));
  const app = join(work, 'app');
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;

  before(async () => {
    for (const built of [join(SDK, 'dist'), join(SERVER, 'dist'), join(SERVER, 'public')]) {
      assert.ok(existsSync(built), `${built} is missing: run npm run build first`);
    }
    const tarballs = [(await pack(SDK, work)).path, (await pack(SERVER, work)).path];
    createApp(app, 'server-install');
    const output = await install(app, tarballs);
    console.log(output.trim());
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the install holds the server, the SDK and their runtime dependencies, no dev tool', () => {
    const packages = installedPackages(join(app, 'node_modules'));
    for (const name of ['@kurento-room/server', 'kurento-room', 'werift', 'ws', 'pino', 'sirv']) {
      assert.ok(packages.includes(name), `${name} is installed`);
    }
    for (const tool of DEV_TOOLS) {
      assert.ok(!packages.includes(tool), `${tool} is not installed`);
    }
    const megabytes = bytesUnder(join(app, 'node_modules')) / 1e6;
    console.log(
      `server install footprint: ${packages.length} packages, ${megabytes.toFixed(1)} MB in node_modules`,
    );
  });

  test('--version and --help answer from the installed bin', async () => {
    const version = await run('npx', ['--no-install', 'kurento-room-server', '--version'], app);
    assert.equal(version.trim(), '0.1.0');
    const help = await run('npx', ['--no-install', 'kurento-room-server', '--help'], app);
    for (const variable of ['HOST', 'PORT', 'ICE_SERVERS', 'ANNOUNCED_IP', 'ALLOWED_ORIGINS']) {
      assert.match(help, new RegExp(`^  ${variable}\\b`, 'm'), variable);
    }
  });

  test('starts on PORT=0 and serves the demo page and the SDK bundle', async () => {
    server = await startServerProcess({ HOST: '127.0.0.1', PORT: '0' }, 30000, {
      command: 'npx',
      args: ['--no-install', 'kurento-room-server'],
      cwd: app,
      env: npmEnv,
    });
    const group = await processGroup(server.pid);
    assert.ok(
      group.some((args) => args.includes(join(app, 'node_modules'))),
      `the server runs from the install:\n${group.join('\n')}`,
    );
    assert.ok(!group.some((args) => /\btsx\b/.test(args)), 'no tsx in the process group');
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<kurento-room\b/);
    const bundle = await fetch(new URL('/kurento-room.bundle.js', server.url));
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await bundle.text()).length > 10_000, 'the bundle has a body');
  });

  test('two Chromium pages through the served page decode each other', async () => {
    assert.ok(server, 'the server started');
    browser = await launchBrowser();
    const pages = new Map<string, Page & { errors: string[] }>();
    for (const name of ['alice', 'bob']) {
      pages.set(name, await openPage(browser, demoUrl(server.url, 'tarball', name)));
    }
    for (const [name, page] of pages) {
      const first = await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return reports.length === 1 && reports[0]!.framesDecoded > 0 && reports[0]!;
        },
        { timeoutMs: 30000, message: `${name} decoding the other's video` },
      );
      const later = await waitUntil(
        async () => {
          const reports = await inboundReports(page);
          return (
            reports.length === 1 &&
            reports[0]!.framesDecoded > first.framesDecoded + 10 &&
            reports[0]!.frameWidth > 0 &&
            reports[0]!
          );
        },
        { message: `${name}'s framesDecoded rising` },
      );
      console.log(
        `${name}: ${later.framesDecoded} frames decoded at ${later.frameWidth} px wide, ${later.audioPackets} audio packets`,
      );
      assert.ok(later.audioPackets > 0, `${name} receives audio`);
      assert.deepEqual(page.errors, [], `${name}'s page errors`);
    }
  });
});
