import { readEnvVar } from '../../config/env.ts';
import { renderConfigJsonSchema } from '../../config/json-schema.ts';
import { formatProblem, loadConfigFile } from '../../config/load.ts';
import { personsFormAdvice } from '../../config/persons-form.ts';
import { describeConfig } from '../../config/summary.ts';
import type { CliDeps, RegisterCommand } from './command.ts';

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

export const registerConfigCommands: RegisterCommand = (program, deps) => {
  const config = program.command('config').description('validate hotfix.yml, or print its JSON Schema');
  config
    .command('check')
    .description('validate a config file: every problem with its line and YAML path; exit code 1 on any')
    .argument('[file]', 'the config file (default: $HOTFIX_CONFIG, else ./hotfix.yml)')
    .action((file: string | undefined) => checkConfig(file, deps));
  config
    .command('schema')
    .description('print the JSON Schema of hotfix.yml, for editor completion')
    .action(() => deps.stdout(renderConfigJsonSchema()));
};
