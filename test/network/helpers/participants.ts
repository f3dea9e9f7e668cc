/**
 * Chromium participants inside a home namespace: Debian's Chromium started through a
 * wrapper script (`ip netns exec NS chromium "$@"`) as puppeteer's executable, driven
 * over a pipe (a DevTools port inside the namespace would be out of the test's reach).
 * The flags are the project's (FIELD-NOTES section 4), with the host resolver opened to
 * the public addresses (`MAP * ~NOTFOUND` also swallows TURN/TCP connections to an
 * address it does not EXCLUDE) and the server's certificate trusted by its SPKI hash.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error: a plain .mjs module shared with the web-test-runner config
import { CHROMIUM_PATH, chromiumArgs } from '../../support/chromium.mjs';
import { openPage } from '../../helpers/browser.js';
import { statusText } from '../../helpers/room-page.js';
import { waitUntil } from '../../helpers/wait.js';

/** A demo page with what the test reads from it. */
export type ParticipantPage = Page & { errors: string[] };

/**
 * Launches Chromium in namespace `ns`, trusting the certificate whose SubjectPublicKeyInfo
 * hashes to `spkiSha256` (base64 SHA-256) and resolving nothing but `reachable` addresses.
 */
export async function launchInNamespace(
  ns: string,
  { spkiSha256, reachable }: { spkiSha256: string; reachable: string[] },
): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'krnet-chromium-'));
  const wrapper = join(dir, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH as string} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const args = (chromiumArgs as () => string[])().filter(
    (arg) => !arg.startsWith('--host-resolver-rules='),
  );
  const browser = await puppeteer.launch({
    executablePath: wrapper,
    pipe: true,
    headless: true,
    protocolTimeout: 60000,
    args: [
      ...args,
      `--host-resolver-rules=MAP * ~NOTFOUND , ${reachable.map((a) => `EXCLUDE ${a}`).join(' , ')}`,
      `--ignore-certificate-errors-spki-list=${spkiSha256}`,
    ],
  });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', remove);
  browser.once('disconnected', () => {
    remove();
    process.off('exit', remove);
  });
  return browser;
}

/** What {@link openParticipant} records of the element's events. */
interface RecordedWindow {
  __roomErrors: { name: string; reason: string; message: string; at: number }[];
  __peerRestarts: { participant: string; reason: string; at: number }[];
}

/**
 * Opens `url` in a fresh context of `browser` (as `openPage`: every peer connection on
 * `window.__peers`), having first installed `scripts` (functions, or source text) to run
 * before the page's own, and recorders of the element's `room-error` and `peer-restarted`
 * events.
 */
export async function openParticipant(
  browser: Browser,
  url: string,
  scripts: (string | (() => void))[] = [],
): Promise<ParticipantPage> {
  const page = await openPage(browser, 'about:blank');
  await page.evaluateOnNewDocument(() => {
    const recorded = window as unknown as RecordedWindow;
    recorded.__roomErrors = [];
    document.addEventListener('room-error', (event) => {
      const error = (event as CustomEvent<{ error: Error & { reason?: string } }>).detail.error;
      recorded.__roomErrors.push({
        name: error.name,
        reason: error.reason ?? '',
        message: error.message,
        at: performance.now(),
      });
    });
    recorded.__peerRestarts = [];
    document.addEventListener('peer-restarted', (event) => {
      const { participant, reason } = (
        event as CustomEvent<{ participant: { name: string } | string; reason: string }>
      ).detail;
      const name = typeof participant === 'string' ? participant : participant.name;
      recorded.__peerRestarts.push({ participant: name, reason, at: performance.now() });
    });
  });
  for (const script of scripts) await page.evaluateOnNewDocument(script);
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** The room errors the page's element emitted so far. */
export function roomErrors(page: Page): Promise<RecordedWindow['__roomErrors']> {
  return page.evaluate(() => (window as unknown as RecordedWindow).__roomErrors);
}

/** The peer connections the page's element rebuilt so far: whose, and why. */
export function peerRestarts(page: Page): Promise<RecordedWindow['__peerRestarts']> {
  return page.evaluate(() => (window as unknown as RecordedWindow).__peerRestarts);
}

/** The SDK's default negotiation deadline, in ms (`RoomClientOptions.negotiationTimeoutMs`). */
export const NEGOTIATION_TIMEOUT_MS = 10000;

/**
 * Waits (up to the negotiation deadline and 10 s more) for the page's first room error,
 * and checks that it is the SDK's word for unreachable media: a `NegotiationError` with
 * reason `timeout` that names a TURN server, and the element's status line says that the
 * media server cannot be reached and a TURN server may be needed.
 */
export async function expectTurnAdvice(page: Page): Promise<void> {
  const [error] = await waitUntil(
    () => roomErrors(page).then((errors) => errors.length > 0 && errors),
    { timeoutMs: NEGOTIATION_TIMEOUT_MS + 10000, message: 'a room-error event' },
  );
  const seen = JSON.stringify(error);
  assert.equal(error!.name, 'NegotiationError', seen);
  assert.equal(error!.reason, 'timeout', seen);
  assert.match(error!.message, /a TURN server may be needed/);
  await waitUntil(
    async () => /cannot reach the media server.*TURN server/i.test(await statusText(page)),
    {
      timeoutMs: 5000,
      message: 'the element saying a TURN server may be needed',
    },
  );
}

/** One end of a peer connection's selected ICE candidate pair. */
export interface CandidateView {
  candidateType: string;
  address: string;
  port: number;
  protocol: string;
  /** For a relay candidate: how the browser reaches the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
}

/** Waits until `count` open peer connections of the page have a selected pair; resolves with them. */
export function selectedPairsOf(
  page: Page,
  count: number,
): Promise<{ id: number; local: CandidateView; remote: CandidateView }[]> {
  return waitUntil(
    async () => {
      const pairs = await selectedPairs(page);
      return pairs.length === count && pairs;
    },
    { timeoutMs: 5000, message: `${count} selected candidate pairs` },
  );
}

/** The selected candidate pair of every open peer connection of the page. */
export function selectedPairs(
  page: Page,
): Promise<{ id: number; local: CandidateView; remote: CandidateView }[]> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: (RTCPeerConnection & { __id: number })[] })
      .__peers;
    const pairs = [];
    for (const pc of peers) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      for (const s of byId.values()) {
        if (s.type !== 'transport' || !s.selectedCandidatePairId) continue;
        const pair = byId.get(s.selectedCandidatePairId as string)!;
        // No named functions in here: tsx's __name wrapper does not exist in the page.
        const [local, remote] = [pair.localCandidateId, pair.remoteCandidateId].map((id) => {
          const c = byId.get(id as string)!;
          return {
            candidateType: c.candidateType as string,
            address: c.address as string,
            port: c.port as number,
            protocol: c.protocol as string,
            relayProtocol: c.relayProtocol as string | undefined,
          };
        });
        pairs.push({ id: pc.__id, local: local!, remote: remote! });
      }
    }
    return pairs;
  });
}
