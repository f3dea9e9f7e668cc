// In-browser tests of the SDK (test/client) and the web component (test/element), in
// Debian's Chromium, or with WTR_BROWSER=firefox in Debian's Firefox ESR (puppeteer-core
// over WebDriver BiDi), with fake media. See README "Tests".
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { summaryReporter } from './test/support/summary-reporter.mjs';
import { CHROMIUM_PATH, chromiumArgs } from './test/support/chromium.mjs';
import { firefoxLaunchOptions } from './test/support/firefox.mjs';

const browser = process.env.WTR_BROWSER ?? 'chromium';
if (browser !== 'chromium' && browser !== 'firefox') {
  throw new Error(`WTR_BROWSER must be chromium or firefox, got "${browser}"`);
}

export default {
  files: ['test/client/**/*.test.ts', 'test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  browsers: [
    browser === 'firefox'
      ? // Given puppeteer itself, the launcher names the browser after launchOptions.browser.
        chromeLauncher({ launchOptions: firefoxLaunchOptions(), puppeteer: puppeteerCore })
      : chromeLauncher({
          launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs() },
        }),
  ],
  hostname: '127.0.0.1',
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 180000,
  reporters: [defaultReporter(), summaryReporter()],
};
