import { CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { EnvError } from '../config/env-error.ts';
import { buildProgram } from './program.ts';
import { StartupError } from './startup-error.ts';

// The process edge: the only place that reads process.env/argv and sets the exit code (bin/hotfix.js runs this).
const program = buildProgram({
  env: process.env,
  version: pkg.version,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode;
  else if (error instanceof EnvError) {
    process.stderr.write(`hotfix: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof StartupError) {
    for (const line of error.lines) process.stderr.write(`hotfix: ${line}\n`);
    process.exitCode = 1;
  } else throw error;
}
