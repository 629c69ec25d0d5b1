import type { RegisterCommand } from './command.ts';

// The implementation is imported when the command runs, so `hotfix config check` starts without loading
// BullMQ, ioredis and the rest.
export const registerServeCommand: RegisterCommand = (program, deps) => {
  program
    .command('serve')
    .description(
      'serve your Slack workspace (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN): /slack/events, /healthz, /readyz and, unless --no-worker, the workers',
    )
    .option('--no-worker', 'do not run the workers in this process')
    .option('--no-notifier', 'do not post cards and thread lines from this process (hotfix worker does)')
    .action(async (options: { worker: boolean; notifier: boolean }) =>
      (await import('../serve.ts')).serve(options, deps),
    );
};
