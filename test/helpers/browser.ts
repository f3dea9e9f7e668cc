/**
 * Headless browsers for end-to-end tests and the bench: Debian's Chromium with the flags
 * of FIELD-NOTES section 4 (fake media, loopback WebRTC, no network), and Debian's
 * Firefox ESR over WebDriver BiDi with fake media preferences. `E2E_BROWSERS` (e.g.
 * `chromium,firefox`) chooses the browsers a room's participants are spread across.
 */
import puppeteer, { type Browser, type Page, type Viewport } from 'puppeteer-core';
// @ts-expect-error: a plain .mjs module shared with the web-test-runner config
import { CHROMIUM_PATH, chromiumArgs } from '../support/chromium.mjs';
// @ts-expect-error: a plain .mjs module shared with the web-test-runner config
import { firefoxLaunchOptions } from '../support/firefox.mjs';

/** The browsers the tests drive. */
export type BrowserName = 'chromium' | 'firefox';

const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox'];

/**
 * The browsers of `E2E_BROWSERS`, a comma-separated list of `chromium` and `firefox` in
 * the order participants are dealt to them (default `chromium`).
 *
 * @throws Error naming an unknown browser.
 */
export function e2eBrowsers(value = process.env.E2E_BROWSERS): BrowserName[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!BROWSER_NAMES.includes(name as BrowserName)) {
      throw new Error(`E2E_BROWSERS: unknown browser "${name}" (${BROWSER_NAMES.join(', ')})`);
    }
  }
  return names.length > 0 ? (names as BrowserName[]) : ['chromium'];
}

const launched = new WeakMap<Browser, BrowserName>();

/** Which browser a `Browser` from {@link launchBrowser} is. */
export function browserName(browser: Browser): BrowserName {
  return launched.get(browser) ?? 'chromium';
}

/**
 * Launches Chromium (default) or Firefox; one browser holds many participants, each in
 * its own context. `denyMedia` refuses every camera/microphone request; `cameras` sets
 * how many fake cameras Chromium lists (Firefox always lists one).
 */
export async function launchBrowser(
  options: { browser?: BrowserName; denyMedia?: boolean; cameras?: number } = {},
): Promise<Browser> {
  const name = options.browser ?? 'chromium';
  const browser = await puppeteer.launch(
    name === 'firefox'
      ? { ...(firefoxLaunchOptions(options) as object), protocolTimeout: 60000 }
      : {
          executablePath: CHROMIUM_PATH as string,
          headless: true,
          args: (chromiumArgs as (o: object) => string[])(options),
          protocolTimeout: 60000,
        },
  );
  launched.set(browser, name);
  return browser;
}

/**
 * What Firefox logs as a script error (which puppeteer's WebDriver BiDi session reports as
 * a `pageerror`) when a WebSocket cannot connect or is cut by navigation: no exception the
 * page threw, the same event Chromium logs as a console message. The SDK sees it as the
 * socket's `error` and `close` events.
 */
const FIREFOX_SOCKET_REPORT =
  /can’t establish a connection to the server at wss?:|The connection to wss?:\S+ was interrupted/;

/**
 * Opens `url` in a fresh browser context (its own cookies, storage and camera), with
 * every RTCPeerConnection the page creates recorded on `window.__peers` (numbered
 * `__id` in order) so tests can read their stats, and the `performance.now()` of its
 * first WebSocket (the join) on `window.__socketAt`. Uncaught page errors are collected on
 * `errors` (not Firefox's reports of a WebSocket that failed, see above).
 * With `viewport`, the page is emulated at that size (and `isMobile`, `hasTouch`,
 * `deviceScaleFactor`) from before it loads; without it, puppeteer's default 800x600.
 */
export async function openPage(
  browser: Browser,
  url: string,
  { viewport }: { viewport?: Viewport } = {},
): Promise<Page & { errors: string[] }> {
  const context = await browser.createBrowserContext();
  const page = (await context.newPage()) as Page & { errors: string[] };
  if (viewport) await page.setViewport(viewport);
  page.errors = [];
  page.on('pageerror', (error) => {
    if (!FIREFOX_SOCKET_REPORT.test(String(error))) page.errors.push(String(error));
  });
  await page.evaluateOnNewDocument(() => {
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        (window as unknown as { __socketAt?: number }).__socketAt ??= performance.now();
      }
    } as typeof WebSocket;
    const Native = window.RTCPeerConnection;
    const peers: RTCPeerConnection[] = [];
    (window as unknown as { __peers: RTCPeerConnection[] }).__peers = peers;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        (this as unknown as { __id: number }).__id = peers.length;
        peers.push(this);
      }
    } as typeof RTCPeerConnection;
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Per open receive-side peer connection: inbound video and audio figures. */
export interface InboundReport {
  /** The peer connection's `__id`. */
  id: number;
  framesDecoded: number;
  frameWidth: number;
  audioPackets: number;
  audioEnergy: number;
}

/** Reads inbound-rtp stats of every open peer connection in the page that receives media. */
export function inboundReports(page: Page): Promise<InboundReport[]> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
    const reports = [];
    for (const pc of peers) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const report = {
        id: (pc as unknown as { __id: number }).__id,
        framesDecoded: 0,
        frameWidth: 0,
        audioPackets: 0,
        audioEnergy: 0,
      };
      let inbound = false;
      stats.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        inbound = true;
        if (s.kind === 'video') {
          report.framesDecoded = s.framesDecoded ?? 0;
          report.frameWidth = s.frameWidth ?? 0;
        } else if (s.kind === 'audio') {
          report.audioPackets = s.packetsReceived ?? 0;
          report.audioEnergy = s.totalAudioEnergy ?? 0;
        }
      });
      if (inbound) reports.push(report);
    }
    return reports;
  });
}
