// The test runner's browser commands (@web/test-runner-commands), typed here: the package's
// own types import its Node side, which brings Node's globals (a setTimeout that returns a
// Timeout) into the browser type-check. `as string` keeps tsc from resolving those types;
// the test runner still rewrites the literal specifier.
interface Commands {
  sendKeys(payload: { press: string } | { type: string }): Promise<void>;
  setViewport(viewport: { width: number; height: number }): Promise<void>;
}

const commands = import('@web/test-runner-commands' as string) as Promise<Commands>;

/**
 * Presses `key` in the browser as a user would (puppeteer `keyboard.press`: `Tab`, `Enter`,
 * `Space`, `Escape`). `Space` is sent as `' '`, which puppeteer's WebDriver BiDi keyboard
 * (Firefox) knows, as its CDP one (Chromium) does.
 */
export async function press(key: string): Promise<void> {
  await (await commands).sendKeys({ press: key === 'Space' ? ' ' : key });
}

/** Resizes the page's viewport, in CSS px. */
export async function setViewport(width: number, height: number): Promise<void> {
  await (await commands).setViewport({ width, height });
}
