// ESLint flat config: typescript-eslint's recommended rules over the whole tree, no import
// cycles anywhere, and the layering of the packages (README "Layout"):
//   protocol  <- core <- controls <- element      (the SDK, packages/sdk/src)
//   protocol  <- the reference server               (packages/server, through 'kurento-room/protocol')
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const TS = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'];

/** Lit and the element, which the SDK core must not pull in (RoomClient alone stays small). */
const NO_ELEMENT = [
  {
    group: ['**/element/**', 'kurento-room', 'kurento-room/bundle'],
    message: 'The SDK core (core, controls, protocol, client.ts) must not import the element.',
  },
  { group: ['lit', 'lit/**', '@lit/**'], message: 'The SDK core must not import Lit.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/public/**', '**/node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  // No import cycles, through relative paths and the tsconfig paths (kurento-room/*) alike.
  // import-x skips `import type` edges; keep type-only cycles out by hand (types live in
  // leaf modules such as core/media-types.ts and core/events.ts).
  {
    files: TS,
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.json', 'tsconfig.node.json'],
          alwaysTryTypes: true,
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // The SDK core knows nothing of the element.
  {
    files: [
      'packages/sdk/src/core/**/*.ts',
      'packages/sdk/src/controls/**/*.ts',
      'packages/sdk/src/client.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: NO_ELEMENT }] },
  },
  // The wire contract imports nothing of the SDK: the server shares it.
  {
    files: ['packages/sdk/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...NO_ELEMENT,
            {
              group: ['**/core/**', '**/controls/**', '**/element/**', 'kurento-room*'],
              message: 'The protocol imports nothing from core, controls or element.',
            },
          ],
        },
      ],
    },
  },
  // The server uses the SDK only through its protocol entry (its demo page, a browser page
  // bundled into public/, uses the element as any page would).
  {
    files: ['packages/server/**/*.ts'],
    ignores: ['packages/server/demo/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kurento-room',
              message: "The server may import the SDK only as 'kurento-room/protocol'.",
            },
            {
              name: 'kurento-room/client',
              message: "The server may import the SDK only as 'kurento-room/protocol'.",
            },
          ],
          patterns: [
            {
              regex: '^kurento-room/(?!protocol$)',
              message: "The server may import the SDK only as 'kurento-room/protocol'.",
            },
            {
              regex: '(^|/)(packages/)?sdk/',
              message:
                "The server may import the SDK only as 'kurento-room/protocol', not by a relative path.",
            },
          ],
        },
      ],
    },
  },
);
