/**
 * The Slack stand-in in a process of its own, for `slack-ack.ts`: the Web API calls the bot makes after its
 * acks (views.open, chat.update, response_url posts) then cost the bench's load generator nothing. Driven
 * over the IPC channel `fork` opens:
 *
 *   → { id, op: 'responseUrls', n, context }   ← { id, urls }
 *   → { id, op: 'calls' }                      ← { id, calls: { 'chat.update 200': 12, … } }
 *
 * and sends `{ ready: url }` once it listens. Options (JSON) come as the first argument.
 */
import type { ResponseUrlContext, SlackStandInOptions } from '../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../src/slack-stand-in/index.ts';

type Request =
  { id: number; op: 'responseUrls'; n: number; context: ResponseUrlContext } | { id: number; op: 'calls' };

const options = JSON.parse(process.argv[2] ?? '{}') as SlackStandInOptions;
const standIn = createSlackStandIn({ maxRecordedCalls: 1000, ...options });
// Counted from the live events: the recorded list keeps only the latest calls.
const calls = new Map<string, number>();
standIn.on('call', (call) => {
  const key = `${call.kind === 'api' ? call.method : call.kind} ${call.status}${
    call.response.ok === false ? ` ${String(call.response.error)}` : ''
  }`;
  calls.set(key, (calls.get(key) ?? 0) + 1);
});
const url = await standIn.start();

process.on('message', (message: Request) => {
  if (message.op === 'responseUrls')
    process.send?.({
      id: message.id,
      urls: Array.from({ length: message.n }, () => standIn.newResponseUrl(message.context)),
    });
  else process.send?.({ id: message.id, calls: Object.fromEntries(calls) });
});
// Stopped by the bench (SIGTERM) or when it goes away: exit normally, so a --cpu-prof profile is written.
process.on('disconnect', () => void standIn.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void standIn.stop().then(() => process.exit(0)));
process.send?.({ ready: url });
