/**
 * The baseline of `slack-ack.ts`: a bare Bolt app as its README shows it, with listeners that only ack the
 * payloads the bench sends (`/hotfix`, the checklist checkboxes, Approve). Run in a process of its own:
 *
 *   PORT=… SLACK_API_URL=… SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=… node --import tsx bench/bare-bolt.ts
 *
 * Prints `ready` once it listens.
 */
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? '',
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
  logLevel: LogLevel.ERROR,
});
app.command('/hotfix', async ({ ack }) => {
  await ack();
});
app.action(/^hotfix_tick(?::\d+)?$/, async ({ ack }) => {
  await ack();
});
app.action(/^hotfix_approve(?::\d+)?$/, async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.stop().then(() => process.exit(0)));
