// Firefox (Debian's firefox-esr) for every test tool: puppeteer-core drives it over
// WebDriver BiDi, no geckodriver and nothing downloaded (../shared/FIELD-NOTES.md section 4).
/** Debian's Firefox ESR; override with FIREFOX_PATH. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Preferences for fake media and no network access: the fake camera (a moving colour
 * pattern) and microphone (a tone) without a permission prompt, or every camera and
 * microphone request refused (`denyMedia`); host candidates with their real addresses
 * instead of mDNS names; autoplay of media and Web Audio allowed; no updates, telemetry or
 * remote settings.
 *
 * @param {{ denyMedia?: boolean }} [options]
 * @returns {Record<string, unknown>}
 */
export function firefoxPrefs(options = {}) {
  return {
    'media.navigator.streams.fake': true,
    ...(options.denyMedia
      ? { 'permissions.default.camera': 2, 'permissions.default.microphone': 2 }
      : { 'media.navigator.permission.disabled': true }),
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    // An AudioContext made without a user gesture starts 'suspended' otherwise (Chromium's
    // --autoplay-policy=no-user-gesture-required covers both).
    'media.autoplay.block-webaudio': false,
    // A machine with no sound card (CI, this one) has no audio output for cubeb to open, and
    // every AudioContext then stays 'suspended' whatever the autoplay prefs: a mock output.
    'media.cubeb.force_mock_context': true,
    'app.update.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'services.settings.server': 'http://127.0.0.1:9/',
  };
}

/**
 * puppeteer-core's launch options for Firefox (puppeteer makes a fresh profile and
 * removes it on close).
 *
 * @param {{ denyMedia?: boolean }} [options]
 */
export function firefoxLaunchOptions(options = {}) {
  return {
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: firefoxPrefs(options),
  };
}
