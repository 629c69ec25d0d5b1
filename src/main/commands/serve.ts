import type { RegisterCommand } from './command.ts';
import { serveEnvHelp } from './env-help.ts';

// The implementation is imported when the command runs, so `hotfix config check` starts without loading
// BullMQ, ioredis and the rest.
export const registerServeCommand: RegisterCommand = (program, deps) => {
  program
    .command('serve')
    // What it listens on depends on the environment: the help says which variable opens which endpoint.
    .summary(
      'serve Slack, Microsoft Teams or both, with the workers unless --no-worker (hotfix serve --help: what it answers, and its environment)',
    )
    .description(
      'serve Slack, Microsoft Teams or both, as the environment below says: POST /slack/events with SLACK_SIGNING_SECRET (no endpoint in Socket Mode), POST /api/messages with MicrosoftAppId (or HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED=1); always GET /healthz, /readyz and /metrics; and, unless --no-worker, the workers',
    )
    .option('--no-worker', 'do not run the workers in this process')
    .option('--no-notifier', 'do not post cards and thread lines from this process (hotfix worker does)')
    .addHelpText('after', serveEnvHelp)
    .action(async (options: { worker: boolean; notifier: boolean }) =>
      (await import('../serve.ts')).serve(options, deps),
    );
};
