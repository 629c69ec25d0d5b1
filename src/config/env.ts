import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { EnvError } from './env-error.ts';
import { parseRedisUrl, redactRedisUrl } from './redis-url.ts';

export { EnvError };

const parseDurationOrNull = (text: string): number | null => {
  try {
    return parseDuration(text);
  } catch {
    return null;
  }
};

/**
 * The process environment (PRODUCT.md §2). This module is the only reader of environment values:
 * composition roots pass `process.env` in. An empty value counts as unset (`SLACK_BOT_TOKEN=` in a
 * .env file), so defaults and "required when" rules treat both alike.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** Never echoed back in an error message. */
const SECRETS: ReadonlySet<string> = new Set([
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'MicrosoftAppPassword',
  'HOTFIX_AUDIT_KEY',
  'HOTFIX_METRICS_TOKEN',
]);

const mustBe = (what: string) => ({ error: `must be ${what}` });

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https, or http on this machine only (tests, the playground): tokens and cards never cross a network in clear. */
const httpsOrLoopback = (text: string): boolean => {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
};

const HTTPS_OR_LOOPBACK = mustBe(
  'an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground)',
);

const token = (prefix: string, what: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}\\S+$`), mustBe(`${what} (${prefix}…)`))
    .optional();

const PORT_RULE = mustBe('a port number (1-65535)');
const METRICS_PORT_RULE = mustBe('a port number (1-65535; 0 for any free port)');
/** An IP address or a host name (letters, digits, dots and hyphens). */
const HOST_RULE = mustBe('an IP address (127.0.0.1, 0.0.0.0, ::) or a host name');
const isHost = (text: string) =>
  isIP(text) !== 0 ||
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(text);

const duration = (fallback: string, minimum?: { readonly ms: number; readonly why: string }) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDurationOrNull(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s or 10m' });
        return z.NEVER;
      }
      if (minimum !== undefined && ms < minimum.ms) {
        ctx.addIssue({ code: 'custom', message: minimum.why });
        return z.NEVER;
      }
      return ms;
    });

const variables = {
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, PORT_RULE)
    .transform(Number)
    .refine((port) => port >= 1 && port <= 65_535, PORT_RULE)
    .default(3000),
  /** One server, Sentinel or Cluster: see src/config/redis-url.ts for the shapes. */
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((text, ctx) => {
      const parsed = parseRedisUrl(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
    }),
  HOTFIX_CONFIG: z.string().default('./hotfix.yml'),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^\S+$/, mustBe("the Slack app's signing secret, without spaces"))
    .optional(),
  SLACK_BOT_TOKEN: token('xoxb-', 'a Slack bot token'),
  /** Set: Socket Mode (no public URL needed). */
  SLACK_APP_TOKEN: token('xapp-', 'a Slack app-level token'),
  /** Web API base; tests point it at a local stand-in. */
  SLACK_API_URL: z.string().refine(httpsOrLoopback, HTTPS_OR_LOOPBACK).optional(),
  MicrosoftAppId: z.string().regex(/^\S+$/, mustBe("the bot's app id, without spaces")).optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppTenantId: z.string().regex(/^\S+$/, mustBe('a tenant id, without spaces')).optional(),
  MicrosoftAppType: z
    .enum(TEAMS_APP_TYPES, mustBe(`one of ${TEAMS_APP_TYPES.join(', ')}`))
    .default('MultiTenant'),
  /** Local use only: accept Teams calls without a bot app id. */
  HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: z
    .enum(['0', '1'], mustBe('0 or 1'))
    .transform((flag) => flag === '1')
    .default(false),
  /**
   * Where the Teams channel's OpenID metadata (the keys that sign inbound tokens) is read; Bot Framework's by
   * default. Tests point it at a local stand-in: never set it in production.
   */
  HOTFIX_TEAMS_OPENID_METADATA_URL: z.string().refine(httpsOrLoopback, HTTPS_OR_LOOPBACK).optional(),
  /**
   * The Bot Connector the bot posts hotfix threads to: the public cloud's global endpoint by default (what
   * Microsoft documents for proactive messages); a sovereign cloud's, or a stand-in's in tests.
   */
  HOTFIX_TEAMS_SERVICE_URL: z
    .string()
    .refine(httpsOrLoopback, HTTPS_OR_LOOPBACK)
    .default('https://smba.trafficmanager.net/teams/'),
  /**
   * `hotfix worker` serves Prometheus' `/metrics` on this port (unset: no metrics listener, so several workers
   * on one machine never collide). `hotfix serve` answers `/metrics` on its own PORT.
   */
  HOTFIX_METRICS_PORT: z
    .string()
    .regex(/^\d{1,5}$/, METRICS_PORT_RULE)
    .transform(Number)
    .refine((port) => port <= 65_535, METRICS_PORT_RULE)
    .optional(),
  /** The address `hotfix worker`'s metrics listener binds: this machine only unless it says otherwise. */
  HOTFIX_METRICS_HOST: z.string().refine(isHost, HOST_RULE).default('127.0.0.1'),
  /** When set, `/metrics` (serve's and the worker's) answers only a scrape with `Authorization: Bearer <token>`. */
  HOTFIX_METRICS_TOKEN: z
    .string()
    .min(16, mustBe('at least 16 characters'))
    .regex(/^[\x21-\x7e]+$/, mustBe('one word of printable ASCII (it travels in an HTTP header)'))
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, mustBe(`one of ${LOG_LEVELS.join(', ')}`)).default('info'),
  /**
   * The HMAC-SHA256 key of the event store's hash chain: whoever can write to Redis but does not hold it
   * cannot rewrite history unnoticed. Never stored in Redis, never logged.
   */
  HOTFIX_AUDIT_KEY: z
    .string()
    .min(32, mustBe('at least 32 characters (generate one with: openssl rand -hex 32)'))
    .regex(/^\S+$/, mustBe('one word, without spaces (generate one with: openssl rand -hex 32)'))
    .optional(),
  /** Prepended to every Redis key, so installations (and test suites) can share one Redis. */
  HOTFIX_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:-]*$/, mustBe('letters, digits and . _ : - only (no braces)'))
    .default(''),
  /**
   * Replicas that must hold an appended event before the command counts as recorded (Redis WAIT): unset, 1
   * under Sentinel (a failover must not lose an acknowledged event) and 0 otherwise (no replica to wait for).
   */
  HOTFIX_REDIS_MIN_REPLICAS: z
    .string()
    .regex(/^\d$/, mustBe('a whole number from 0 to 9'))
    .transform(Number)
    .optional(),
  /** How long an append waits for those replicas before the command fails as not recorded durably. */
  HOTFIX_REDIS_REPLICA_TIMEOUT: duration('2s'),
  /** Jobs one worker process runs at once (steps of different hotfixes run in parallel). */
  HOTFIX_WORKER_CONCURRENCY: z
    .string()
    .regex(/^\d+$/, mustBe('a whole number from 1 to 1000'))
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, mustBe('a whole number from 1 to 1000'))
    .default(8),
  /** How long a worker's claim on a job lasts without renewal: a dead worker's job is resumed after about this. */
  HOTFIX_JOB_LOCK: duration('30s', {
    ms: 1_000,
    // A dead worker's step guard ends the step within about half a second; the lock must outlast that.
    why: "must be at least 1s, so a dead worker's step has ended before another worker resumes it",
  }),
  /** On SIGTERM, how long running steps may take to finish before they are stopped and handed back. */
  HOTFIX_SHUTDOWN_GRACE: duration('30s'),
  /** Timeout of run steps that set none. */
  HOTFIX_STEP_TIMEOUT: duration('10m'),
};

export type EnvName = keyof typeof variables;
const NAMES = Object.keys(variables) as EnvName[];

/** Settings that only make sense together; each message starts after the variable's name. */
const envSchema = z.object(variables).superRefine((env, ctx) => {
  const need = (name: EnvName, because: string) =>
    ctx.addIssue({ code: 'custom', path: [name], message: `is required ${because}` });
  if (env.SLACK_BOT_TOKEN === undefined) {
    if (env.SLACK_APP_TOKEN !== undefined) need('SLACK_BOT_TOKEN', 'when SLACK_APP_TOKEN is set');
    else if (env.SLACK_SIGNING_SECRET !== undefined)
      need('SLACK_BOT_TOKEN', 'when SLACK_SIGNING_SECRET is set');
  } else if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
    need('SLACK_SIGNING_SECRET', 'to verify Slack requests (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (env.MicrosoftAppId === undefined) {
    if (env.MicrosoftAppPassword !== undefined) need('MicrosoftAppId', 'when MicrosoftAppPassword is set');
  } else {
    if (env.MicrosoftAppType !== 'UserAssignedMSI' && env.MicrosoftAppPassword === undefined)
      need('MicrosoftAppPassword', `when MicrosoftAppId is set (MicrosoftAppType ${env.MicrosoftAppType})`);
    if (env.MicrosoftAppType !== 'MultiTenant' && env.MicrosoftAppTenantId === undefined)
      need('MicrosoftAppTenantId', `when MicrosoftAppType is ${env.MicrosoftAppType}`);
  }
});

/** Settings whose default depends on another one. */
const withDefaults = envSchema.transform((env) => ({
  ...env,
  HOTFIX_REDIS_MIN_REPLICAS:
    env.HOTFIX_REDIS_MIN_REPLICAS ??
    (env.REDIS_URL.startsWith('redis+sentinel:') || env.REDIS_URL.startsWith('rediss+sentinel:') ? 1 : 0),
}));

export type Env = z.output<typeof withDefaults>;

const shown = (name: string, value: string | undefined): string => {
  if (value === undefined || SECRETS.has(name)) return '';
  // A Redis URL may carry a password.
  return `, got ${JSON.stringify(redactRedisUrl(value))}`;
};

const pick = (env: Readonly<Record<string, string | undefined>>, names: readonly EnvName[]) =>
  Object.fromEntries(names.map((name) => [name, env[name] === '' ? undefined : env[name]]));

const fail = (issues: readonly z.core.$ZodIssue[], input: Record<string, string | undefined>): never => {
  throw new EnvError(
    issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} ${issue.message}${shown(name, input[name])}`;
    }),
  );
};

/** Parses the environment, with defaults applied; throws EnvError naming every malformed variable. */
export const readEnv = (env: Readonly<Record<string, string | undefined>>): Env => {
  const input = pick(env, NAMES);
  const result = withDefaults.safeParse(input);
  return result.success ? result.data : fail(result.error.issues, input);
};

/** One variable alone, for commands that need no more (`hotfix config check` reads HOTFIX_CONFIG only). */
export const readEnvVar = <Name extends EnvName>(
  env: Readonly<Record<string, string | undefined>>,
  name: Name,
): z.output<(typeof variables)[Name]> => {
  const input = pick(env, [name]);
  const result = variables[name].safeParse(input[name]);
  if (result.success) return result.data as z.output<(typeof variables)[Name]>;
  return fail(
    result.error.issues.map((issue) => ({ ...issue, path: [name] })),
    input,
  );
};
