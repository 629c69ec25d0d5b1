import { Command } from 'commander';
import type { CliDeps, RegisterCommand } from './commands/command.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerPlaygroundCommand } from './commands/playground.ts';
import { registerRecordCommands } from './commands/record.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTeamsCommands } from './commands/teams.ts';
import { registerWorkerCommand } from './commands/worker.ts';

/** Every top-level command, in the order `hotfix --help` lists them. Add a new one here. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerServeCommand,
  registerPlaygroundCommand,
  registerWorkerCommand,
  registerRecordCommands,
  registerConfigCommands,
  registerTeamsCommands,
  registerDemoCommand,
];

/**
 * The `hotfix` program. Commander's own exits (help, version, usage errors) become thrown
 * CommanderErrors (exitOverride) that src/main/cli.ts turns into the exit code.
 */
export const buildProgram = (deps: CliDeps, commands: readonly RegisterCommand[] = COMMANDS): Command => {
  const program = new Command('hotfix')
    .description("runs a team's hot fix release from Slack or Microsoft Teams")
    .version(deps.version)
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showHelpAfterError('(run hotfix --help for usage)');
  for (const register of commands) register(program, deps);
  return program;
};
