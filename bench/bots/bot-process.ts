/**
 * The bot process that `fleet.ts` starts: runs bots ({@link Bot}, or with
 * `KRBOT_TRANSPORT=wrtc` the libwebrtc `WrtcBot`) on the parent's requests over the IPC
 * channel and answers each by id. Ends (every bot leaving first)
 * on a `close` request, when the channel closes (the parent died) and on SIGINT or SIGTERM.
 *
 * @packageDocumentation
 */

import { Bot } from './bot.js';
import type { BotStats, FleetReply, FleetRequest } from './fleet.js';
import type { WrtcBot } from './wrtc-bot.js';

if (!process.send) throw new Error('bot-process.ts runs under fleet.ts (an IPC channel)');

const bots = new Map<string, Bot | WrtcBot>();

/** Joins with the transport the parent chose. */
async function join(options: FleetRequest & { op: 'join' }): Promise<Bot | WrtcBot> {
  if (process.env.KRBOT_TRANSPORT !== 'wrtc') return Bot.join(options.options);
  const { WrtcBot } = await import('./wrtc-bot.js');
  return WrtcBot.join(options.options);
}
let ending: Promise<never> | undefined;

function reply(message: FleetReply): void {
  if (process.connected) process.send!(message);
}

async function handle(request: FleetRequest): Promise<unknown> {
  switch (request.op) {
    case 'join': {
      const { name } = request.options;
      if (bots.has(name)) throw new Error(`a bot named ${name} is already here`);
      bots.set(name, await join(request));
      return undefined;
    }
    case 'stats': {
      const stats: Record<string, BotStats> = {};
      for (const [name, bot] of bots) {
        stats[name] = {
          sent: await bot.sent(),
          received: await bot.received(),
          keyFrameDelaysMs: bot.keyFrameDelaysMs(),
          ...('framesDecoded' in bot && { framesDecoded: await bot.framesDecoded() }),
        };
      }
      return stats;
    }
    case 'leave': {
      const bot = bots.get(request.name);
      bots.delete(request.name);
      await bot?.leave();
      return undefined;
    }
    case 'close':
      void end(0);
      return undefined;
  }
}

/** Every bot leaves, then the process exits with `code`. */
function end(code: number): Promise<never> {
  ending ??= (async () => {
    await Promise.allSettled([...bots.values()].map((bot) => bot.leave()));
    bots.clear();
    process.exit(code);
  })();
  return ending;
}

process.on('message', (request: FleetRequest) => {
  handle(request).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: Error) => reply({ id: request.id, ok: false, error: error.message }),
  );
});
process.on('disconnect', () => void end(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void end(130));
reply({ ready: true });
