import type { RegisterCommand } from './command.ts';

// The implementation (src/main/config-cli.ts) is imported when the command runs: `hotfix --help` loads no zod.
export const registerConfigCommands: RegisterCommand = (program, deps) => {
  const config = program.command('config').description('validate hotfix.yml, or print its JSON Schema');
  config
    .command('check')
    .description(
      'validate a config file: every problem with its line and YAML path, exit code 1 on any; a warning for each part of the hotfix process it leaves out',
    )
    .argument('[file]', 'the config file (default: $HOTFIX_CONFIG, else ./hotfix.yml)')
    .option('--strict', 'count the warnings as problems: exit code 1 when there is any')
    .action(async (file: string | undefined, options: { strict?: boolean }) =>
      (await import('../config-cli.ts')).checkConfig(file, deps, { strict: options.strict === true }),
    );
  config
    .command('schema')
    .description('print the JSON Schema of hotfix.yml, for editor completion')
    .action(async () => (await import('../config-cli.ts')).printConfigSchema(deps));
};
