import type { Logger } from 'pino';
import type { MetricsServer } from '../metrics/http.ts';
import { startMetricsServer } from '../metrics/http.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { createEngine } from './engine.ts';
import { createLogger, logFormatFor } from './logger.ts';
import type { LoadedConfig } from './runtime.ts';
import { loadSettings, logConfigWarnings } from './runtime.ts';
import { cannotListen } from './startup-error.ts';
import { teamsServed } from './chat-platforms.ts';
import type { CliDeps } from './commands/command.ts';

export interface RunningWorker {
  readonly settings: LoadedConfig;
  readonly log: Logger;
  /** Where `/metrics` is served (HOTFIX_METRICS_HOST:HOTFIX_METRICS_PORT); undefined without a port. */
  readonly metrics: { readonly address: string; readonly port: number } | undefined;
  close(): Promise<void>;
}

/** `hotfix worker` started: its BullMQ workers, its notifiers when credentials are set, its metrics listener. */
export const startWorker = async (deps: CliDeps): Promise<RunningWorker> => {
  const settings = await loadSettings(deps.env);
  const { env } = settings;
  const log = createLogger({ level: env.LOG_LEVEL, format: logFormatFor(process.stdout) });
  logConfigWarnings(settings, log);
  const metrics = createMetrics({
    processMetrics: true,
    services: () => Object.keys(settings.config.services),
  });
  const engine = await createEngine({ ...settings, processEnv: deps.env, log, metrics });
  // Before any job is taken: a port already in use stops the worker at once, with the reason.
  let metricsServer: MetricsServer | undefined;
  if (env.HOTFIX_METRICS_PORT !== undefined) {
    try {
      metricsServer = await startMetricsServer({
        host: env.HOTFIX_METRICS_HOST,
        port: env.HOTFIX_METRICS_PORT,
        token: env.HOTFIX_METRICS_TOKEN,
        collect: () => metrics.registry.metrics(),
        log,
      });
    } catch (error) {
      await engine.close();
      throw cannotListen(
        {
          port: env.HOTFIX_METRICS_PORT,
          host: env.HOTFIX_METRICS_HOST,
          portVariable: 'HOTFIX_METRICS_PORT',
          hostSetting: 'HOTFIX_METRICS_HOST',
          note: '0 picks any free one',
        },
        error,
      );
    }
  }
  engine.startWorkers();
  // With Slack credentials, workers also project hotfixes onto Slack (replicas share that work), so a
  // `hotfix serve --no-worker --no-notifier` front does nothing but answer Slack.
  const botToken = settings.config.slack ? env.SLACK_BOT_TOKEN : undefined;
  const slack = botToken
    ? await (
        await import('./slack.ts')
      ).startSlack(settings, engine, log, botToken, { app: false, notifier: true })
    : undefined;
  // Likewise onto Teams, with Teams credentials and a teams section.
  const teams =
    settings.config.teams && teamsServed(env)
      ? await (await import('./teams-notifier.ts')).startTeamsNotifier(settings, engine, log)
      : undefined;
  const served =
    metricsServer === undefined ? undefined : { address: metricsServer.address, port: metricsServer.port };
  log.info(
    {
      config: settings.configPath,
      concurrency: env.HOTFIX_WORKER_CONCURRENCY,
      notifier: slack !== undefined,
      teamsNotifier: teams !== undefined,
      ...(served === undefined
        ? {}
        : { metrics: `http://${hostPart(served.address)}:${served.port}/metrics` }),
    },
    'hotfix worker started',
  );
  return {
    settings,
    log,
    metrics: served,
    async close() {
      log.info({ graceMs: env.HOTFIX_SHUTDOWN_GRACE }, 'stopping: no new jobs; letting running steps finish');
      await Promise.all([slack?.close(), teams?.close()]);
      await engine.close();
      await metricsServer?.close();
      log.info('stopped');
    },
  };
};

/** An IPv6 address in brackets, as in a URL. */
const hostPart = (address: string) => (address.includes(':') ? `[${address}]` : address);

/** `hotfix worker`: BullMQ workers only; run as many as needed, on as many machines as needed. */
export const runWorker = async (deps: CliDeps, signal?: AbortSignal): Promise<void> => {
  const worker = await startWorker(deps);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
};
