// In-browser tests of the SDK (test/client) and the web component (test/element),
// in Debian's Chromium with fake media. See README "Tests".
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { summaryReporter } from './test/support/summary-reporter.mjs';
import { CHROMIUM_PATH, chromiumArgs } from './test/support/chromium.mjs';

export default {
  files: ['test/client/**/*.test.ts', 'test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs() },
    }),
  ],
  hostname: '127.0.0.1',
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 180000,
  reporters: [defaultReporter(), summaryReporter()],
};
