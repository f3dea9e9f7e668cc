/**
 * The SDK package as app teams receive it: `npm pack` of packages/sdk (built by `npm test`
 * before this suite), checked by publint and attw, then installed from the tarball into a
 * temporary app (test/consumer/) that type-checks with `strict` and `skipLibCheck: false`
 * and bundles for the browser with esbuild. The install pulls Lit and nothing
 * else: no server package. Needs the npm registry or npm's cache for the consumer's tools.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  bytesUnder,
  createApp,
  install,
  installedPackages,
  pack,
  ROOT,
  run,
} from '../helpers/package.js';

const SDK = join(ROOT, 'packages/sdk');
const CONSUMER = join(ROOT, 'test/consumer');
const require = createRequire(import.meta.url);
const sdkPackage = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8'));

/** What installing the tarball may bring: the package and Lit's packages. */
const ALLOWED_PACKAGES = new Set([
  'kurento-room',
  'lit',
  'lit-html',
  'lit-element',
  '@lit/reactive-element',
  '@lit-labs/ssr-dom-shim',
  '@types/trusted-types',
]);

/** The consumer's tools, at the versions the repository itself uses. */
const TOOLS = ['typescript', 'esbuild', '@types/react', 'vue'].map(
  (name) => `${name}@${require(`${name}/package.json`).version}`,
);

const work = mkdtempSync(join(tmpdir(), 'kurento-room-package-'));
let tarball = '';
let packedFiles: string[] = [];

before(async () => {
  const packed = await pack(SDK, work);
  tarball = packed.path;
  packedFiles = packed.files;
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('the kurento-room tarball', () => {
  test('ships the builds, declarations, custom-elements manifest, sources, README and LICENSE; no demo, no tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/kurento-room.js',
      'dist/room-client.js',
      'dist/protocol.js',
      'dist/kurento-room.bundle.js',
      'dist/custom-elements.json',
      'dist/types/index.d.ts',
      'dist/types/client.d.ts',
      'dist/types/protocol/index.d.ts',
      'dist/types/frameworks/react.d.ts',
      'dist/types/frameworks/vue.d.ts',
      'src/index.ts',
    ]) {
      assert.ok(packedFiles.includes(file), `${file} is in the tarball`);
    }
    const stray = packedFiles.filter(
      (file) => !/^(package\.json|README\.md|LICENSE|dist\/.+|src\/.+\.ts)$/.test(file),
    );
    assert.deepEqual(stray, [], 'nothing but package.json, README, LICENSE, dist/ and src/');
    assert.deepEqual(
      packedFiles.filter((file) => /demo|\.test\.|tsbuildinfo/.test(file)),
      [],
      'no demo, tests or build info',
    );
    assert.match(readFileSync(join(SDK, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
    assert.equal(sdkPackage.license, 'Apache-2.0');
  });

  test('depends on lit only', () => {
    assert.deepEqual(Object.keys(sdkPackage.dependencies), ['lit']);
    assert.equal(sdkPackage.peerDependencies, undefined);
  });

  test('every entry has a types condition that points at a shipped declaration file', () => {
    for (const [entry, target] of Object.entries(sdkPackage.exports)) {
      if (typeof target === 'string') continue;
      const { types, default: main } = target as { types: string; default?: string };
      assert.ok(packedFiles.includes(types.slice(2)), `${entry}: ${types} is shipped`);
      if (main) assert.ok(packedFiles.includes(main.slice(2)), `${entry}: ${main} is shipped`);
    }
    assert.equal(sdkPackage.types, sdkPackage.exports['.'].types);
    assert.equal(sdkPackage.module, sdkPackage.exports['.'].default);
    assert.equal(`./${sdkPackage.customElements}`, sdkPackage.exports['./custom-elements.json']);
  });

  test('sideEffects names every module that defines the element', () => {
    const defining = packedFiles.filter(
      (file) =>
        file.startsWith('dist/') &&
        file.endsWith('.js') &&
        readFileSync(join(SDK, file), 'utf8').includes('customElements.define'),
    );
    assert.ok(defining.includes('dist/kurento-room.js'));
    assert.ok(defining.includes('dist/kurento-room.bundle.js'));
    for (const file of defining) {
      assert.ok(sdkPackage.sideEffects.includes(`./${file}`), `${file} is in sideEffects`);
    }
  });

  test('publint reports nothing', async () => {
    const output = await run('npx', ['--no-install', 'publint', '--strict', tarball], ROOT);
    console.log(output.trim());
    assert.match(output, /All good!/);
  });

  // ESM only (as Lit is): `require()` and TypeScript's legacy node10 resolution are out of
  // scope, which is what attw's esm-only profile leaves out. attw runs on the tarball
  // itself: its --pack runs `npm pack` with the prepack script, which would rebuild dist/.
  test('attw reports nothing (esm-only profile)', async () => {
    // attw exits non-zero on any problem its profile does not ignore.
    const output = await run(
      'npx',
      ['--no-install', 'attw', '--profile', 'esm-only', tarball],
      ROOT,
    );
    console.log(output.trim());
    const problems = output
      .split('\n')
      .filter((line) => /💀|⚠️|❌|🐛|🥴|❗/u.test(line) && !/ignored/.test(line));
    assert.deepEqual(problems, []);
  });
});

describe('a strict TypeScript app that installs the tarball', () => {
  const app = join(work, 'app');

  /** The packages and bytes in node_modules after installing the tarball alone. */
  let footprint = { names: [] as string[], bytes: 0 };

  before(async () => {
    createApp(app, 'consumer');
    await install(app, [tarball]);
    const modules = join(app, 'node_modules');
    footprint = { names: installedPackages(modules).sort(), bytes: bytesUnder(modules) };
    // Then the app's own tools, at the repository's versions.
    await install(app, TOOLS, '--save-dev');
    cpSync(CONSUMER, app, { recursive: true, filter: (path) => !path.endsWith('README.md') });
  });

  test('gets kurento-room and Lit, and no server package', () => {
    const { names, bytes } = footprint;
    console.log(
      `install footprint: ${names.length} packages (${names.join(', ')}), ${(bytes / 1e6).toFixed(2)} MB`,
    );
    assert.deepEqual(
      names.filter((name) => !ALLOWED_PACKAGES.has(name)),
      [],
      'only kurento-room and Lit are installed',
    );
    assert.ok(names.includes('kurento-room') && names.includes('lit'));
  });

  test('type-checks: strict, skipLibCheck false, moduleResolution bundler (plain TS, React 19, Vue 3)', async () => {
    await run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);
  });

  test('type-checks kurento-room/client under moduleResolution node16', async () => {
    await run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node16.json'], app);
  });

  test('bundles for the browser with esbuild', async () => {
    const output = await run(
      join(app, 'node_modules/.bin/esbuild'),
      [
        'src/main.ts',
        '--bundle',
        '--minify',
        '--format=esm',
        '--platform=browser',
        '--outfile=out/main.js',
      ],
      app,
    );
    const code = readFileSync(join(app, 'out/main.js'), 'utf8');
    assert.match(code, /customElements\.define\(/, 'the element is defined');
    assert.doesNotMatch(output, /warning/i, output);
    console.log(`consumer bundle: ${code.length} B minified`);
  });
});
