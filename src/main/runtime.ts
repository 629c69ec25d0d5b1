import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Env } from '../config/env.ts';
import { readEnv } from '../config/env.ts';
import type { Config } from '../config/load.ts';
import type { Problem } from '../config/load.ts';
import { formatProblem, loadConfigFile } from '../config/load.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import { StartupError } from './startup-error.ts';

export { StartupError };

/** Bundled so `npm start` works on a fresh clone before the team writes its own hotfix.yml. */
export const BUNDLED_CONFIG = fileURLToPath(new URL('../../config/hotfix.example.yml', import.meta.url));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Which config file to use: $HOTFIX_CONFIG when set (it must exist), else ./hotfix.yml, else the bundled
 * example — said out loud, so nobody runs the example by mistake.
 */
export const resolveConfigPath = async (
  raw: Readonly<Record<string, string | undefined>>,
  env: Env,
): Promise<{ path: string; bundled: boolean }> => {
  if (raw.HOTFIX_CONFIG) return { path: env.HOTFIX_CONFIG, bundled: false };
  if (await exists(env.HOTFIX_CONFIG)) return { path: env.HOTFIX_CONFIG, bundled: false };
  return { path: BUNDLED_CONFIG, bundled: true };
};

export interface LoadedConfig {
  readonly env: Env;
  readonly config: Config;
  readonly policy: Policy;
  readonly configPath: string;
  readonly bundled: boolean;
  /** What the config leaves out of the hotfix process: valid, but said at start-up (`hotfix config check`). */
  readonly warnings: readonly Problem[];
}

/** The validation every process does at start-up: environment, then hotfix.yml. */
export const loadSettings = async (
  raw: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> => {
  const env = readEnv(raw);
  const { path, bundled } = await resolveConfigPath(raw, env);
  const result = await loadConfigFile(path);
  if (!result.ok) throw new StartupError(result.problems.map(formatProblem));
  return {
    env,
    config: result.config,
    policy: result.policy,
    configPath: path,
    bundled,
    warnings: result.warnings,
  };
};

/**
 * Says at start-up, one log line each, what the config leaves out of the process (no sign-off role, a service
 * nothing monitors…): a process that deploys should not keep that to `hotfix config check`.
 */
export const logConfigWarnings = (
  settings: Pick<LoadedConfig, 'warnings'>,
  log: { warn(obj: object, msg: string): void },
): void => {
  for (const warning of settings.warnings)
    log.warn(
      { hint: '`hotfix config check --strict` makes these errors' },
      `config warning: ${formatProblem(warning)}`,
    );
};

/**
 * HOTFIX_AUDIT_KEY, for a process that appends events (serve, worker): there is no unkeyed fallback, so
 * without it start-up stops with one line.
 */
export const requireAuditKey = (env: Env): string => {
  if (env.HOTFIX_AUDIT_KEY === undefined)
    throw new StartupError([
      "HOTFIX_AUDIT_KEY is not set: it keys the audit trail's hash chain (HMAC-SHA256). Generate one with `openssl rand -hex 32` and give every serve and worker process the same one",
    ]);
  return env.HOTFIX_AUDIT_KEY;
};
