/**
 * Bench: `npm run bench:size`. Prints bundle sizes, minified and gzipped (GNU `gzip -9`, the
 * figure README quotes; Node's zlib at level 9 gives some 0.5% more), against kurento-utils
 * 7.3.0 as the baseline (bundled the same way, in the same run):
 *   - what an app bundles: `RoomClient` alone (an entry importing only it) and the SDK with
 *     `<kurento-room>` and Lit (`src/index.ts`), bundled by esbuild with no template
 *     minification and no code splitting;
 *   - what the drop-in page loads: `dist/kurento-room.bundle.js` (its Lit templates minified)
 *     and `dist/kurento-room.prejoin-view.js`, the pre-join chunk it loads when the pre-join
 *     screen first shows, from `npm run build` (run here first).
 * `bench/room.ts` prints the same table after its timings.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export interface Size {
  /** Minified bytes. */
  min: number;
  /** Minified and gzipped (level 9) bytes. */
  gz: number;
}

export const sizeOf = (code: Uint8Array): Size => ({
  min: code.length,
  gz: execFileSync('gzip', ['-9', '-c'], { input: code }).length,
});

/** Size of an entry bundled with its dependencies by esbuild. */
export async function bundleSize(
  entry: string,
  extra: Parameters<typeof build>[0] = {},
): Promise<Size> {
  const result = await build({
    ...(entry.startsWith('export ')
      ? { stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' } }
      : { entryPoints: [entry] }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    conditions: ['production'],
    logLevel: 'silent',
    ...extra,
  });
  return sizeOf(result.outputFiles![0].contents);
}

/** An entry that imports `RoomClient` alone, as an app building its own UI does. */
export const ROOM_CLIENT_ALONE = "export { RoomClient } from './packages/sdk/src/client.js';";

/** Builds the drop-in bundle (rollup, as `npm run build`) and prints every size against the baseline. */
export async function printSizes(): Promise<void> {
  execFileSync('npm', ['run', 'build', '--silent', '-w', 'kurento-room'], { stdio: 'inherit' });
  const baseline = await bundleSize('kurento-utils', {
    format: 'iife',
    globalName: 'kurentoUtils',
  });
  const shipped = (file: string) => sizeOf(readFileSync(`packages/sdk/dist/${file}`));
  const rows: [string, Size][] = [
    ['kurento-utils 7.3.0 (baseline)', baseline],
    ['RoomClient alone (esbuild)', await bundleSize(ROOM_CLIENT_ALONE)],
    ['SDK + <kurento-room> + Lit (esbuild)', await bundleSize('packages/sdk/src/index.ts')],
    ['drop-in bundle (dist, rollup)', shipped('kurento-room.bundle.js')],
    ['  + pre-join chunk, on demand', shipped('kurento-room.prejoin-view.js')],
  ];
  console.log('\nbundle sizes (minified; gzip -9)');
  for (const [label, { min, gz }] of rows) {
    console.log(
      `  ${label.padEnd(38)} ${String(min).padStart(6)} B min  ${String(gz).padStart(6)} B min+gz  ${(gz / baseline.gz).toFixed(2)}x baseline`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await printSizes();
