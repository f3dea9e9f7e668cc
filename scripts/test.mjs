#!/usr/bin/env node
// `npm test`: every check and every test suite, in order, then one closing line
// `N passed, N failed` that counts every test of every suite (each static check
// counts as one test). Exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'kurento-room-test-'));
const npx = (args) => ['npx', ['--no-install', ...args]];

/** Runs a command with inherited output; resolves to its exit code. */
function run([command, args], env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

/** Reads `# pass N` / `# fail N` / `# skipped N` from a node:test TAP file. */
function tapCounts(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  return {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped'),
  };
}

/**
 * Whether a Kurento Media Server can be started here, as test/helpers/kms.ts looks for
 * one: `run.sh` in $KMS_DIR, ../shared/kms or /work/shared/kms, and an install prefix
 * ($KMS_PREFIX or /opt/kurento). Without one, the Kurento tests are not run, and say so.
 */
const kmsFound =
  [process.env.KMS_DIR, join('..', 'shared', 'kms'), '/work/shared/kms'].some(
    (dir) => dir && existsSync(join(dir, 'run.sh')),
  ) && existsSync(join(process.env.KMS_PREFIX || '/opt/kurento', 'bin', 'kurento-media-server'));

/** The `it(`/`test(` calls in some test files: how many tests a suite not run holds. */
const testCount = (files) =>
  files.reduce(
    (sum, file) => sum + (readFileSync(file, 'utf8').match(/^\s*(?:it|test)\(/gm)?.length ?? 0),
    0,
  );

const checks = [
  ['format', npx(['prettier', '--check', '--log-level', 'warn', '.'])],
  ['lint', npx(['eslint', '.'])],
  ['typecheck', npx(['tsc', '-p', 'tsconfig.json'])],
  ['typecheck (node)', npx(['tsc', '-p', 'tsconfig.node.json'])],
  ['build', ['npm', ['run', 'build', '--silent']]],
  // The API reference (`npm run docs`) from the public docstrings: zero warnings, nothing written.
  ['api docs', npx(['typedoc', '--options', 'packages/sdk/typedoc.json', '--emit', 'none'])],
];

const nodeSuite = (name, files) => {
  const tap = join(work, `${name}.tap`);
  return {
    name,
    command: [
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=1',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        ...files,
      ],
    ],
    counts: () => tapCounts(tap),
  };
};

/** The `*.test.ts` files of a folder, sorted. */
const testFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.test.ts'))
        .sort()
        .map((file) => join(dir, file))
    : [];

/** The in-browser tests (web-test-runner) in `browser` (`WTR_BROWSER`), counted from its summary. */
const wtrSuite = (name, browser) => {
  const summary = join(work, `browser-${browser}.json`);
  return {
    name,
    command: npx(['wtr']),
    env: { SUMMARY_FILE: summary, WTR_BROWSER: browser },
    counts: () =>
      existsSync(summary) ? JSON.parse(readFileSync(summary, 'utf8')) : { passed: 0, failed: 1 },
  };
};

/** The files whose rooms `E2E_BROWSERS` spreads across browsers (test/helpers/call-fixture.ts, and the interop test). */
const CALL_FILES = [
  ...['group-call', 'controls', 'recovery', 'media-state'].map(
    (name) => `test/e2e/${name}.test.ts`,
  ),
  'test/interop/kurento-utils.test.ts',
];

const suites = [
  wtrSuite('browser (SDK and element)', 'chromium'),
  wtrSuite('browser (Firefox)', 'firefox'),
  nodeSuite('server', testFiles('test/server')),
  nodeSuite('end-to-end', [...testFiles('test/e2e'), ...testFiles('test/interop')]),
  // The calls again with participants in Chromium and Firefox in turn (mixed rooms).
  {
    ...nodeSuite('end-to-end (Chromium with Firefox)', CALL_FILES),
    env: { E2E_BROWSERS: 'chromium,firefox' },
  },
  // The same calls with Kurento Media Server doing the media (a KMS per server).
  kmsFound
    ? {
        ...nodeSuite('end-to-end (Kurento)', [
          ...testFiles('test/e2e'),
          ...testFiles('test/interop'),
        ]),
        env: { E2E_BACKEND: 'kurento' },
      }
    : {
        name: 'end-to-end (Kurento)',
        notRun: testCount([...testFiles('test/e2e'), ...testFiles('test/interop')]),
      },
  // Real networks: network namespaces, a NAT, coturn and TLS (root; see README "Tests").
  nodeSuite('network', testFiles('test/network')),
  // The packages as users receive them: packed, installed elsewhere, used.
  nodeSuite('package', testFiles('test/package')),
];

const total = { passed: 0, failed: 0, skipped: 0 };
/** Suites with tests skipped or not run, for the closing line. */
const skippedIn = [];
const lines = [];
for (const [name, command] of checks) {
  const code = await run(command);
  total[code === 0 ? 'passed' : 'failed'] += 1;
  lines.push(`${name}: ${code === 0 ? 'passed' : 'FAILED'}`);
}
const NO_KMS = 'no Kurento Media Server (../shared/kms, KMS_DIR, KMS_PREFIX)';
for (const suite of suites) {
  if (suite.notRun !== undefined) {
    console.log(`\n${suite.name}: ${suite.notRun} tests not run: ${NO_KMS}`);
    total.skipped += suite.notRun;
    skippedIn.push(`${suite.name}: ${suite.notRun}, ${NO_KMS}`);
    lines.push(`${suite.name}: ${suite.notRun} not run, ${NO_KMS}`);
    continue;
  }
  const code = await run(suite.command, suite.env);
  const counts = suite.counts();
  // A suite that exits non-zero without a counted failure still failed.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  total.passed += counts.passed;
  total.failed += counts.failed;
  const skipped = counts.skipped ?? 0;
  total.skipped += skipped;
  if (skipped > 0) skippedIn.push(`${suite.name}: ${skipped}`);
  lines.push(
    `${suite.name}: ${counts.passed} passed, ${counts.failed} failed` +
      (skipped > 0 ? `, ${skipped} skipped` : ''),
  );
}
const notRun = total.skipped > 0 ? `, ${total.skipped} skipped (${skippedIn.join('; ')})` : '';
console.log(`\n${lines.join('\n')}\n${total.passed} passed, ${total.failed} failed${notRun}`);
process.exit(total.failed === 0 ? 0 : 1);
