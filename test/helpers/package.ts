/**
 * The packages as users receive them: `npm pack` without scripts (npm test has built them),
 * and npm run in a temporary folder outside the repository, with what an npm script adds to
 * the environment (`npm_package_*`, `npm_config_local_prefix`, the repository's
 * node_modules/.bin on PATH, all of which point npm back at the repository) taken out.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository's root folder, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** npm settings of the user's that the temporary folder keeps: the cache, npmrc, registry, CA. */
const KEPT_NPM_VARIABLES = new Set([
  'npm_config_cache',
  'npm_config_userconfig',
  'npm_config_globalconfig',
  'npm_config_cafile',
  'npm_config_registry',
]);

/** This process's environment as a user's shell would have it, for npm in a temporary folder. */
export const npmEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_/i.test(key) || KEPT_NPM_VARIABLES.has(key.toLowerCase()),
    ),
  ),
  INIT_CWD: undefined,
  PATH: (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.startsWith(ROOT))
    .join(':'),
  npm_config_update_notifier: 'false',
};

/** Runs a command in `cwd` with {@link npmEnv}; resolves to its output, rejects with it in the message. */
export async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd,
      env: npmEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

/** A packed tarball: its path and the files in it (paths inside the package). */
export interface Packed {
  path: string;
  files: string[];
}

/**
 * Packs the package in `dir` into `destination` without running its scripts (`prepack`
 * would empty dist/ under every other test); logs its size.
 */
export async function pack(dir: string, destination: string): Promise<Packed> {
  const output = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination],
    dir,
  );
  const [packed] = JSON.parse(output.slice(output.indexOf('['))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  console.log(
    `packed ${packed!.filename}: ${packed!.files.length} files, ${packed!.size} B, ${packed!.unpackedSize} B unpacked`,
  );
  return { path: join(destination, packed!.filename), files: packed!.files.map((f) => f.path) };
}

/** Makes `dir` an empty private ESM app (a package.json only) named `name`. */
export function createApp(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
}

/** Installs `specs` (tarballs or name@version) into the app in `dir`, from npm's cache when it can. */
export function install(dir: string, specs: string[], ...flags: string[]): Promise<string> {
  return run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...flags, ...specs],
    dir,
  );
}

/** The name of every installed package under a node_modules folder, nested copies included. */
export function installedPackages(modules: string): string[] {
  const found: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(modules);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      found.push(name, ...installedPackages(join(modules, name, 'node_modules')));
    }
  }
  return found;
}

/** Bytes of every file under `dir` (apparent size). */
export function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
