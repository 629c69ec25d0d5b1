import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { deploymentHash } from '../../src/domain/hotfix/plan.ts';
import type { Policy, StepSpec, StepTag } from '../../src/domain/hotfix/policy.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { play } from './given.ts';
import { people, plan, policy } from './fixtures/policy.ts';
import { exampleSpec } from './fixtures/specs.ts';
import { cmd } from './scenarios.ts';

/*
 * The record's database changes and restarted services are facts of what ran: the steps of the deploy runs
 * that succeeded, read by their recorded tags (or, in runs recorded without any, by `when: database_changes`
 * and a restart's name).
 */

const spec = (name: string, tags: StepTag[], extra: { when?: StepSpec['when'] } = {}): StepSpec => ({
  ...exampleSpec(name, 'run', extra),
  tags,
});

const withExecution = (execution: StepSpec[]): Policy => ({
  ...policy,
  services: { ...policy.services, 'payments-api': { deploy: { execution }, rollback: {}, monitor: [] } },
});

const tagged = withExecution([
  spec('Code deployment', ['code']),
  spec('Apply migration', ['database'], { when: 'database_changes' }),
  // Named like a restart, tagged as none: the tags decide.
  spec('Service restart check', []),
  spec('Bounce pods', ['restart']),
]);

const withMigration: Plan = { ...plan, changes: { ...plan.changes, database: ['001_refund_index.sql'] } };
const key = (index: number) => `execution.payments-api.${index}`;
const run = (index: number): [HotfixCommand][] => [[cmd.startStep(key(index))], [cmd.succeed(key(index))]];

/** Started, approved, ready and deployed under `p`, the steps at the given indexes run or skipped. */
const deployed = (
  p: Policy,
  steps: readonly (readonly [number, 'run' | 'skip' | 'dry'])[],
): HotfixEvent[] => {
  const hash = deploymentHash(withMigration);
  const ticks = [...p.checklists.code_readiness, ...p.checklists.environment_readiness].map(
    (item) => [cmd.tick(item)] as [HotfixCommand],
  );
  const doing = steps.flatMap(([index, how]): [HotfixCommand][] => {
    if (how === 'run') return run(index);
    if (how === 'dry')
      return [
        [cmd.startStep(key(index))],
        [{ ...(cmd.succeed(key(index)) as Extract<HotfixCommand, { type: 'SucceedStep' }>), dryRun: true }],
      ];
    return [
      [
        {
          type: 'SkipStep',
          runId: 'deploy-1',
          step: key(index),
          reason: 'applied by hand',
          by: people.tech1,
        },
      ],
    ];
  });
  return play(
    [
      [cmd.start(people.requester, withMigration)],
      [cmd.approve(people.tech1, 'technical', hash)],
      [cmd.approve(people.manager, 'management', hash)],
      ...ticks,
      [cmd.deploy()],
      [cmd.grant()],
      ...doing,
    ],
    { policy: p },
  ).history;
};

const changes = (history: HotfixEvent[]) =>
  buildRecord(history, { timezone: 'UTC' }).implementation.changesDeployed;
const markdown = (history: HotfixEvent[]) => renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));

describe('database and service facts in the record', () => {
  it('a database step that ran is a fact, with the changes the plan listed beside it', () => {
    const history = deployed(tagged, [
      [0, 'run'],
      [1, 'run'],
      [2, 'run'],
      [3, 'run'],
    ]);
    expect(history.map((e) => e.type)).toContain('MonitoringStarted');
    expect(changes(history)).toMatchObject({
      database: ['Apply migration (payments-api)'],
      databasePlanned: ['001_refund_index.sql'],
      services: [{ name: 'payments-api', execution: 'succeeded', restarted: true }],
    });
    expect(markdown(history)).toContain(
      '- **Database:**\n  - ran Apply migration (payments-api)\n  - planned: 001_refund_index.sql\n',
    );
  });

  it('a database step that was skipped is no fact: the record says none ran, and what was planned', () => {
    const history = deployed(tagged, [
      [0, 'run'],
      [1, 'skip'],
      [2, 'run'],
      [3, 'run'],
    ]);
    expect(history.map((e) => e.type)).toContain('StepSkipped');
    expect(changes(history)).toMatchObject({ database: [], databasePlanned: ['001_refund_index.sql'] });
    expect(markdown(history)).toContain(
      '- **Database:** no database step ran (planned: 001_refund_index.sql)\n',
    );
  });

  it('a restart that did not run, or ran dry, restarted nothing', () => {
    const notYet = deployed(tagged, [
      [0, 'run'],
      [1, 'run'],
      [2, 'run'],
    ]);
    expect(changes(notYet).services).toEqual([
      { name: 'payments-api', execution: 'running', restarted: false },
    ]);
    const dry = deployed(tagged, [
      [0, 'run'],
      [1, 'dry'],
      [2, 'run'],
      [3, 'dry'],
    ]);
    expect(changes(dry)).toMatchObject({
      database: [],
      services: [{ name: 'payments-api', restarted: false }],
    });
  });

  it('in a run recorded without tags, only what is unambiguous counts: when: database_changes, a restart by name', () => {
    const untagged = withExecution([
      spec('Database backup', []),
      spec('Apply migration', [], { when: 'database_changes' }),
      spec('Service restart', []),
    ]);
    const history = deployed(untagged, [
      [0, 'run'],
      [1, 'run'],
      [2, 'run'],
    ]);
    expect(changes(history)).toMatchObject({
      database: ['Apply migration (payments-api)'],
      services: [{ name: 'payments-api', restarted: true }],
    });
    // A check named like a restart restarts nothing.
    const checkOnly = withExecution([
      spec('Apply migration', [], { when: 'database_changes' }),
      { ...exampleSpec('Restart health', 'check'), tags: [] },
    ]);
    const checked = deployed(checkOnly, [
      [0, 'run'],
      [1, 'run'],
    ]);
    expect(changes(checked).services).toEqual([
      { name: 'payments-api', execution: 'succeeded', restarted: false },
    ]);
  });

  it('nothing deployed: no database step ran, whatever the plan lists', () => {
    const { history } = play([[cmd.start(people.requester, withMigration)]]);
    expect(changes(history)).toMatchObject({ database: [], databasePlanned: ['001_refund_index.sql'] });
  });
});
