import { pino } from 'pino';
import { createEngine } from './engine.ts';
import { loadSettings } from './runtime.ts';
import { startSlack } from './slack.ts';
import { teamsServed } from './teams.ts';
import { startTeamsNotifier } from './teams-notifier.ts';
import type { CliDeps } from './commands/command.ts';

/** `hotfix worker`: BullMQ workers only; run as many as needed, on as many machines as needed. */
export const runWorker = async (deps: CliDeps, signal?: AbortSignal): Promise<void> => {
  const settings = await loadSettings(deps.env);
  const log = pino({ level: settings.env.LOG_LEVEL });
  const engine = await createEngine({ ...settings, processEnv: deps.env, log });
  engine.startWorkers();
  // With Slack credentials, workers also project hotfixes onto Slack (replicas share that work), so a
  // `hotfix serve --no-worker --no-notifier` front does nothing but answer Slack.
  const botToken = settings.config.slack ? settings.env.SLACK_BOT_TOKEN : undefined;
  const slack = botToken
    ? await startSlack(settings, engine, log, botToken, { app: false, notifier: true })
    : undefined;
  // Likewise onto Teams, with Teams credentials and a teams section.
  const teams =
    settings.config.teams && teamsServed(settings.env)
      ? await startTeamsNotifier(settings, engine, log)
      : undefined;
  log.info(
    {
      config: settings.configPath,
      concurrency: settings.env.HOTFIX_WORKER_CONCURRENCY,
      notifier: slack !== undefined,
      teamsNotifier: teams !== undefined,
    },
    'hotfix worker started',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info(
    { graceMs: settings.env.HOTFIX_SHUTDOWN_GRACE },
    'stopping: no new jobs; letting running steps finish',
  );
  await Promise.all([slack?.close(), teams?.close()]);
  await engine.close();
  log.info('stopped');
};
