import { readEnvVar } from '../config/env.ts';
import { renderConfigJsonSchema } from '../config/json-schema.ts';
import { formatProblem, loadConfigFile } from '../config/load.ts';
import { personsFormAdvice } from '../config/persons-form.ts';
import { describeConfig } from '../config/summary.ts';
import type { CliDeps } from './commands/command.ts';

/** `hotfix config check [file]`: one summary line, or every problem on its own line and exit code 1. */
export const checkConfig = async (file: string | undefined, deps: CliDeps): Promise<void> => {
  const path = file ?? readEnvVar(deps.env, 'HOTFIX_CONFIG');
  const result = await loadConfigFile(path);
  if (result.ok) {
    deps.stdout(`${path}: ok — ${describeConfig(result.config)}\n`);
    // Valid, so the exit code stays 0; but the role form cannot tell one human's Slack and Teams ids apart.
    const advice = personsFormAdvice(result.config);
    if (advice !== undefined) deps.stderr(`${path}: warning: ${advice.warning}\n\n${advice.yaml}`);
    return;
  }
  for (const problem of result.problems) deps.stderr(`${formatProblem(problem)}\n`);
  deps.setExitCode(1);
};

/** `hotfix config schema`: the JSON Schema of hotfix.yml. */
export const printConfigSchema = (deps: CliDeps): void => deps.stdout(renderConfigJsonSchema());
