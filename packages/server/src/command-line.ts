/**
 * The command line of `kurento-room-server` (and of `npm start`): everything is
 * configured by environment variables, so it takes only `--help` and `--version`.
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatEnvVariables } from './env-variables.js';

/** What the command line asks for. */
export type Command = 'serve' | 'help' | 'version';

/**
 * Reads the arguments after the script's path (`process.argv.slice(2)`).
 *
 * @throws TypeError for an unknown option or any positional argument (Node's
 *   `ERR_PARSE_ARGS_*` message names it).
 */
export function readCommandLine(args: readonly string[]): Command {
  const { values } = parseArgs({
    args: [...args],
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  return 'serve';
}

/** The server package's version, from its package.json (one folder above src/ and dist/). */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** The `--help` text: usage, what the server serves, and the environment variables. */
export function helpText(): string {
  return `Usage: kurento-room-server [--help] [--version]

The kurento-room reference server (@kurento-room/server ${packageVersion()}): one port serves
the demo page, the SDK's drop-in bundle, /config.json and the Kurento group-call
WebSocket at /groupcall, with an embedded SFU (werift) for the media. It prints
"kurento-room server listening on <url>" on stdout once listening; logs go to stderr.
SIGINT or SIGTERM closes every connection (1001) and exits.

Environment variables:

${formatEnvVariables()}

Example: HOST=0.0.0.0 ANNOUNCED_IP=203.0.113.7 RTC_MIN_PORT=40000 RTC_MAX_PORT=40100 \\
  ALLOWED_ORIGINS=https://meet.example.com kurento-room-server
`;
}
