import type { Command } from 'commander';

/** What a CLI command may touch; tests pass plain objects. */
export interface CliDeps {
  /** The process environment, read through src/config/env.ts only. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Commands report failure through the exit code; nothing below src/main/cli.ts exits the process. */
  readonly setExitCode: (code: number) => void;
}

/** A command module adds its command (and subcommands) to the program; see program.ts. */
export type RegisterCommand = (program: Command, deps: CliDeps) => void;
