import { Option } from 'commander';
import { buildRecord, renderRecordJson, renderRecordMarkdown } from '../../domain/hotfix/record.ts';
import { loadSettings, openStore } from '../runtime.ts';
import type { CliDeps, RegisterCommand } from './command.ts';

/** `hotfix record <id>`: the deployment record, rebuilt from the event stream and its verified hash chain. */
export const printRecord = async (hotfixId: string, format: 'md' | 'json', deps: CliDeps): Promise<void> => {
  const settings = await loadSettings(deps.env);
  const { store, close } = await openStore(settings.env);
  try {
    const { events } = await store.load(hotfixId);
    if (events.length === 0) {
      deps.stderr(`hotfix: ${hotfixId} does not exist (hotfix ids look like HF-12).\n`);
      deps.setExitCode(1);
      return;
    }
    const chain = await store.verify(hotfixId);
    const record = buildRecord(
      events.map((e) => e.event),
      {
        timezone: settings.config.timezone,
        signoffRoles: settings.policy.signoffs,
        ...(chain.ok ? { chain: { head: chain.head, count: chain.count } } : {}),
      },
    );
    deps.stdout(format === 'json' ? renderRecordJson(record) : renderRecordMarkdown(record));
    if (!chain.ok) {
      deps.stderr(
        `hotfix: warning: ${hotfixId} hash chain is broken at event ${chain.position}: ${chain.reason}\n`,
      );
      deps.setExitCode(2);
    }
  } finally {
    await close();
  }
};

/** `hotfix verify <id>`: proves the hotfix's event chain intact, or names the first event that is not. */
export const verifyChain = async (hotfixId: string, deps: CliDeps): Promise<void> => {
  const settings = await loadSettings(deps.env);
  const { store, close } = await openStore(settings.env);
  try {
    const result = await store.verify(hotfixId);
    if (result.ok && result.count === 0) {
      deps.stderr(`hotfix: ${hotfixId} does not exist.\n`);
      deps.setExitCode(1);
    } else if (result.ok) {
      deps.stdout(`${hotfixId}: ${result.count} events, hash chain intact (head ${result.head})\n`);
    } else {
      deps.stderr(`${hotfixId}: hash chain broken at event ${result.position}: ${result.reason}\n`);
      deps.setExitCode(1);
    }
  } finally {
    await close();
  }
};

export const registerRecordCommands: RegisterCommand = (program, deps) => {
  program
    .command('record')
    .description('print the deployment record of a hotfix (Markdown or JSON)')
    .argument('<hotfix-id>', 'e.g. HF-12')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .action((hotfixId: string, options: { format: 'md' | 'json' }) =>
      printRecord(hotfixId, options.format, deps),
    );
  program
    .command('verify')
    .description("check a hotfix's tamper-evident event chain")
    .argument('<hotfix-id>', 'e.g. HF-12')
    .action((hotfixId: string) => verifyChain(hotfixId, deps));
};
