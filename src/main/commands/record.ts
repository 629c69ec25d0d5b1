import { Option } from 'commander';
import type { RegisterCommand } from './command.ts';

// The implementation (src/main/record-cli.ts) is imported when the command runs: `hotfix --help` loads no Redis.

const PLAYGROUND_FLAG = '--playground [state-dir]';
const PLAYGROUND_HELP =
  "read the running playground's hotfixes (its Redis, keys, config and audit key, from <state-dir>/playground.json; default .hotfix)";

/** `--playground` alone means the playground started in this directory (PLAYGROUND_STATE_DIR, not imported: no zod for --help). */
const source = (playground: string | true | undefined) =>
  playground === undefined ? {} : { playground: playground === true ? '.hotfix' : playground };
export const registerRecordCommands: RegisterCommand = (program, deps) => {
  program
    .command('record')
    .description('print the deployment record of a hotfix (Markdown or JSON)')
    .argument('<hotfix-id>', 'e.g. HF-12')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option(PLAYGROUND_FLAG, PLAYGROUND_HELP)
    .action((hotfixId: string, options: { format: 'md' | 'json'; playground?: string | true }) =>
      import('../record-cli.ts').then((cli) =>
        cli.printRecord(hotfixId, options.format, deps, source(options.playground)),
      ),
    );
  program
    .command('verify')
    .description("check a hotfix's tamper-evident event chain")
    .argument('<hotfix-id>', 'e.g. HF-12')
    .option(
      '--record <file>',
      'also check it against its deployment record (Markdown or JSON), e.g. the file posted on close',
    )
    .option(PLAYGROUND_FLAG, PLAYGROUND_HELP)
    .action((hotfixId: string, options: { record?: string; playground?: string | true }) =>
      import('../record-cli.ts').then((cli) =>
        cli.verifyChain(hotfixId, deps, options.record, source(options.playground)),
      ),
    );
};
