// Builds the SDK package (README "Build"); run in packages/sdk:
//   dist/kurento-room.js         ESM, SDK + <kurento-room>, dependencies external (for bundlers)
//   dist/room-client.js          ESM, RoomClient alone, dependencies external
//   dist/protocol.js             ESM, the wire contract alone (the server imports it)
//   dist/kurento-room.bundle.js  ESM, self-contained and minified (a <script type="module"> drop-in),
//                                with dist/kurento-room.prejoin-view.js, the pre-join screen it loads on demand
//   dist/custom-elements.json    the custom-elements manifest (custom-elements-manifest.config.mjs)
import { readFileSync } from 'node:fs';
import { cli as customElementsAnalyzer } from '@custom-elements-manifest/analyzer/cli.js';
import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild, { minify } from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies).map((name) => new RegExp(`^${name}(/|$)`));

/** Writes dist/custom-elements.json once the bundle is written, as `cem analyze` does. */
function customElementsManifest() {
  return {
    name: 'custom-elements-manifest',
    async writeBundle() {
      await customElementsAnalyzer({ argv: ['analyze'] });
    },
  };
}

/**
 * TypeScript to JavaScript, then the HTML and CSS inside Lit's `html` and `css` templates
 * minified (whitespace and comments: Lit ships them as written), then, with `minified`, the
 * whole chunk minified by esbuild; the drop-in's output then goes through terser (below).
 * The templates are minified before the names are, so the tags are still called `html` and `css`.
 */
const typescript = (minified) => [
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', legalComments: 'none' }),
  literalsHtmlCssMinifier({ include: ['src/**'], failOnError: true }),
  ...(minified ? [minify({ target: 'es2022', legalComments: 'none' })] : []),
];

export default [
  {
    input: {
      'kurento-room': 'src/index.ts',
      'room-client': 'src/client.ts',
      protocol: 'src/protocol/index.ts',
    },
    external,
    plugins: [...typescript(false), customElementsManifest()],
    output: { dir: 'dist', format: 'esm', sourcemap: true, chunkFileNames: '[name]-shared.js' },
  },
  {
    input: 'src/index.ts',
    plugins: [nodeResolve({ browser: true }), ...typescript(true)],
    // The pre-join screen is its own chunk (a dynamic import), loaded when it first shows;
    // it imports Lit and the rest from the bundle, which may export more than the SDK for it.
    preserveEntrySignatures: 'allow-extension',
    output: {
      dir: 'dist',
      format: 'esm',
      sourcemap: true,
      entryFileNames: 'kurento-room.bundle.js',
      chunkFileNames: 'kurento-room.[name].js',
      // terser's second pass after esbuild's: some 2% fewer bytes gzipped (`npm run bench:size`).
      plugins: [
        terser({
          module: true,
          ecma: 2020,
          compress: { passes: 2 },
          format: { comments: false },
        }),
      ],
    },
  },
];
