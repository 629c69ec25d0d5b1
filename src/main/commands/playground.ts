import type { RegisterCommand } from './command.ts';

export const registerPlaygroundCommand: RegisterCommand = (program, deps) => {
  program
    .command('playground')
    .description(
      'try hotfix locally, no Slack or Teams account needed: the real bot and workers with Slack and Teams played side by side in a page, at a URL with a per-start token (npm start)',
    )
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (this machine only)')
    .option('--live', 'run the run and http steps of your own hotfix.yml for real (default: shown, not run)')
    .action(async (options: { host?: string; live?: boolean }) =>
      (await import('../playground.ts')).playground(
        { ...(options.host === undefined ? {} : { host: options.host }), live: options.live ?? false },
        deps,
      ),
    );
};
