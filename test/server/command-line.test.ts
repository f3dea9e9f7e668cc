/**
 * The command line of `kurento-room-server` (`--help`, `--version`) and the one table of
 * environment variables it prints, checked against what `readConfig` reads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  helpText,
  packageVersion,
  readCommandLine,
} from '../../packages/server/src/command-line.js';
import { ENV_VARIABLES } from '../../packages/server/src/env-variables.js';

/** The variables `env-config.ts` reads: `env.NAME` and `integer(env, 'NAME', ...)` alike. */
function variablesRead(): Set<string> {
  const source = readFileSync(
    new URL('../../packages/server/src/env-config.ts', import.meta.url),
    'utf8',
  );
  const names = [...source.matchAll(/\benv\.([A-Z_]+)|\benv, '([A-Z_]+)'/g)];
  return new Set(names.map((match) => (match[1] ?? match[2])!));
}

describe('the command line', () => {
  test('no argument serves; --help and -h, --version and -v answer', () => {
    assert.equal(readCommandLine([]), 'serve');
    assert.equal(readCommandLine(['--help']), 'help');
    assert.equal(readCommandLine(['-h']), 'help');
    assert.equal(readCommandLine(['--version']), 'version');
    assert.equal(readCommandLine(['-v']), 'version');
  });

  test('an unknown option or a positional argument throws TypeError naming it', () => {
    assert.throws(() => readCommandLine(['--port=1']), /--port/);
    assert.throws(() => readCommandLine(['serve']), /serve/);
  });

  test('--version is the package version', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../packages/server/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    assert.equal(packageVersion(), manifest.version);
  });

  test('the table lists every variable readConfig reads, and no other; --help prints each', () => {
    const listed = ENV_VARIABLES.flatMap((variable) => variable.name.split(', '));
    assert.deepEqual([...listed].sort(), [...variablesRead()].sort());
    const help = helpText();
    for (const variable of ENV_VARIABLES) {
      assert.ok(help.includes(`  ${variable.name}  `), variable.name);
    }
  });

  test("the README's table of variables names the same variables", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(
      readme.indexOf('| variable'),
      readme.indexOf('\n\n', readme.indexOf('| variable')),
    );
    const documented = [...table.matchAll(/^\| ([^|]+?) +\|/gm)]
      .flatMap((row) => [...row[1]!.matchAll(/`([A-Z_]+)`/g)].map((name) => name[1]!))
      .sort();
    const listed = ENV_VARIABLES.flatMap((variable) => variable.name.split(', ')).sort();
    assert.deepEqual(documented, listed);
  });
});
