// Chromium flags for WebRTC on loopback with fake media, and no network access
// (../shared/FIELD-NOTES.md section 4). Shared by every test tool and the bench.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Chromium; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * @param {{ denyMedia?: boolean, cameras?: number }} [options] `cameras`: how many fake
 *   cameras Chromium lists (`fake_device_0`, `fake_device_1`, …); default 1. It always lists
 *   three fake microphones. fake_device_1 delivers Y16 (depth) frames, which a video element
 *   shows but the WebRTC encoder never encodes; fake_device_2 (MJPEG) encodes.
 * @returns {string[]}
 */
export function chromiumArgs(options = {}) {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    options.cameras
      ? `--use-fake-device-for-media-stream=device-count=${options.cameras}`
      : '--use-fake-device-for-media-stream',
    ...(options.denyMedia ? ['--deny-permission-prompts'] : ['--use-fake-ui-for-media-stream']),
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,OptimizationHints,OptimizationGuideModelDownloading,AutofillServerCommunication,Translate,CertificateTransparencyComponentUpdater,LocalNetworkAccessChecks',
    `--user-data-dir=${mkdtempSync(join(tmpdir(), 'kurento-room-chromium-'))}`,
  ];
}
