import { describe, expect, it } from 'vitest';
import type { MonitorMeasurement } from '../../src/domain/hotfix/events.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import { deploymentHash, planFingerprint } from '../../src/domain/hotfix/plan.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import { describeEvent } from '../../src/domain/hotfix/describe-event.ts';
import { buildRecord } from '../../src/domain/hotfix/record.ts';
import { decide } from '../../src/domain/hotfix/decide.ts';
import { cancelRefusal } from '../../src/domain/hotfix/decide/plan.ts';
import { canRequestDeploy, holdsLock, outcome, tally } from '../../src/domain/hotfix/queries.ts';
import { effectsOf } from '../../src/domain/hotfix/effects.ts';
import { fold } from '../../src/domain/hotfix/state.ts';
import { given, play } from './given.ts';
import { minutes, people, plan, policy, T0, worker } from './fixtures/policy.ts';
import {
  approvedAndReady,
  cmd,
  DEPLOY_STEPS,
  deploying,
  failedVerification,
  monitoring,
  observed,
  started,
  verified,
  verifying,
} from './scenarios.ts';

const hash = deploymentHash(plan);
const edited = { ...plan, version: '2.3.2' };

describe('starting a hotfix', () => {
  it('records the plan, its hash and the configured checklists', () => {
    given([])
      .when(cmd.start())
      .then([
        {
          type: 'HotfixStarted',
          id: 'HF-1',
          planHash: hash,
          checklists: {
            code_readiness: ['Code review complete', 'Tests passed'],
            environment_readiness: ['System status', 'Tool access'],
          },
          by: people.requester,
          at: T0.toISOString(),
        },
      ]);
  });

  it('refuses someone with no role and an unknown service', () => {
    given([]).when(cmd.start(people.stranger)).thenRefused('not_in_role');
    given([])
      .when(cmd.start(people.requester, { ...plan, services: ['nope'] }))
      .thenRefused('invalid_plan', /Unknown service\(s\): nope/);
    given([])
      .when(cmd.start(people.requester, { ...plan, version: '  ' }))
      .thenRefused('invalid_plan', /version/);
    // One limit for the issue ID, whichever path the plan came by (form, /hotfix start <id>, playground).
    given([])
      .when(cmd.start(people.requester, { ...plan, issueId: 'I'.repeat(101) }))
      .thenRefused('invalid_plan', /The issue ID is at most 100 characters \(this one has 101\)/);
    given([])
      .when(cmd.start(people.requester, { ...plan, issueId: 'I'.repeat(100) }))
      .then([{ type: 'HotfixStarted' }]);
  });

  it('keeps a risk assessment and a communication plan, and refuses them empty or unknown', () => {
    const risky = {
      ...plan,
      risk: { level: 'high' as const, assessment: 'Touches the ledger' },
      communicationPlan: 'Status page at start and end',
    };
    given([])
      .when(cmd.start(people.requester, risky))
      .then([
        { type: 'HotfixStarted', plan: { risk: risky.risk, communicationPlan: risky.communicationPlan } },
      ]);
    given([])
      .when(cmd.start(people.requester, { ...risky, risk: { level: 'high', assessment: '  ' } }))
      .thenRefused('invalid_plan', /risk assessment needs a few words/);
    given([])
      .when(
        cmd.start(people.requester, {
          ...risky,
          risk: { level: 'extreme' as never, assessment: 'x' },
        }),
      )
      .thenRefused('invalid_plan', /risk level must be one of low, medium, high, critical/);
    given([])
      .when(cmd.start(people.requester, { ...risky, communicationPlan: '' }))
      .thenRefused('invalid_plan', /communication plan is empty/);
  });

  it('a redelivered start is a no-op; a different one is refused', () => {
    const { history } = started();
    given(history).when(cmd.start()).thenNothing();
    given(history).when(cmd.start(people.tech1)).thenRefused('already_exists');
  });

  it('any command on a hotfix that does not exist is not_found', () => {
    given([]).when(cmd.deploy()).thenRefused('not_found');
  });
});

describe('approvals', () => {
  it('the requester never counts', () => {
    given(started().history)
      .when(cmd.approve(people.requester, 'technical'))
      .thenRefused('self_approval', /ask another person with the technical role to approve it\.$/);
  });

  it('self-approval is allowed only when the policy says so', () => {
    given(started().history, { policy: { ...policy, selfApproval: true } })
      .when(cmd.approve(people.requester, 'technical'))
      .then([{ type: 'PlanApproved', role: 'technical' }]);
  });

  it('only people in the role approve for it', () => {
    given(started().history)
      .when(cmd.approve(people.biz, 'technical'))
      .thenRefused('not_in_role', /Only technical/);
    given(started().history).when(cmd.approve(people.stranger, 'technical')).thenRefused('not_in_role');
    given(started().history)
      .when(cmd.approve(people.biz, 'business'))
      .thenRefused('not_in_role', /does not approve/);
  });

  it('one person counts for one role only', () => {
    const { history } = play([[cmd.approve(people.lead, 'technical')]], {}, started().history);
    given(history).when(cmd.approve(people.lead, 'management')).thenRefused('one_role_per_person');
  });

  it('approving twice records once', () => {
    const { history } = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history);
    given(history).when(cmd.approve(people.tech1, 'technical')).thenNothing();
  });

  it('needs N distinct approvers per role', () => {
    const strict = { ...policy, approvals: { technical: 2, management: 1 } };
    const { history, state } = play(
      [
        [cmd.approve(people.tech1, 'technical')],
        [cmd.approve(people.tech1, 'technical')],
        [cmd.approve(people.manager, 'management')],
        ...['Code review complete', 'Tests passed', 'System status', 'Tool access'].map(
          (i) => [cmd.tick(i)] as const,
        ),
      ],
      { policy: strict },
      started().history,
    );
    expect(canRequestDeploy(state, strict)).toBe(false);
    given(history, { policy: strict })
      .when(cmd.deploy())
      .thenRefused('gates_not_met', /technical 1\/2/);
    const second = play([[cmd.approve(people.tech2, 'technical')]], { policy: strict }, history);
    expect(canRequestDeploy(second.state, strict)).toBe(true);
  });

  it('an approval of an old plan hash is refused as stale', () => {
    given(started().history)
      .when(cmd.approve(people.tech1, 'technical', 'deadbeef'))
      .thenRefused('stale_plan');
  });

  it('editing the plan voids approvals bound to the old hash, and says so', () => {
    const { history } = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history);
    given(history)
      .when({ type: 'EditPlan', plan: edited, by: people.tech2 })
      .then([
        { type: 'PlanEdited', planHash: deploymentHash(edited), previousHash: hash },
        {
          type: 'ApprovalsVoided',
          planHash: hash,
          approvals: [{ role: 'technical', by: people.tech1 }],
          reason: 'plan_edited',
        },
      ]);
  });

  it('an editor becomes an author and cannot approve the plan they edited', () => {
    const { history } = play([[{ type: 'EditPlan', plan: edited, by: people.tech2 }]], {}, started().history);
    given(history)
      .when(cmd.approve(people.tech2, 'technical', deploymentHash(edited)))
      .thenRefused('self_approval');
    given(history)
      .when(cmd.approve(people.tech1, 'technical', deploymentHash(edited)))
      .then([{ type: 'PlanApproved', planHash: deploymentHash(edited) }]);
  });

  it('an edit that changes nothing is a no-op', () => {
    given(started().history).when({ type: 'EditPlan', plan, by: people.tech1 }).thenNothing();
  });

  it('a rejection blocks the gate until the rejector approves or the plan changes', () => {
    const rejected = play(
      [[cmd.reject(people.manager, 'management', 'no rollback tested')]],
      {},
      approvedAndReady().history,
    );
    expect(canRequestDeploy(rejected.state, policy)).toBe(false);
    given(rejected.history)
      .when(cmd.deploy())
      .thenRefused('gates_not_met', /rejected by management/);
    const reconsidered = play([[cmd.approve(people.manager, 'management')]], {}, rejected.history);
    expect(canRequestDeploy(reconsidered.state, policy)).toBe(true);
  });

  it('a rejection needs a reason', () => {
    given(started().history)
      .when(cmd.reject(people.manager, 'management', '  '))
      .thenRefused('invalid_input');
  });
});

describe('where the hotfix is shown (plan.platforms)', () => {
  const shownOnBoth: Plan = { ...plan, platforms: ['slack', 'teams'] };
  const showOnBoth = { type: 'EditPlan', plan: shownOnBoth, by: people.tech2 } as const;
  const reminding: Policy = {
    ...policy,
    reminders: { approvalMs: 15 * 60_000, manualStepMs: 0, voteMs: 0, signoffMs: 0 },
  };

  it('an edit of only the platforms is recorded and keeps the hash, the approvals and the deploy', () => {
    const ready = approvedAndReady();
    const [edit] = given(ready.history)
      .when(showOnBoth)
      .then([{ type: 'PlanEdited', plan: shownOnBoth, planHash: hash, previousHash: hash }]);
    if (edit === undefined) throw new Error('no edit');
    const after = fold([edit], ready.state);
    expect(after).toMatchObject({ planHash: hash, planRevision: 2, voidedApprovals: 0 });
    expect(after.approvals.map((a) => a.role)).toEqual(['technical', 'management']);
    expect(canRequestDeploy(after, policy)).toBe(true);
    // A Deploy button drawn before the edit carries the same hash: it still works.
    given([...ready.history, edit])
      .when({ type: 'RequestDeploy', by: people.tech1, planHash: hash })
      .then([{ type: 'DeployRequested' }]);
    // The timeline and the record say the approvals stand; no approval reminder starts over.
    expect(describeEvent(edit, ready.state)).toBe(
      'edited the plan (revision 2): only where it is shown changed, so its approvals stand',
    );
    const record = buildRecord([...ready.history, edit], { timezone: 'UTC' });
    expect(record.approvals.map((a) => [a.status, a.planRevision])).toEqual([
      ['standing', 1],
      ['standing', 1],
    ]);
    expect(effectsOf(ready.state, [edit], after, reminding)).toEqual([]);
  });

  it('its editor wrote nothing approvers approve, and a rejection still stands', () => {
    const { history, state } = play(
      [[cmd.reject(people.manager, 'management', 'no rollback tested')], [showOnBoth]],
      {},
      started().history,
    );
    expect(state.rejections.map((r) => r.reason)).toEqual(['no rollback tested']);
    given(history)
      .when(cmd.approve(people.tech2, 'technical'))
      .then([{ type: 'PlanApproved', planHash: hash }]);
  });

  it('an edit of what is deployed still voids the approvals, whether the platforms changed too or not', () => {
    const moved = { ...shownOnBoth, version: '2.3.2' };
    const before = approvedAndReady();
    const events = given(before.history)
      .when({ type: 'EditPlan', plan: moved, by: people.tech2 })
      .then([
        { type: 'PlanEdited', planHash: deploymentHash(moved), previousHash: hash },
        {
          type: 'ApprovalsVoided',
          planHash: hash,
          approvals: [{ role: 'technical' }, { role: 'management' }],
        },
      ]);
    expect(deploymentHash(moved)).toBe(deploymentHash(edited));
    expect(fold(events, before.state).approvals).toEqual([]);
    expect(effectsOf(before.state, events, fold(events, before.state), reminding)).toMatchObject([
      { type: 'schedule-reminder', about: 'approval', subject: deploymentHash(moved) },
    ]);
  });

  it('a stream whose stored hash covered the platforms keeps its approvals through an edit that deploys the same', () => {
    // Streams recorded before: the hash was of the whole plan, platforms included (what planFingerprint is).
    const slackOnly: Plan = { ...plan, platforms: ['slack'] };
    const legacyHash = planFingerprint(slackOnly);
    expect(legacyHash).not.toBe(deploymentHash(slackOnly));
    const [begun] = play([[cmd.start(people.requester, slackOnly)]]).history;
    if (begun?.type !== 'HotfixStarted') throw new Error('not started');
    const { history } = play(
      [
        [cmd.approve(people.tech1, 'technical', legacyHash)],
        [cmd.approve(people.manager, 'management', legacyHash)],
        ...policy.checklists.code_readiness.map((i) => [cmd.tick(i)] as const),
        ...policy.checklists.environment_readiness.map((i) => [cmd.tick(i)] as const),
      ],
      {},
      [{ ...begun, planHash: legacyHash }],
    );

    given(history).when({ type: 'EditPlan', plan: slackOnly, by: people.tech2 }).thenNothing();
    const [edit] = given(history)
      .when(showOnBoth)
      .then([{ type: 'PlanEdited', plan: shownOnBoth, planHash: legacyHash, previousHash: legacyHash }]);
    if (edit === undefined) throw new Error('no edit');
    expect(canRequestDeploy(fold([...history, edit]), policy)).toBe(true);
    given([...history, edit])
      .when({ type: 'RequestDeploy', by: people.tech1, planHash: legacyHash })
      .then([{ type: 'DeployRequested' }]);
    // What is deployed changed: the approvals go, and the plan gets today's hash.
    given([...history, edit])
      .when({ type: 'EditPlan', plan: { ...shownOnBoth, version: '2.3.2' }, by: people.tech2 })
      .then([
        { type: 'PlanEdited', planHash: deploymentHash(edited), previousHash: legacyHash },
        { type: 'ApprovalsVoided', planHash: legacyHash },
      ]);
  });
});

describe('readiness checklists', () => {
  it('records who ticked and unticked, once', () => {
    const { history } = play([[cmd.tick('Tests passed')]], {}, started().history);
    given(history).when(cmd.tick('Tests passed', people.tech2)).thenNothing();
    given(history)
      .when({
        type: 'UntickChecklistItem',
        checklist: 'code_readiness',
        item: 'Tests passed',
        by: people.tech2,
      })
      .then([{ type: 'ChecklistItemUnticked', item: 'Tests passed', by: people.tech2 }]);
  });

  it('a check ticks an item automatically with evidence', () => {
    given(started().history)
      .when({
        type: 'TickChecklistItem',
        checklist: 'environment_readiness',
        item: 'Tool access',
        evidence: 'exit 0',
        by: worker,
      })
      .then([{ type: 'ChecklistItemTicked', automatic: true, evidence: 'exit 0' }]);
  });

  it('refuses unknown items', () => {
    given(started().history).when(cmd.tick('Coffee')).thenRefused('unknown_item');
  });
});

describe('deploy gates', () => {
  it('deploy is refused until approvals and readiness hold', () => {
    given(started().history)
      .when(cmd.deploy())
      .thenRefused('gates_not_met', /not approved yet: technical 0\/1, management 0\/1/);
    const approved = play(
      [[cmd.approve(people.tech1, 'technical')], [cmd.approve(people.manager, 'management')]],
      {},
      started().history,
    );
    given(approved.history)
      .when(cmd.deploy())
      .thenRefused('gates_not_met', /4 item\(s\) left/);
  });

  it('deploy requests the lock, then the pipeline starts with the steps that apply to the plan', () => {
    const requested = play([[cmd.deploy()]], {}, approvedAndReady().history);
    expect(requested.history.at(-1)).toMatchObject({
      type: 'DeployRequested',
      runId: 'deploy-1',
      services: ['payments-api'],
    });
    const [granted, pipeline] = given(requested.history)
      .when(cmd.grant())
      .then([{ type: 'LockGranted' }, { type: 'PipelineStarted', kind: 'deploy' }]);
    expect(granted).toBeDefined();
    // No database changes in the plan: the migration step is left out.
    expect(pipeline?.type === 'PipelineStarted' && pipeline.steps.map((s) => s.name)).toEqual([
      'System backup',
      'Code deployment',
      'System check',
      'User validation',
    ]);
  });

  it('a double click on deploy and a re-delivered grant change nothing', () => {
    given(deploying().history).when(cmd.deploy()).thenNothing();
    given(deploying().history).when(cmd.grant()).thenNothing();
  });

  it('a refused lock returns the hotfix to planned with who holds it', () => {
    const requested = play([[cmd.deploy()]], {}, approvedAndReady().history);
    const events = given(requested.history)
      .when({
        type: 'RefuseLock',
        runId: 'deploy-1',
        service: 'payments-api',
        heldBy: 'HF-7',
        since: T0.toISOString(),
        by: worker,
      })
      .then([{ type: 'LockRefused', heldBy: 'HF-7' }]);
    const state = fold(events, requested.state);
    expect(state.phase).toBe('planned');
    expect(state.lock.refusal).toMatchObject({ service: 'payments-api', heldBy: 'HF-7' });
    // Asked again later, the deploy gets a run (and so a job) of its own.
    given([...requested.history, ...events])
      .when(cmd.deploy())
      .then([{ type: 'DeployRequested', runId: 'deploy-2' }]);
  });

  it('people cannot record pipeline results', () => {
    given(deploying().history)
      .when({ ...cmd.startStep(DEPLOY_STEPS.backup), by: people.tech1 })
      .thenRefused('not_in_role');
  });
});

describe('pipeline steps', () => {
  it('steps run in order; stages and gates pass as their steps finish', () => {
    given(deploying().history)
      .when(cmd.startStep(DEPLOY_STEPS.code))
      .thenRefused('stale_step', /not the next step/);
    const prepared = play(
      [[cmd.startStep(DEPLOY_STEPS.backup)], [cmd.succeed(DEPLOY_STEPS.backup)]],
      {},
      deploying().history,
    );
    expect(prepared.state.runs[0]?.stages).toEqual({ preparation: 'passed' });
    const executed = play([[cmd.startStep(DEPLOY_STEPS.code)]], {}, prepared.history);
    given(executed.history)
      .when(cmd.succeed(DEPLOY_STEPS.code))
      .then([
        { type: 'StepSucceeded', step: DEPLOY_STEPS.code },
        { type: 'StagePassed', stage: 'execution' },
        { type: 'GatePassed', gate: 'deployment' },
      ]);
  });

  it('a re-run after a crash starts the interrupted step again with the next attempt', () => {
    const running = play([[cmd.startStep(DEPLOY_STEPS.backup)]], {}, deploying().history);
    given(running.history)
      .when(cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 1))
      .thenNothing();
    // The record says attempt 1 never finished, and why, before attempt 2 starts.
    given(running.history)
      .when(cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2, { interruption: 'its worker died' }))
      .then([
        { type: 'StepInterrupted', step: DEPLOY_STEPS.backup, attempt: 1, reason: 'its worker died' },
        { type: 'StepStarted', attempt: 2 },
      ]);
    given(running.history)
      .when(cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2))
      .then([
        { type: 'StepInterrupted', attempt: 1, reason: 'it never reported an outcome' },
        { type: 'StepStarted', attempt: 2 },
      ]);
    // The zombie of attempt 1 cannot report once attempt 2 runs.
    const retried = play([[cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2)]], {}, running.history);
    given(retried.history)
      .when(cmd.succeed(DEPLOY_STEPS.backup, 'deploy-1', 1))
      .thenRefused('stale_step');
  });

  it('a finished step reported again is a no-op', () => {
    const done = play(
      [[cmd.startStep(DEPLOY_STEPS.backup)], [cmd.succeed(DEPLOY_STEPS.backup)]],
      {},
      deploying().history,
    );
    given(done.history).when(cmd.succeed(DEPLOY_STEPS.backup)).thenNothing();
    given(done.history)
      .when(cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2))
      .thenNothing();
  });

  it('a manual step is confirmed only by its roles, once', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    );
    given(waiting.history)
      .when(cmd.confirm(DEPLOY_STEPS.manual, people.support))
      .thenRefused('not_in_role', /business or technical/);
    given(waiting.history)
      .when(cmd.confirm(DEPLOY_STEPS.manual, people.biz), { now: minutes(5) })
      .then([
        { type: 'ManualStepConfirmed', outcome: 'confirmed', by: people.biz },
        { type: 'StagePassed', stage: 'verification' },
        { type: 'GatePassed', gate: 'verification' },
        { type: 'MonitoringStarted', until: minutes(35).toISOString(), checks: ['payments-api/Health'] },
      ]);
    const confirmed = play([[cmd.confirm(DEPLOY_STEPS.manual, people.biz)]], {}, waiting.history);
    given(confirmed.history).when(cmd.confirm(DEPLOY_STEPS.manual, people.biz)).thenNothing();
    given(confirmed.history).when(cmd.confirm(DEPLOY_STEPS.manual, people.tech1)).thenRefused('stale_step');
  });

  it('skipping a step is recorded with who and why, and the pipeline moves on', () => {
    given(deploying().history)
      .when({
        type: 'SkipStep',
        runId: 'deploy-1',
        step: DEPLOY_STEPS.backup,
        reason: 'snapshot taken by hand',
        by: people.tech1,
      })
      .then([
        { type: 'StepSkipped', reason: 'snapshot taken by hand' },
        { type: 'StagePassed', stage: 'preparation' },
      ]);
  });

  it('a failed preparation stops the deploy and frees the lock; nothing to roll back', () => {
    const running = play([[cmd.startStep(DEPLOY_STEPS.backup)]], {}, deploying().history);
    const events = given(running.history)
      .when(cmd.fail(DEPLOY_STEPS.backup))
      .then([
        { type: 'StepFailed' },
        { type: 'StageFailed', stage: 'preparation' },
        { type: 'GateFailed', gate: 'deployment' },
      ]);
    const after = fold(events, running.state);
    expect(after.phase).toBe('deploy_failed');
    expect(holdsLock(after)).toBe(false);
    expect(effectsOf(running.state, events, after)).toEqual([
      { type: 'release-lock', hotfixId: 'HF-1', services: ['payments-api'] },
    ]);
  });
});

describe('verification failure applies policy.rollback.on_failure', () => {
  const failCheck = (onFailure: 'off' | 'propose' | 'execute') =>
    given(verifying().history, { policy: { ...policy, rollback: { ...policy.rollback, onFailure } } }).when(
      cmd.fail(DEPLOY_STEPS.check),
    );
  const failure = [
    { type: 'StepFailed' },
    { type: 'StageFailed' },
    { type: 'GateFailed', gate: 'verification' },
  ] as const;

  it('off: just reports, keeping the lock until the team decides', () => {
    const events = failCheck('off').then([...failure]);
    const after = fold(events, verifying().state);
    expect(after.phase).toBe('deploy_failed');
    expect(holdsLock(after)).toBe(true);
  });

  it('propose: opens a rollback vote', () => {
    failCheck('propose').then([
      ...failure,
      {
        type: 'RollbackProposed',
        voteId: 1,
        trigger: 'failed_check',
        automatic: true,
        expiresAt: minutes(15).toISOString(),
      },
    ]);
  });

  it('execute: starts the rollback pipeline at once, recorded as automatic', () => {
    const events = failCheck('execute').then([
      ...failure,
      { type: 'RollbackStarted', runId: 'rollback-1', automatic: true },
      { type: 'PipelineStarted', runId: 'rollback-1', kind: 'rollback' },
    ]);
    const after = fold(events, verifying().state);
    expect(effectsOf(verifying().state, events, after)).toContainEqual({
      type: 'enqueue-pipeline',
      hotfixId: 'HF-1',
      runId: 'rollback-1',
      kind: 'rollback',
    });
  });

  it('a manual step marked failed counts as a verification failure', () => {
    const waiting = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    );
    given(waiting.history)
      .when(cmd.confirm(DEPLOY_STEPS.manual, people.biz, 'failed'))
      .then([
        { type: 'ManualStepConfirmed', outcome: 'failed' },
        { type: 'StageFailed' },
        { type: 'GateFailed', gate: 'verification' },
        { type: 'RollbackProposed', trigger: 'failed_step' },
      ]);
  });
});

describe('rollback vote', () => {
  it('needs the quorum and the required role; a person votes once and may change their vote', () => {
    const { history, state } = failedVerification();
    expect(state.votes[0]?.status).toBe('open');
    const one = play([[cmd.vote(people.tech1, 'for')]], {}, history);
    given(one.history).when(cmd.vote(people.tech1, 'for')).thenNothing();
    // Quorum of 2 reached, but management has not voted for it yet.
    const two = play([[cmd.vote(people.support, 'for')]], {}, one.history);
    expect(two.state.votes[0]?.status).toBe('open');
    expect(tally(two.state.votes[0]!, policy)).toMatchObject({
      for: 2,
      missingRoles: ['management'],
      passed: false,
    });
    const changed = play([[cmd.vote(people.tech1, 'against')]], {}, two.history);
    expect(tally(changed.state.votes[0]!, policy)).toMatchObject({ for: 1, against: 1 });
    given(changed.history)
      .when(cmd.vote(people.manager, 'for'))
      .then([
        { type: 'VoteCast', choice: 'for', roles: ['management'] },
        { type: 'VotePassed', for: 2, against: 1 },
        { type: 'RollbackStarted', runId: 'rollback-1', automatic: false, voteId: 1 },
        {
          type: 'PipelineStarted',
          kind: 'rollback',
          steps: [{ name: 'Code rollback' }, { name: 'System check' }],
        },
      ]);
  });

  it('only eligible roles vote', () => {
    given(failedVerification().history).when(cmd.vote(people.biz, 'for')).thenRefused('not_eligible');
  });

  it('fails once it can no longer pass', () => {
    const { history } = play([[cmd.vote(people.manager, 'against')]], {}, failedVerification().history);
    // Management was the only required voter besides the lead; the lead voting against ends it.
    given(history)
      .when(cmd.vote(people.lead, 'against'))
      .then([{ type: 'VoteCast' }, { type: 'VoteFailed', for: 0, against: 2 }]);
  });

  it('expires; a late ballot is not counted', () => {
    const { history } = failedVerification();
    given(history)
      .when({ type: 'ExpireVote', voteId: 1, by: worker }, { now: minutes(10) })
      .thenRefused('wrong_phase');
    given(history)
      .when({ type: 'ExpireVote', voteId: 1, by: worker }, { now: minutes(15) })
      .then([{ type: 'VoteExpired' }]);
    given(history)
      .when(cmd.vote(people.manager, 'for'), { now: minutes(16) })
      .then([{ type: 'VoteExpired' }]);
  });

  it('anyone with a role proposes a rollback, voting for it; only one vote at a time', () => {
    const { history } = monitoring();
    given(history)
      .when({
        type: 'ProposeRollback',
        trigger: 'business_impact',
        reason: 'refunds doubled',
        by: people.manager,
      })
      .then([
        { type: 'RollbackProposed', trigger: 'business_impact', automatic: false, by: people.manager },
        { type: 'VoteCast', choice: 'for', by: people.manager },
      ]);
    given(failedVerification().history)
      .when({ type: 'ProposeRollback', trigger: 'critical_error', reason: 'x', by: people.tech1 })
      .thenRefused('vote_closed', /already open/);
  });

  it('a rollback passed while deploying aborts the running deploy first', () => {
    const quick = {
      ...policy,
      rollback: { ...policy.rollback, vote: { ...policy.rollback.vote, quorum: 1 } },
    };
    given(deploying().history, { policy: quick })
      .when({ type: 'ProposeRollback', trigger: 'critical_error', reason: 'wrong build', by: people.manager })
      .then([
        { type: 'RollbackProposed' },
        { type: 'VoteCast' },
        { type: 'VotePassed' },
        { type: 'PipelineAborted', runId: 'deploy-1' },
        { type: 'RollbackStarted' },
        { type: 'PipelineStarted', kind: 'rollback' },
      ]);
  });

  it('a service without rollback steps cannot be rolled back by vote', () => {
    const ledgerPlan = { ...plan, services: ['ledger'] };
    const { history } = play(
      [
        [cmd.start(people.requester, ledgerPlan)],
        [cmd.approve(people.tech1, 'technical', deploymentHash(ledgerPlan))],
        [cmd.approve(people.manager, 'management', deploymentHash(ledgerPlan))],
        ...['Code review complete', 'Tests passed', 'System status', 'Tool access'].map(
          (i) => [cmd.tick(i)] as const,
        ),
        [cmd.deploy()],
        [cmd.grant()],
      ],
      {},
    );
    given(history)
      .when({ type: 'ProposeRollback', trigger: 'critical_error', reason: 'x', by: people.tech1 })
      .thenRefused('wrong_phase', /No rollback steps/);
  });
});

describe('monitoring window', () => {
  it('records each check round once; a breach proposes a rollback', () => {
    const { history } = monitoring();
    const passed = play(
      [[{ type: 'RecordMonitorCheck', check: 'payments-api/Health', round: 1, passed: true, by: worker }]],
      {},
      history,
    );
    given(passed.history)
      .when({ type: 'RecordMonitorCheck', check: 'payments-api/Health', round: 1, passed: true, by: worker })
      .thenNothing();
    given(passed.history)
      .when({
        type: 'RecordMonitorCheck',
        check: 'payments-api/Health',
        round: 2,
        passed: false,
        detail: '503',
        by: worker,
      })
      .then([
        { type: 'MonitorCheckBreached', round: 2 },
        { type: 'RollbackProposed', trigger: 'failed_check', automatic: true },
      ]);
  });

  it('keeps what each round measured on the event; a redelivered round records nothing', () => {
    const { history } = monitoring();
    const measurement = { status: 200, latencyMs: 42, values: { error_rate: 0.01, state: 'ok' } };
    const round = (n: number, passed: boolean, m: MonitorMeasurement = measurement) => ({
      type: 'RecordMonitorCheck' as const,
      check: 'payments-api/Health',
      round: n,
      passed,
      ...(passed ? {} : { detail: 'expected status 200, got 503' }),
      measurement: m,
      by: worker,
    });
    given(history)
      .when(round(1, true))
      .then([{ type: 'MonitorCheckPassed', round: 1, measurement }]);
    const breached = { status: 503, latencyMs: 7 };
    given(history)
      .when(round(1, false, breached))
      .then([
        { type: 'MonitorCheckBreached', round: 1, measurement: breached },
        { type: 'RollbackProposed', trigger: 'failed_check' },
      ]);
    const once = play([[round(1, true)]], {}, history);
    given(once.history).when(round(1, true)).thenNothing();
    // Rounds recorded without a measurement (older workers) carry none.
    const [plain] = given(history)
      .when({ type: 'RecordMonitorCheck', check: 'payments-api/Health', round: 1, passed: true, by: worker })
      .then([{ type: 'MonitorCheckPassed' }]);
    expect(plain).not.toHaveProperty('measurement');
  });

  it('closes only when the period is over; a clean window marks the hotfix verified and frees the lock', () => {
    const { history, state } = observed();
    given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(30) })
      .thenRefused('wrong_phase');
    const events = given(history)
      .when({ type: 'CloseMonitoringWindow', by: worker }, { now: minutes(35) })
      .then([{ type: 'MonitoringWindowClosed', clean: true }]);
    const after = fold(events, state);
    expect(after.phase).toBe('verified');
    expect(outcome(after)).toBe('deployed');
    expect(effectsOf(state, events, after)).toEqual([
      { type: 'release-lock', hotfixId: 'HF-1', services: ['payments-api'] },
    ]);
  });
});

describe('sign-off and close', () => {
  it('sign-offs only after the outcome is known, by the role, one role per person', () => {
    given(monitoring().history).when(cmd.signOff(people.tech1, 'technical')).thenRefused('outcome_unknown');
    const { history } = verified();
    given(history).when(cmd.signOff(people.biz, 'technical')).thenRefused('not_in_role');
    given(history)
      .when(cmd.signOff(people.tech1, 'management'))
      .thenRefused('not_in_role', /does not sign off/);
    const signed = play([[cmd.signOff(people.tech1, 'technical')]], {}, history);
    given(signed.history).when(cmd.signOff(people.tech1, 'technical')).thenNothing();
    given(signed.history)
      .when(cmd.signOff(people.tech2, 'technical'))
      .thenRefused('wrong_phase', /already signed off/);
  });

  it('closes only after all sign-offs, once', () => {
    const { history } = verified();
    given(history)
      .when({ type: 'CloseHotfix', by: people.tech1 })
      .thenRefused('signoffs_missing', /technical, business, support/);
    const all = play(
      [
        [cmd.signOff(people.tech1, 'technical')],
        [cmd.signOff(people.biz, 'business')],
        [cmd.signOff(people.support, 'support')],
      ],
      {},
      history,
    );
    const closed = play([[{ type: 'CloseHotfix', by: people.tech1 }]], {}, all.history);
    expect(closed.state.phase).toBe('closed');
    given(closed.history).when({ type: 'CloseHotfix', by: people.tech2 }).thenNothing();
    given(closed.history)
      .when(cmd.tick('Tests passed'))
      .thenRefused('wrong_phase', /closed/);
  });
});

describe('issues, observations, documentation', () => {
  it('logs, resolves and works around issues; repeats change nothing', () => {
    const logged = play(
      [[{ type: 'LogIssue', text: 'Receipts delayed', by: people.support }]],
      {},
      monitoring().history,
    );
    given(logged.history)
      .when({ type: 'LogIssue', text: 'Receipts delayed', by: people.support })
      .thenNothing();
    given(logged.history)
      .when({ type: 'SetWorkaround', issueId: 1, text: 'resend from admin', by: people.tech1 })
      .then([{ type: 'WorkaroundSet', issueId: 1 }]);
    given(logged.history)
      .when({ type: 'ResolveIssue', issueId: 2, by: people.tech1 })
      .thenRefused('unknown_issue');
    const resolved = play([[{ type: 'ResolveIssue', issueId: 1, by: people.tech1 }]], {}, logged.history);
    given(resolved.history).when({ type: 'ResolveIssue', issueId: 1, by: people.tech1 }).thenNothing();
  });

  it('ticks documentation updates and notes lessons', () => {
    const { history } = verified();
    const ticked = play(
      [[{ type: 'TickDocumentationUpdate', item: 'system.known_issues', done: true, by: people.tech1 }]],
      {},
      history,
    );
    given(ticked.history)
      .when({ type: 'TickDocumentationUpdate', item: 'system.known_issues', done: true, by: people.tech2 })
      .thenNothing();
    given(history)
      .when({ type: 'NoteLessonsLearned', text: 'Test retries against the sandbox', by: people.tech1 })
      .then([{ type: 'LessonsLearnedNoted' }]);
  });
});

describe('cancel', () => {
  it('cancels before deploy only', () => {
    given(started().history)
      .when({ type: 'CancelHotfix', reason: 'duplicate', by: people.tech1 })
      .then([{ type: 'HotfixCancelled' }]);
    given(deploying().history)
      .when({ type: 'CancelHotfix', reason: 'x', by: people.tech1 })
      .thenRefused('wrong_phase', /abort/);
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'dup', by: people.tech1 }]],
      {},
      started().history,
    );
    given(cancelled.history).when({ type: 'CancelHotfix', reason: 'dup', by: people.tech1 }).thenNothing();
  });

  it('the edges ask before the form: cancelRefusal is the refusal decide gives, in the same words', () => {
    const signedOff = play(
      [
        [cmd.signOff(people.tech1, 'technical')],
        [cmd.signOff(people.biz, 'business')],
        [cmd.signOff(people.support, 'support')],
        [{ type: 'CloseHotfix', by: people.tech1 }],
      ],
      {},
      verified().history,
    );
    const requested = play([[cmd.deploy()]], {}, approvedAndReady().history);
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'dup', by: people.tech1 }]],
      {},
      started().history,
    );
    const cases = [
      { history: started().history, by: people.tech1, refused: null },
      { history: requested.history, by: people.tech1, refused: null },
      { history: cancelled.history, by: people.tech1, refused: null },
      { history: started().history, by: people.stranger, refused: /no role/ },
      { history: deploying().history, by: people.tech1, refused: /HF-1 is deploying\. Deploy has started/ },
      { history: signedOff.history, by: people.tech1, refused: /HF-1 is closed; nothing more can change/ },
    ];
    for (const { history, by, refused } of cases) {
      const asked = cancelRefusal(fold(history), by, policy);
      const command = { type: 'CancelHotfix' as const, reason: 'not needed', by };
      let thrown: unknown = null;
      try {
        decide(command, fold(history), { now: T0, policy });
      } catch (error) {
        thrown = error;
      }
      expect(asked).toEqual(thrown);
      if (refused === null) expect(asked).toBeNull();
      else expect(asked?.message).toMatch(refused);
    }
  });
});

describe('effects', () => {
  it('deploy request acquires the lock; a started pipeline is enqueued; a proposal schedules its expiry', () => {
    const before = approvedAndReady();
    const requested = play([[cmd.deploy()]], {}, before.history);
    expect(effectsOf(before.state, requested.history.slice(before.history.length), requested.state)).toEqual([
      { type: 'acquire-lock', hotfixId: 'HF-1', runId: 'deploy-1', services: ['payments-api'] },
    ]);
    const v = verifying();
    const failed = failedVerification();
    expect(effectsOf(v.state, failed.history.slice(v.history.length), failed.state)).toEqual([
      { type: 'schedule-vote-expiry', hotfixId: 'HF-1', voteId: 1, at: minutes(15).toISOString() },
    ]);
    expect(T0).toEqual(new Date('2026-11-26T03:00:00.000Z'));
  });
});

describe('retrying and skipping a failed step', () => {
  const off = { ...policy, rollback: { ...policy.rollback, onFailure: 'off' as const } };
  const failed = () => play([[cmd.fail(DEPLOY_STEPS.check)]], { policy: off }, verifying().history);

  it('a retry reopens the run at the failed step, and the pipeline continues', () => {
    const { history, state } = failed();
    expect(state.phase).toBe('deploy_failed');
    const events = given(history, { policy: off })
      .when({
        type: 'RetryStep',
        runId: 'deploy-1',
        step: DEPLOY_STEPS.check,
        reason: 'flaky probe',
        by: people.tech1,
      })
      .then([{ type: 'StepReopened', step: DEPLOY_STEPS.check }]);
    const after = fold(events, state);
    expect(after.phase).toBe('deploying');
    expect(after.runs[0]?.status).toBe('running');
    expect(after.runs[0]?.steps.find((s) => s.key === DEPLOY_STEPS.check)).toMatchObject({
      status: 'pending',
      attempt: 1,
    });
    expect(effectsOf(state, events, after)).toEqual([
      expect.objectContaining({ type: 'continue-pipeline', runId: 'deploy-1' }),
    ]);
    given([...history, ...events], { policy: off })
      .when({
        type: 'RetryStep',
        runId: 'deploy-1',
        step: DEPLOY_STEPS.check,
        reason: 'again',
        by: people.tech2,
      })
      .thenNothing();
  });

  it('skipping the failed step carries the run on past it', () => {
    given(failed().history, { policy: off })
      .when({
        type: 'SkipStep',
        runId: 'deploy-1',
        step: DEPLOY_STEPS.check,
        reason: 'checked by hand',
        by: people.tech1,
      })
      .then([{ type: 'StepReopened' }, { type: 'StepSkipped', step: DEPLOY_STEPS.check }]);
  });

  it('is refused once a rollback has started, and for a step that did not fail', () => {
    const rolledBack = play(
      [[cmd.fail(DEPLOY_STEPS.check)]],
      { policy: { ...policy, rollback: { ...policy.rollback, onFailure: 'execute' } } },
      verifying().history,
    );
    given(rolledBack.history)
      .when({ type: 'RetryStep', runId: 'deploy-1', step: DEPLOY_STEPS.check, reason: 'x', by: people.tech1 })
      .thenRefused('stale_step', /can no longer be retried/);
    given(failed().history, { policy: off })
      .when({ type: 'RetryStep', runId: 'deploy-1', step: DEPLOY_STEPS.code, reason: 'x', by: people.tech1 })
      .thenRefused('stale_step', /did not fail/);
  });
});
