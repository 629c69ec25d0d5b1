import { readEnvVar } from '../config/env.ts';
import { renderConfigJsonSchema } from '../config/json-schema.ts';
import { formatProblem, loadConfigFile } from '../config/load.ts';
import type { Problem } from '../config/load.ts';
import { personsFormAdvice } from '../config/persons-form.ts';
import { describeConfig } from '../config/summary.ts';
import type { CliDeps } from './commands/command.ts';

export interface CheckOptions {
  /** Count the warnings (a part of the process left out, one human as two people) as problems. */
  readonly strict?: boolean;
}

/** `hotfix.yml:40 policy.signoffs: warning: no role signs…`: a problem's line, marked as a warning. */
const formatWarning = ({ message, ...at }: Problem): string =>
  formatProblem({ ...at, message: `warning: ${message}` });

const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * `hotfix config check [file] [--strict]`: one summary line, then a line per warning (exit code 0); or every
 * problem on its own line (exit code 1). With `--strict`, warnings are printed the same way and make the exit
 * code 1, with a last line saying so.
 */
export const checkConfig = async (
  file: string | undefined,
  deps: CliDeps,
  options: CheckOptions = {},
): Promise<void> => {
  const path = file ?? readEnvVar(deps.env, 'HOTFIX_CONFIG');
  const result = await loadConfigFile(path);
  if (!result.ok) {
    for (const problem of result.problems) deps.stderr(`${formatProblem(problem)}\n`);
    deps.setExitCode(1);
    return;
  }
  // The role form cannot tell one human's Slack and Teams ids apart: valid, but a warning like the others.
  const advice = personsFormAdvice(result.config);
  const warnings = result.warnings.length + (advice === undefined ? 0 : 1);
  if (!options.strict || warnings === 0) deps.stdout(`${path}: ok — ${describeConfig(result.config)}\n`);
  for (const warning of result.warnings) deps.stderr(`${formatWarning(warning)}\n`);
  if (advice !== undefined) deps.stderr(`${path}: warning: ${advice.warning}\n\n${advice.yaml}`);
  if (options.strict && warnings > 0) {
    deps.stderr(`${path}: not ok under --strict: ${count(warnings, 'warning')}, each counted as a problem\n`);
    deps.setExitCode(1);
  }
};

/** `hotfix config schema`: the JSON Schema of hotfix.yml. */
export const printConfigSchema = (deps: CliDeps): void => deps.stdout(renderConfigJsonSchema());
