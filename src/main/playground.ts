import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { formatProblem, parseConfig } from '../config/load.ts';
import { readEnv } from '../config/env.ts';
import { parseDocument } from 'yaml';
import type { PlaygroundHandler, Person } from '../playground/index.ts';
import { createPlayground, workspaceFromConfig } from '../playground/index.ts';
import type { SlackDelivery, SlackStandIn } from '../slack-stand-in/index.ts';
import { createSlackDelivery, createSlackStandIn } from '../slack-stand-in/index.ts';
import { ensureRedis } from './local-redis.ts';
import type { LoadedConfig } from './runtime.ts';
import { StartupError, loadSettings, resolveConfigPath } from './runtime.ts';

export const PLAYGROUND_CONFIG = fileURLToPath(
  new URL('../../examples/playground/hotfix.yml', import.meta.url),
);

/** Changes to the bundled config, as YAML paths and values: `[['policy', 'verification_period'], '5s']`. */
export type ConfigEdit = readonly (readonly [readonly (string | number)[], unknown])[];

export interface Playground {
  /** Settings with the playground's Redis and the stand-in's Slack credentials filled in. */
  readonly settings: LoadedConfig;
  readonly botToken: string;
  readonly standIn: SlackStandIn;
  /** Mounts the page once the server listens on `port` (the page delivers to `/slack/events` there). */
  mount(port: number): { readonly page: PlaygroundHandler; readonly delivery: SlackDelivery };
  stop(): Promise<void>;
}

/**
 * The bundled playground config checks hotfix's own `/healthz` on the default port: point those checks at the
 * port this server really uses.
 */
const bundledConfig = async (
  port: number,
  edit?: ConfigEdit,
): Promise<Pick<LoadedConfig, 'config' | 'policy'>> => {
  const text = (await readFile(PLAYGROUND_CONFIG, 'utf8')).replaceAll(
    'http://127.0.0.1:3000/',
    `http://127.0.0.1:${port}/`,
  );
  const doc = parseDocument(text);
  for (const [path, value] of edit ?? []) doc.setIn(path, value);
  const parsed = parseConfig(edit ? doc.toString() : text, PLAYGROUND_CONFIG);
  if (!parsed.ok) throw new StartupError(parsed.problems.map(formatProblem));
  return { config: parsed.config, policy: parsed.policy };
};

/**
 * `npm start` with no Slack credentials: the real bot against a Slack stand-in inside the process, with a
 * generated signing secret and token, Redis from REDIS_URL or a private redis-server under `.hotfix/`, and
 * the team's hotfix.yml (HOTFIX_CONFIG or ./hotfix.yml) or the bundled playground config.
 */
export const preparePlayground = async (
  raw: Readonly<Record<string, string | undefined>>,
  log: Logger,
  edit?: ConfigEdit,
): Promise<Playground> => {
  const env = readEnv(raw);
  const { bundled } = await resolveConfigPath(raw, env);
  const loaded = bundled
    ? { env, ...(await bundledConfig(env.PORT, edit)), configPath: PLAYGROUND_CONFIG, bundled: false }
    : await loadSettings(raw);
  let redis;
  try {
    redis = await ensureRedis({ url: env.REDIS_URL, dir: '.hotfix', log });
  } catch (error) {
    throw new StartupError([error instanceof Error ? error.message : String(error)]);
  }
  const { workspace, people, channel } = workspaceFromConfig(loaded.config);
  const botToken = `xoxb-playground-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const standIn = createSlackStandIn({ workspace, botToken });
  const apiUrl = await standIn.start();
  const settings: LoadedConfig = {
    ...loaded,
    // A team config written for Teams only still plays here: its hotfixes go to the playground's channel.
    config: loaded.config.slack
      ? loaded.config
      : { ...loaded.config, slack: { incident_channel: channel, channel_per_hotfix: false } },
    env: { ...loaded.env, REDIS_URL: redis.url, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: apiUrl },
  };
  let page: PlaygroundHandler | undefined;
  return {
    settings,
    botToken,
    standIn,
    mount(port) {
      const delivery = createSlackDelivery({
        standIn,
        url: `http://127.0.0.1:${port}/slack/events`,
        signingSecret,
      });
      page = createPlayground({ standIn, delivery, people: people as Person[], channel, log });
      return { page, delivery };
    },
    async stop() {
      page?.close();
      await standIn.stop();
      await redis.stop();
    },
  };
};
