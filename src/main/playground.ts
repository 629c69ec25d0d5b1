import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { parseDocument } from 'yaml';
import { formatProblem, parseConfig } from '../config/load.ts';
import { readEnv } from '../config/env.ts';
import type { Person } from '../playground/index.ts';
import {
  DEFAULT_TEAMS_CHANNEL,
  PLAYGROUND_PATH,
  createPlayground,
  createPlaygroundGuard,
  newPlaygroundToken,
  teamsTenantFor,
  workspaceFromConfig,
} from '../playground/index.ts';
import type { SlackDelivery, SlackStandIn } from '../slack-stand-in/index.ts';
import { createSlackDelivery, createSlackStandIn } from '../slack-stand-in/index.ts';
import type { TeamsDelivery, TeamsStandIn } from '../teams-stand-in/index.ts';
import { createTeamsDelivery, createTeamsStandIn } from '../teams-stand-in/index.ts';
import type { CliDeps } from './commands/command.ts';
import { ensureRedis } from './local-redis.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError, loadSettings, logConfigWarnings, resolveConfigPath } from './runtime.ts';
import type { AppServer } from './serve.ts';
import { runUntilStopped, startAppServer } from './serve.ts';
import { createLogger, logFormatFor } from './logger.ts';
import {
  PLAYGROUND_AUDIT_KEY_FILE,
  PLAYGROUND_STATE_DIR,
  playgroundStateFile,
  recordHint,
  removePlaygroundState,
  writePlaygroundState,
} from './playground-state.ts';

export const PLAYGROUND_CONFIG = fileURLToPath(
  new URL('../../examples/playground/hotfix.yml', import.meta.url),
);

/** Put before HOTFIX_REDIS_PREFIX: the playground's hotfixes never mix with a real installation's. */
export const PLAYGROUND_REDIS_PREFIX = 'hotfix-playground:';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const WILDCARDS = ['0.0.0.0', '::', '[::]'];

/** Changes to the bundled config, as YAML paths and values: `[['policy', 'verification_period'], '5s']`. */
export type ConfigEdit = readonly (readonly [readonly (string | number)[], unknown])[];

export interface PlaygroundOptions {
  /** The address to listen on and print (default 127.0.0.1, this machine only). */
  readonly host?: string;
  /** Run the `run` and `http` steps of a team's own config for real (the bundled config's always run). */
  readonly live?: boolean;
  /** Changes to the bundled config before it is used (the demo shortens its waits). */
  readonly editConfig?: ConfigEdit;
  /**
   * Where a private redis-server keeps its data, the audit key is kept and `playground.json` tells
   * `hotfix record --playground` where the hotfixes are (default `.hotfix`).
   */
  readonly stateDir?: string;
}

export interface RunningPlayground extends AppServer {
  /** What to open: the page, with the per-start token. */
  readonly url: string;
  /** The address it listens on and answers for, as given (`127.0.0.1` unless `--host`). */
  readonly host: string;
  readonly settings: LoadedConfig;
  /** True when the config's `run` and `http` steps are shown, not run. */
  readonly dryRun: boolean;
  /** The Slack stand-in the bot talks to, and signed deliveries into the bot (the demo drives both). */
  readonly standIn: SlackStandIn;
  readonly delivery: SlackDelivery;
  /** The Bot Connector stand-in the bot posts Teams threads to, and activities into the bot as Teams sends them. */
  readonly teams: { readonly standIn: TeamsStandIn; readonly delivery: TeamsDelivery };
  /** Its state directory (see PlaygroundOptions.stateDir). */
  readonly stateDir: string;
  readonly log: Logger;
}

const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

/**
 * The bundled playground config checks hotfix's own `/healthz` on the default port: point those checks at the
 * address this playground really uses.
 */
const bundledConfig = async (
  origin: string,
  edit?: ConfigEdit,
): Promise<Pick<LoadedConfig, 'config' | 'policy'>> => {
  const text = (await readFile(PLAYGROUND_CONFIG, 'utf8')).replaceAll('http://127.0.0.1:3000/', `${origin}/`);
  const doc = parseDocument(text);
  for (const [path, value] of edit ?? []) doc.setIn(path, value);
  const parsed = parseConfig(edit ? doc.toString() : text, PLAYGROUND_CONFIG);
  if (!parsed.ok) throw new StartupError(parsed.problems.map(formatProblem));
  return { config: parsed.config, policy: parsed.policy };
};

/**
 * The playground's own HMAC key for the hash chain, made once and kept outside Redis in `.hotfix/audit-key`
 * (readable by this user only), so `hotfix verify` of earlier playground hotfixes keeps working.
 */
const playgroundAuditKey = async (dir: string): Promise<string> => {
  const file = join(dir, PLAYGROUND_AUDIT_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made = randomBytes(32).toString('hex');
  try {
    await writeFile(file, `${made}\n`, { flag: 'wx', mode: 0o600 });
    return made;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const kept = (await readFile(file, 'utf8')).trim();
  if (!/^\S{32,}$/.test(kept))
    throw new StartupError([
      `${file} is not a playground audit key (one word of 32 characters or more): remove it to make a new one`,
    ]);
  return kept;
};

/** The address to listen on, checked: a wildcard has no one address the guard could hold requests to. */
const listenHost = (host: string | undefined): string => {
  const chosen = host?.trim() || '127.0.0.1';
  if (WILDCARDS.includes(chosen))
    throw new StartupError([
      `--host ${chosen} listens everywhere, but the playground answers only requests for the address it prints: give this machine's address or name instead`,
    ]);
  return chosen;
};

/**
 * `hotfix playground`: the real bot and workers against a Slack stand-in inside the process (a generated
 * signing secret and token), reachable only from this machine unless `host` says otherwise, and only with the
 * per-start token in the printed URL. Redis is REDIS_URL or a private redis-server under `.hotfix/`, its keys
 * always under `hotfix-playground:`. The config is the team's (HOTFIX_CONFIG or ./hotfix.yml), whose `run`
 * and `http` steps are then shown, not run, unless `live`; else the bundled playground config.
 */
export const startPlayground = async (
  options: PlaygroundOptions,
  deps: CliDeps,
): Promise<RunningPlayground> => {
  const host = listenHost(options.host);
  const stateDir = options.stateDir ?? PLAYGROUND_STATE_DIR;
  const raw = {
    ...deps.env,
    // Never a real workspace's credentials: the bot talks to the stand-in only.
    SLACK_BOT_TOKEN: undefined,
    SLACK_SIGNING_SECRET: undefined,
    SLACK_APP_TOKEN: undefined,
    SLACK_API_URL: undefined,
    // Nor a real tenant's: Teams is the local stand-in, in the local mode (no app id, no token either way).
    MicrosoftAppId: undefined,
    MicrosoftAppPassword: undefined,
    MicrosoftAppTenantId: undefined,
    MicrosoftAppType: undefined,
    HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: '1',
    HOTFIX_TEAMS_OPENID_METADATA_URL: undefined,
    HOTFIX_TEAMS_SERVICE_URL: undefined,
    HOTFIX_REDIS_PREFIX: `${PLAYGROUND_REDIS_PREFIX}${deps.env.HOTFIX_REDIS_PREFIX ?? ''}`,
    HOTFIX_AUDIT_KEY: deps.env.HOTFIX_AUDIT_KEY || (await playgroundAuditKey(stateDir)),
  };
  const env = readEnv(raw);
  const logFormat = logFormatFor(process.stdout);
  const log = createLogger({ level: env.LOG_LEVEL, format: logFormat });
  const origin = `http://${urlHost(host)}:${env.PORT}`;
  const { path, bundled } = await resolveConfigPath(raw, env);
  const ownConfig = !bundled && resolve(path) !== PLAYGROUND_CONFIG;
  const loaded: LoadedConfig = ownConfig
    ? await loadSettings(raw)
    : {
        env,
        ...(await bundledConfig(origin, options.editConfig)),
        configPath: PLAYGROUND_CONFIG,
        bundled: false,
        // The playground's own config passes `hotfix config check --strict` (a test says so).
        warnings: [],
      };
  // Rehearsing a team's config: what it leaves out of the process is worth saying here too.
  logConfigWarnings(loaded, log);
  const dryRun = ownConfig && !options.live;

  const { workspace, people, channel } = workspaceFromConfig(loaded.config);
  const botToken = `xoxb-playground-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const standIn = createSlackStandIn({ workspace, botToken });
  const delivery = createSlackDelivery({ standIn, url: `${origin}/slack/events`, signingSecret });
  const teamsChannel = loaded.config.teams?.incident_channel ?? DEFAULT_TEAMS_CHANNEL;
  const { tenant, skipped } = teamsTenantFor(people as Person[], teamsChannel);
  let teamsStandIn: TeamsStandIn;
  try {
    teamsStandIn = createTeamsStandIn({ tenant });
  } catch (error) {
    throw new StartupError([
      `the playground cannot play Teams with this config: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  for (const { person, id } of skipped)
    log.warn(
      { person: person.name, id },
      'this Teams id is neither an Entra object id nor a 29: id: the person acts in the Slack view only',
    );
  const token = newPlaygroundToken();
  // The app's /api/messages takes activities without a token (the local mode): the guard keeps it behind the
  // playground's own token, which only this delivery (and so only the page, through the playground) carries.
  const teamsDelivery = createTeamsDelivery({
    standIn: teamsStandIn,
    url: `${origin}/api/messages?token=${encodeURIComponent(token)}`,
  });
  const page = createPlayground({
    standIn,
    delivery,
    people: people as Person[],
    channel,
    teams: { standIn: teamsStandIn, delivery: teamsDelivery, channel: teamsChannel },
    log,
  });
  let redis;
  try {
    redis = await ensureRedis({ url: env.REDIS_URL, dir: stateDir, log });
  } catch (error) {
    page.close();
    throw new StartupError([error instanceof Error ? error.message : String(error)]);
  }
  let apiUrl: string;
  let serviceUrl: string;
  try {
    apiUrl = await standIn.start();
    serviceUrl = await teamsStandIn.start();
  } catch (error) {
    page.close();
    await standIn.stop().catch(() => undefined);
    await redis.stop();
    throw error;
  }
  const settings: LoadedConfig = {
    ...loaded,
    // A config written for one platform still plays both here: its hotfixes go to the playground's channels.
    config: {
      ...loaded.config,
      slack: loaded.config.slack ?? { incident_channel: channel, channel_per_hotfix: false },
      teams: loaded.config.teams ?? { incident_channel: teamsChannel },
    },
    env: {
      ...loaded.env,
      REDIS_URL: redis.url,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: apiUrl,
      HOTFIX_TEAMS_SERVICE_URL: serviceUrl,
    },
  };
  const guard = createPlaygroundGuard({
    origin,
    aliases: LOOPBACK.includes(host) ? LOOPBACK.map((name) => `http://${urlHost(name)}:${env.PORT}`) : [],
    token,
    open: ['/healthz', '/readyz', '/slack/events'],
  });
  const app = await startAppServer({
    settings,
    processEnv: deps.env,
    botToken,
    teams: {},
    worker: true,
    notifier: true,
    dryRunSteps: dryRun,
    host,
    log,
    logFormat,
    routes: (req, res) => {
      if (guard(req, res) || page(req, res)) return true;
      if (req.method === 'GET' && new URL(req.url ?? '/', origin).pathname === '/') {
        res.writeHead(302, { location: PLAYGROUND_PATH }).end();
        return true;
      }
      return false;
    },
    cleanup: async () => {
      page.close();
      await standIn.stop();
      await teamsStandIn.stop();
      await redis.stop();
    },
  });
  // Now that it serves: `hotfix record --playground` finds its Redis (perhaps private), prefix, config and key.
  await writePlaygroundState(stateDir, {
    pid: process.pid,
    redisUrl: redis.url,
    prefix: env.HOTFIX_REDIS_PREFIX,
    config: resolve(settings.configPath),
    auditKeyFile: deps.env.HOTFIX_AUDIT_KEY ? null : resolve(stateDir, PLAYGROUND_AUDIT_KEY_FILE),
  }).catch(async (error: unknown) => {
    await app.close();
    throw new StartupError([
      `cannot write ${playgroundStateFile(stateDir)}: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  });
  log.info(
    { port: app.port, host, config: settings.configPath, dryRun, prefix: env.HOTFIX_REDIS_PREFIX },
    `hotfix playground listening on ${origin}`,
  );
  return {
    ...app,
    url: `${origin}${PLAYGROUND_PATH}?token=${token}`,
    host,
    settings,
    dryRun,
    standIn,
    delivery,
    teams: { standIn: teamsStandIn, delivery: teamsDelivery },
    stateDir,
    log,
    async close() {
      log.info('shutting down');
      await removePlaygroundState(stateDir, process.pid);
      await app.close();
    },
  };
};

/** What the playground says at start-up: where to go, what it runs, and what it shares. */
const banner = (running: RunningPlayground): string => {
  const config = running.settings.configPath;
  const steps = running.dryRun
    ? `  dry run: the run and http steps of ${config} are shown, not run; --live runs them`
    : running.settings.configPath === PLAYGROUND_CONFIG
      ? `  config ${config}: its steps run the small example scripts`
      : `  live: the run and http steps of ${config} run for real, from this machine`;
  return [
    '',
    `hotfix playground: open ${running.url}`,
    '  the real bot and pipelines, Slack and Teams played locally; the URL carries this start’s access token',
    steps,
    `  Redis ${running.settings.env.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}, keys under ${running.settings.env.HOTFIX_REDIS_PREFIX}`,
    `  a deployment record, from this directory while the playground runs: ${recordHint(running.stateDir)}`,
    ...(LOOPBACK.includes(running.host)
      ? []
      : [
          `  warning: listening on ${running.host}: anyone who can reach that address and has the URL can act as anyone in the config`,
        ]),
    '',
    '',
  ].join('\n');
};

/** `hotfix playground`: runs until SIGTERM/SIGINT (or `signal`). */
export const playground = async (
  options: PlaygroundOptions,
  deps: CliDeps,
  signal?: AbortSignal,
): Promise<void> => {
  const running = await startPlayground(options, deps);
  if (!LOOPBACK.includes(running.host))
    running.log.warn(
      { host: running.host },
      'the playground listens beyond this machine: anyone who can reach it and has the URL can act as anyone',
    );
  deps.stdout(banner(running));
  await runUntilStopped(running, signal);
};
