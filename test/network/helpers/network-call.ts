/**
 * The fixture of the network tests: a {@link createTopology} network, coturn and the
 * reference server (HTTPS from its own self-signed certificate, the SFU announcing its
 * address with an RTC port range, TURN credentials from `TURN_SECRET`) in the public
 * namespace, and one Chromium per home namespace behind the NAT. Call it inside a
 * `describe`; it registers the `before` and `after` hooks, and every process and
 * namespace also goes on process exit.
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import type { Browser } from 'puppeteer-core';
import {
  SOURCE_SERVER,
  startServerProcess,
  type ServerProcess,
} from '../../helpers/server-process.js';
import { demoUrl } from '../../helpers/room-page.js';
import { startCoturn, type Coturn } from './coturn.js';
import { launchInNamespace, openParticipant, type ParticipantPage } from './participants.js';
import { createTopology, SERVER_ADDRESS, type Topology } from './topology.js';

/** coturn's port for `turn:` over UDP and TCP, as in `turnserver.conf`. */
export const TURN_PORT = 3478;
/** The `TURN_URLS` the server hands out with credentials (RFC 7065): UDP, then TCP. */
export const TURN_URLS = [
  `turn:${SERVER_ADDRESS}:${TURN_PORT}?transport=udp`,
  `turn:${SERVER_ADDRESS}:${TURN_PORT}?transport=tcp`,
];

/** The SFU's RTC port range, as the README's deployment opens it. */
export const RTC_PORTS = [40000, 40199] as const;

/** What the hooks set up; read it inside tests (it is filled in by `before`). */
export interface NetworkCall {
  topology: Topology;
  coturn: Coturn;
  server: ServerProcess;
  /** coturn's `static-auth-secret`, the server's `TURN_SECRET`. */
  turnSecret: string;
  /** Base64 SHA-256 of the server certificate's public key, as the server logged it. */
  spkiSha256: string;
  /** One Chromium per home, `browsers[0]` in home 1. */
  browsers: Browser[];
  /**
   * Opens the demo page in home `home` (1-based), joining `room` as `name` at once, in a
   * fresh browser context; `scripts` run in the page before its own.
   */
  join(
    home: number,
    room: string,
    name: string,
    options?: { video?: string; scripts?: (string | (() => void))[] },
  ): Promise<ParticipantPage>;
}

let fixtures = 0;

/** Reads the self-signed certificate's `spkiSha256` from the server's pino warning. */
function loggedSpki(server: ServerProcess): string {
  for (const line of server.stderr().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { spkiSha256?: string };
    if (entry.spkiSha256) return entry.spkiSha256;
  }
  throw new Error(`the server logged no self-signed certificate:\n${server.output()}`);
}

/**
 * Registers hooks that build the network with `homes` homes and start coturn, the server
 * (`serverEnv` over the defaults above) and the browsers.
 */
export function networkCallFixture({
  homes,
  serverEnv = {},
}: {
  homes: number;
  serverEnv?: Record<string, string>;
}): NetworkCall {
  const fixture = {
    browsers: [] as Browser[],
    turnSecret: randomBytes(16).toString('hex'),
  } as NetworkCall;
  const pages: ParticipantPage[] = [];
  fixture.join = async (home, room, name, { video = '320x240@15', scripts } = {}) => {
    const page = await openParticipant(
      fixture.browsers[home - 1]!,
      demoUrl(fixture.server.url, room, name, video),
      scripts,
    );
    pages.push(page);
    return page;
  };
  before(async () => {
    fixtures += 1;
    fixture.topology = await createTopology(homes, `krnet-${process.pid}-${fixtures}`);
    const { pub } = fixture.topology;
    fixture.coturn = await startCoturn({
      ns: pub,
      address: SERVER_ADDRESS,
      port: TURN_PORT,
      secret: fixture.turnSecret,
      allowedPeers: [SERVER_ADDRESS],
    });
    fixture.server = await startServerProcess(
      {
        HOST: SERVER_ADDRESS,
        PORT: '8443',
        LOG_LEVEL: 'warn',
        ANNOUNCED_IP: SERVER_ADDRESS,
        RTC_MIN_PORT: String(RTC_PORTS[0]),
        RTC_MAX_PORT: String(RTC_PORTS[1]),
        TURN_URLS: TURN_URLS.join(','),
        TURN_SECRET: fixture.turnSecret,
        ...serverEnv,
      },
      20000,
      {
        ...SOURCE_SERVER,
        command: 'ip',
        args: ['netns', 'exec', pub, SOURCE_SERVER.command, ...SOURCE_SERVER.args],
      },
    );
    fixture.spkiSha256 = loggedSpki(fixture.server);
    for (const home of fixture.topology.homes) {
      fixture.browsers.push(
        await launchInNamespace(home, {
          spkiSha256: fixture.spkiSha256,
          reachable: [SERVER_ADDRESS],
        }),
      );
    }
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    for (const browser of fixture.browsers) await browser.close().catch(() => undefined);
    await fixture.server?.stop();
    await fixture.coturn?.stop();
    fixture.topology?.destroy();
  });
  return fixture;
}
