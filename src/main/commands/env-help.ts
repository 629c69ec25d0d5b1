import type { EnvName } from '../../config/env.ts';

/** Where a variable shows in `--help`, grouped by what it sets. */
type EnvGroup = 'Slack' | 'Microsoft Teams' | 'Config and store' | 'HTTP and logs' | 'Workers';

interface EnvHelp {
  readonly group: EnvGroup;
  /** One short line: what it sets, and its default when it has one. */
  readonly line: string;
}

const GROUPS: readonly EnvGroup[] = [
  'Slack',
  'Microsoft Teams',
  'Config and store',
  'HTTP and logs',
  'Workers',
];

/**
 * Every variable src/config/env.ts reads, as `hotfix serve --help` lists it; `null` for the ones serve does not
 * read. Typed by EnvName, so a variable added there cannot be missing here (`npm run typecheck`); the
 * import is of a type only, so `--help` still loads no zod.
 */
const SERVE_ENV: Readonly<Record<EnvName, EnvHelp | null>> = {
  SLACK_BOT_TOKEN: { group: 'Slack', line: 'xoxb-…: serve Slack (with one of the next two)' },
  SLACK_SIGNING_SECRET: { group: 'Slack', line: 'Slack over HTTP: POST /slack/events' },
  SLACK_APP_TOKEN: { group: 'Slack', line: 'xapp-…: Socket Mode instead (no public URL, no endpoint)' },
  SLACK_API_URL: { group: 'Slack', line: "Slack's Web API base (tests only)" },
  MicrosoftAppId: { group: 'Microsoft Teams', line: 'serve Teams: POST /api/messages' },
  MicrosoftAppPassword: { group: 'Microsoft Teams', line: "the bot's secret (not with UserAssignedMSI)" },
  MicrosoftAppTenantId: { group: 'Microsoft Teams', line: 'required for SingleTenant and UserAssignedMSI' },
  MicrosoftAppType: {
    group: 'Microsoft Teams',
    line: 'MultiTenant (default), SingleTenant, UserAssignedMSI',
  },
  HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: {
    group: 'Microsoft Teams',
    line: '1: Teams without MicrosoftAppId (local use only)',
  },
  HOTFIX_TEAMS_SERVICE_URL: {
    group: 'Microsoft Teams',
    line: "Bot Connector for new threads (default Microsoft's)",
  },
  HOTFIX_TEAMS_OPENID_METADATA_URL: {
    group: 'Microsoft Teams',
    line: "where Teams' token keys are read (tests only)",
  },
  HOTFIX_CONFIG: {
    group: 'Config and store',
    line: 'the config file (default ./hotfix.yml, else the bundled example)',
  },
  REDIS_URL: { group: 'Config and store', line: 'the store (default redis://127.0.0.1:6379)' },
  HOTFIX_AUDIT_KEY: {
    group: 'Config and store',
    line: 'required: HMAC key of the hash chain (openssl rand -hex 32)',
  },
  HOTFIX_REDIS_PREFIX: {
    group: 'Config and store',
    line: 'prefix of every key, to share one Redis (default none)',
  },
  HOTFIX_REDIS_MIN_REPLICAS: {
    group: 'Config and store',
    line: 'replicas an event must reach (default 1 under Sentinel, else 0)',
  },
  HOTFIX_REDIS_REPLICA_TIMEOUT: {
    group: 'Config and store',
    line: 'how long to wait for them (default 2s)',
  },
  PORT: { group: 'HTTP and logs', line: 'the HTTP port (default 3000)' },
  HOTFIX_METRICS_TOKEN: { group: 'HTTP and logs', line: '/metrics answers only Authorization: Bearer <it>' },
  LOG_LEVEL: { group: 'HTTP and logs', line: 'fatal, error, warn, info (default), debug, trace or silent' },
  HOTFIX_WORKER_CONCURRENCY: { group: 'Workers', line: 'jobs run at once (default 8)' },
  HOTFIX_STEP_TIMEOUT: { group: 'Workers', line: 'timeout of run steps that set none (default 10m)' },
  HOTFIX_JOB_LOCK: {
    group: 'Workers',
    line: "a dead worker's job is resumed after about this (default 30s)",
  },
  HOTFIX_SHUTDOWN_GRACE: {
    group: 'Workers',
    line: 'on SIGTERM, time for running steps to end (default 30s)',
  },
  // hotfix worker's own metrics listener; serve answers /metrics on PORT.
  HOTFIX_METRICS_PORT: null,
  HOTFIX_METRICS_HOST: null,
};

/** The names `hotfix serve` reads, in the order its help lists them. */
export const SERVE_ENV_NAMES: readonly EnvName[] = GROUPS.flatMap((group) =>
  (Object.keys(SERVE_ENV) as EnvName[]).filter((name) => SERVE_ENV[name]?.group === group),
);

/** The environment part of `hotfix serve --help`: the variables it reads, grouped, one short line each. */
export const serveEnvHelp = (): string => {
  const lines = ['', 'Environment (an empty value counts as unset):'];
  for (const group of GROUPS) {
    const names = SERVE_ENV_NAMES.filter((name) => SERVE_ENV[name]?.group === group);
    const width = Math.max(...names.map((name) => name.length));
    lines.push(`  ${group}${group === 'Workers' ? ' (unless --no-worker)' : ''}:`);
    for (const name of names) lines.push(`    ${name.padEnd(width)}  ${SERVE_ENV[name]?.line ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
};
