import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import { deploymentHash } from '../../src/domain/hotfix/plan.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import { checklistItems, readinessGate } from '../../src/domain/hotfix/queries.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { given, play } from './given.ts';
import { minutes, people, plan, worker } from './fixtures/policy.ts';
import { cmd } from './scenarios.ts';
import { derivedPolicy } from './fixtures/derived.ts';

const derived = derivedPolicy;
const ctx = { policy: derived };
const ITEM = 'Approvals received';
const byHand = ['Code review complete', 'Tests passed', 'System status', 'Tool access'];

const tick = (by: Person = people.tech1): HotfixCommand => ({
  type: 'TickChecklistItem',
  checklist: 'code_readiness',
  item: ITEM,
  by,
});
const untick = (by: Person = people.tech1): HotfixCommand => ({
  type: 'UntickChecklistItem',
  checklist: 'code_readiness',
  item: ITEM,
  by,
});
const item = (state: HotfixState) =>
  checklistItems(state, derived, 'code_readiness').find((i) => i.label === ITEM);

const started = () => play([[cmd.start()]], ctx);
const approved = () =>
  play(
    [
      [cmd.approve(people.tech1, 'technical'), minutes(3)],
      [cmd.approve(people.manager, 'management'), minutes(4)],
    ],
    ctx,
    started().history,
  );

describe('"Approvals received" follows the approval gate', () => {
  it('is unticked until every role has approved, then ticked by the approvals at the last one', () => {
    expect(item(started().state)).toMatchObject({ derivedFrom: 'approvals', ticked: null });
    const half = play([[cmd.approve(people.tech1, 'technical')]], ctx, started().history);
    expect(item(half.state)?.ticked).toBeNull();
    expect(item(approved().state)).toMatchObject({
      derivedFrom: 'approvals',
      ticked: {
        by: { platform: 'system', id: 'approvals' },
        at: minutes(4).toISOString(),
        automatic: true,
        evidence: 'technical 1/1, management 1/1',
      },
    });
  });

  it('is unticked again when an edit voids the approvals, or someone rejects', () => {
    const edited = { ...plan, version: '2.3.2' };
    const afterEdit = play(
      [[{ type: 'EditPlan', plan: edited, by: people.requester }]],
      ctx,
      approved().history,
    );
    expect(afterEdit.history.map((e) => e.type)).toContain('ApprovalsVoided');
    expect(item(afterEdit.state)?.ticked).toBeNull();
    const reapproved = play(
      [
        [cmd.approve(people.tech1, 'technical', deploymentHash(edited))],
        [cmd.approve(people.manager, 'management', deploymentHash(edited))],
      ],
      ctx,
      afterEdit.history,
    );
    expect(item(reapproved.state)?.ticked).not.toBeNull();
    const rejected = play([[cmd.reject(people.tech2, 'technical')]], ctx, approved().history);
    expect(item(rejected.state)?.ticked).toBeNull();
  });

  it('refuses a person ticking or unticking it, saying it follows the approvals; nothing is recorded', () => {
    const message =
      /“Approvals received” follows the approvals of HF-1: it is ticked while the plan has every approval it needs/;
    given(started().history, ctx).when(tick()).thenRefused('invalid_input', message);
    given(approved().history, ctx).when(tick()).thenRefused('invalid_input', message);
    given(approved().history, ctx).when(untick()).thenRefused('invalid_input', message);
    // Not the workers either: no automatic check ticks it.
    given(started().history, ctx).when(tick(worker)).thenRefused('invalid_input', message);
  });

  it('counts in the readiness gate by the approval gate, so deploy needs the approvals and the other items', () => {
    const ready = play(
      byHand.map((i) => [cmd.tick(i)] as const),
      ctx,
      started().history,
    );
    expect(readinessGate(ready.state, derived)).toMatchObject({
      ok: false,
      done: 4,
      total: 5,
      missing: [ITEM],
    });
    const all = play(
      [[cmd.approve(people.tech1, 'technical')], [cmd.approve(people.manager, 'management')]],
      ctx,
      ready.history,
    );
    expect(readinessGate(all.state, derived)).toMatchObject({ ok: true, done: 5, total: 5 });
    given(all.history, ctx)
      .when(cmd.deploy())
      .then([{ type: 'DeployRequested' }]);
  });

  it('ignores a hand tick recorded before the config derived the item', () => {
    const legacy = play(
      [
        [cmd.start()],
        [{ type: 'TickChecklistItem', checklist: 'code_readiness', item: ITEM, by: people.tech1 }],
      ],
      { policy: { ...derived, derivedItems: { code_readiness: {}, environment_readiness: {} } } },
    );
    expect(legacy.state.checklists.code_readiness.find((i) => i.label === ITEM)?.ticked).not.toBeNull();
    expect(item(legacy.state)?.ticked).toBeNull();
  });

  it('an item named like an Object member is not derived by accident', () => {
    const odd: Policy = {
      ...derived,
      checklists: { ...derived.checklists, environment_readiness: ['constructor'] },
    };
    const { history } = play([[cmd.start()]], { policy: odd });
    given(history, { policy: odd })
      .when({
        type: 'TickChecklistItem',
        checklist: 'environment_readiness',
        item: 'constructor',
        by: people.tech1,
      })
      .then([{ type: 'ChecklistItemTicked', item: 'constructor' }]);
  });

  it('shows in the record as following the approvals, when the record knows the policy', () => {
    const markdown = renderRecordMarkdown(
      buildRecord(approved().history, { timezone: 'UTC', readiness: derived }),
    );
    expect(markdown).toContain(
      '| Approvals received | done (follows the approvals) | approvals | 2026-11-26 03:04 | technical 1/1, management 1/1 |',
    );
  });
});
