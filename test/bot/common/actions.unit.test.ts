import { describe, expect, it } from 'vitest';
import type { HotfixAction } from '../../../src/bot/common/actions.ts';
import {
  byPriority,
  cardActions,
  deployOffered,
  manualStepActions,
  voteActions,
} from '../../../src/bot/common/actions.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { minutes, people, policy, T0 } from '../../domain/fixtures/policy.ts';
import { play } from '../../domain/given.ts';
import {
  approvedAndReady,
  cmd,
  DEPLOY_STEPS,
  deploying,
  failedVerification,
  monitoring,
  started,
  verified,
  verifying,
} from '../../domain/scenarios.ts';

const kinds = (state: HotfixState, extra: Parameters<typeof cardActions>[1] = { policy }) =>
  cardActions(state, extra).map((a) => `${a.kind}${a.data.role ? `:${a.data.role}` : ''}@${a.place}`);

const signedOff = () =>
  play(
    [
      [cmd.signOff(people.tech1, 'technical'), minutes(41)],
      [cmd.signOff(people.biz, 'business'), minutes(42)],
      [cmd.signOff(people.support, 'support'), minutes(43)],
    ],
    {},
    verified().history,
  );

describe('the actions a hotfix offers now', () => {
  it('while planning: approve and reject per role, edit, log issue, cancel; Deploy only when the gates hold', () => {
    expect(kinds(started().state)).toEqual([
      'approve:technical@approvals',
      'approve:management@approvals',
      'reject:technical@approvals',
      'reject:management@approvals',
      'edit@card',
      'issue@card',
      'cancel@card',
    ]);
    const ready = approvedAndReady().state;
    expect(kinds(ready)[0]).toBe('deploy@card');
    const deploy = cardActions(ready, { policy }).find((a) => a.kind === 'deploy');
    expect(deploy).toMatchObject({
      label: '🚀 Deploy',
      style: 'primary',
      data: { hotfixId: 'HF-1', planHash: ready.planHash },
      confirm: { title: 'Deploy HF-1?', text: 'Deploy 2.3.1 to payments-api.', ok: 'Deploy' },
    });
    const approve = cardActions(started().state, { policy })[0];
    expect(approve?.data).toEqual({ hotfixId: 'HF-1', planHash: ready.planHash, role: 'technical' });
  });

  it('Approve and Reject go once the approval gate is complete, and come back when an edit voids it', () => {
    const approvals = (state: HotfixState) => kinds(state).filter((k) => k.endsWith('@approvals'));
    const one = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history);
    expect(approvals(one.state)).toHaveLength(4);
    const both = play([[cmd.approve(people.manager, 'management')]], {}, one.history);
    expect(approvals(both.state)).toEqual([]);
    expect(kinds(both.state)).toEqual(['edit@card', 'issue@card', 'cancel@card']);
    const edited = play(
      [[{ type: 'EditPlan', plan: { ...both.state.plan, version: '2.3.2' }, by: people.requester }]],
      {},
      both.history,
    );
    expect(edited.state.voidedApprovals).toBe(2);
    expect(approvals(edited.state)).toEqual([
      'approve:technical@approvals',
      'approve:management@approvals',
      'reject:technical@approvals',
      'reject:management@approvals',
    ]);
  });

  it('holds Deploy back while another hotfix locks one of the services, not for its own lock', () => {
    const ready = approvedAndReady().state;
    const since = T0.toISOString();
    const other = { policy, lockHolders: { 'payments-api': { hotfixId: 'HF-7', since } } };
    expect(deployOffered(ready, other)).toBe(false);
    expect(kinds(ready, other)).not.toContain('deploy@card');
    const own = { policy, lockHolders: { 'payments-api': { hotfixId: 'HF-1', since } } };
    expect(deployOffered(ready, own)).toBe(true);
    const unrelated = { policy, lockHolders: { ledger: { hotfixId: 'HF-7', since } } };
    expect(deployOffered(ready, unrelated)).toBe(true);
  });

  it('while deploying and monitoring: propose a rollback and log an issue, nothing of the plan', () => {
    expect(kinds(deploying().state)).toEqual(['rollback@card', 'issue@card']);
    expect(kinds(monitoring().state)).toEqual(['rollback@card', 'issue@card']);
  });

  it('with a rollback vote open: no second proposal', () => {
    const state = failedVerification().state;
    expect(state.votes.at(-1)?.status).toBe('open');
    expect(kinds(state)).not.toContain('rollback@card');
  });

  it('on a settled failed run: retry or skip the failed step, carrying the run and step', () => {
    const vote = failedVerification().history;
    const failed = play(
      [
        [cmd.vote(people.manager, 'against'), minutes(1)],
        [cmd.vote(people.tech1, 'against'), minutes(1)],
      ],
      {},
      vote,
    ).state;
    expect(failed.phase).toBe('deploy_failed');
    const actions = cardActions(failed, { policy });
    const retry = actions.find((a) => a.kind === 'retry');
    expect(retry).toMatchObject({
      place: 'failed-step',
      label: '🔁 Retry “System check”',
      data: { hotfixId: 'HF-1', runId: 'deploy-1', stepKey: DEPLOY_STEPS.check },
    });
    expect(actions.find((a) => a.kind === 'skip')?.confirm?.title).toBe('Skip the failed step?');
  });

  it('once verified: sign off per missing role and lessons; Close only when every sign-off is in', () => {
    expect(kinds(verified().state)).toEqual([
      'sign-off:technical@signoffs',
      'sign-off:business@signoffs',
      'sign-off:support@signoffs',
      'rollback@card',
      'issue@card',
      'lessons@card',
    ]);
    expect(kinds(signedOff().state)).toEqual(['rollback@card', 'issue@card', 'lessons@card', 'close@card']);
    const closed = play([[{ type: 'CloseHotfix', by: people.tech1 }, minutes(44)]], {}, signedOff().history);
    expect(kinds(closed.state)).toEqual(['record@card']);
  });

  it('a manual step: Confirm and Fail while it waits, nothing once answered', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).state;
    const run = waiting.runs[0];
    const step = run?.steps.find((s) => s.key === DEPLOY_STEPS.manual);
    if (!run || !step) throw new Error('no manual step');
    const actions = manualStepActions('HF-1', run, step);
    expect(actions.map((a) => [a.kind, a.style])).toEqual([
      ['confirm-step', 'primary'],
      ['fail-step', 'danger'],
    ]);
    expect(actions[1]?.data).toEqual({ hotfixId: 'HF-1', runId: 'deploy-1', stepKey: DEPLOY_STEPS.manual });
    const answered = monitoring().state.runs[0]?.steps.find((s) => s.key === DEPLOY_STEPS.manual);
    if (!answered) throw new Error('no manual step');
    expect(manualStepActions('HF-1', run, answered)).toEqual([]);
  });

  it('a rollback vote: For and Against while open and before it expires', () => {
    const vote = failedVerification().state.votes[0];
    if (!vote) throw new Error('no vote');
    const open = voteActions('HF-1', vote, T0);
    expect(open.map((a) => [a.kind, a.label, a.data.voteId])).toEqual([
      ['vote-for', 'For rollback', 1],
      ['vote-against', 'Against', 1],
    ]);
    expect(voteActions('HF-1', vote, new Date(Date.parse(vote.expiresAt)))).toEqual([]);
  });
});

describe('byPriority', () => {
  const act = (kind: HotfixAction['kind'], priority: number): HotfixAction => ({
    kind,
    place: 'card',
    label: kind,
    data: { hotfixId: 'HF-1' },
    priority,
  });

  it('keeps the ones that matter most now, in their card order, and the rest in order', () => {
    const all = [act('edit', 4), act('deploy', 0), act('issue', 5), act('approve', 1), act('cancel', 6)];
    const { shown, overflow } = byPriority(all, 3);
    expect(shown.map((a) => a.kind)).toEqual(['edit', 'deploy', 'approve']);
    expect(overflow.map((a) => a.kind)).toEqual(['issue', 'cancel']);
    expect(byPriority(all, 0).shown).toEqual([]);
    expect(byPriority(all, 10).overflow).toEqual([]);
  });

  it('a planning card within Teams six: the approvals, Edit and Log issue; Cancel overflows', () => {
    const { shown, overflow } = byPriority(cardActions(started().state, { policy }), 6);
    expect(shown.map((a) => `${a.kind}${a.data.role ? `:${a.data.role}` : ''}`)).toEqual([
      'approve:technical',
      'approve:management',
      'reject:technical',
      'reject:management',
      'edit',
      'issue',
    ]);
    expect(overflow.map((a) => a.kind)).toEqual(['cancel']);
    // Once approved and ready, the approvals are gone and Deploy leads.
    expect(byPriority(cardActions(approvedAndReady().state, { policy }), 6).shown.map((a) => a.kind)).toEqual(
      ['deploy', 'edit', 'issue', 'cancel'],
    );
  });
});
