// Builds the demo page the reference server serves; run in packages/server:
//   public/index.html, public/demo.js   the page: one <kurento-room> (demo/), bundled with the SDK
//   public/kurento-room.bundle.js       the SDK's drop-in bundle and its pre-join chunk, copied
//                                       from the kurento-room package (`kurento-room/bundle`)
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild, { minify } from 'rollup-plugin-esbuild';

/** The drop-in bundle's folder in the kurento-room package (it must be built first). */
const BUNDLE_DIR = dirname(fileURLToPath(import.meta.resolve('kurento-room/bundle')));

/** Copies the page's HTML and the SDK's drop-in bundle (with its chunks and maps) into the output. */
function copyAssets() {
  const bundleFiles = readdirSync(BUNDLE_DIR)
    .filter((file) => /^kurento-room\.[\w-]+\.js(\.map)?$/.test(file))
    .map((file) => join(BUNDLE_DIR, file));
  return {
    name: 'copy-assets',
    generateBundle() {
      for (const from of ['demo/index.html', ...bundleFiles]) {
        this.emitFile({ type: 'asset', fileName: basename(from), source: readFileSync(from) });
      }
    },
  };
}

export default {
  input: 'demo/demo.ts',
  plugins: [
    nodeResolve({ browser: true }),
    esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', legalComments: 'none' }),
    minify({ target: 'es2022', legalComments: 'none' }),
    copyAssets(),
  ],
  output: { dir: 'public', format: 'esm', sourcemap: true, entryFileNames: 'demo.js' },
};
