import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import { displayName, personKey } from '../../src/domain/hotfix/people.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import { identify, keyOf, membersOf, rolesOf } from '../../src/domain/hotfix/policy.ts';
import { approvalGate, tally } from '../../src/domain/hotfix/queries.ts';
import { buildRecord } from '../../src/domain/hotfix/record.ts';
import { describeEvent } from '../../src/domain/hotfix/describe-event.ts';
import { given, play } from './given.ts';
import { minutes, people, plan, worker } from './fixtures/policy.ts';
import { personsCmd, personsPolicy, roleFormPolicyWithTeamIds, slack, teams } from './fixtures/persons.ts';
import { act, cmd, DEPLOY_STEPS } from './scenarios.ts';

const policy = personsPolicy;
const ctx = { policy };
const run = (steps: readonly HotfixCommand[], history: HotfixEvent[] = []) =>
  play(
    steps.map((c) => [c] as const),
    ctx,
    history,
  );

const started = (by: Person = slack('dana')) => run([personsCmd.start(by)]);
const ticks = [
  ...policy.checklists.code_readiness.map((i) => cmd.tick(i, slack('tara'))),
  ...policy.checklists.environment_readiness.map((i) => cmd.tick(i, slack('tara'))),
];
const verifying = () =>
  run(
    [
      personsCmd.approve(teams('tara'), 'technical'),
      personsCmd.approve(slack('mia'), 'management'),
      ...ticks,
      cmd.deploy(slack('tara')),
      cmd.grant(),
      cmd.startStep(DEPLOY_STEPS.backup),
      cmd.succeed(DEPLOY_STEPS.backup),
      cmd.startStep(DEPLOY_STEPS.code),
      cmd.succeed(DEPLOY_STEPS.code),
      cmd.startStep(DEPLOY_STEPS.check),
    ],
    started().history,
  );
const voting = () => run([cmd.fail(DEPLOY_STEPS.check)], verifying().history);
const verified = () =>
  play(
    [
      [cmd.succeed(DEPLOY_STEPS.check)],
      [cmd.startStep(DEPLOY_STEPS.manual)],
      [cmd.confirm(DEPLOY_STEPS.manual, teams('bea')), minutes(5)],
      [act.monitor('payments-api/Health', 1, 'status 200', worker), minutes(10)],
      [{ type: 'CloseMonitoringWindow', by: worker }, minutes(40)],
    ],
    ctx,
    verifying().history,
  );

describe('the policy knows a person by their handle, on either platform', () => {
  it('identifies a platform identity as the configured person, with the configured name', () => {
    expect(identify(policy, teams('lee'))).toEqual({
      platform: 'teams',
      id: 'aad-lee',
      person: 'lee',
      name: 'Lee Lead',
    });
    expect(keyOf(policy, slack('lee'))).toBe('person:lee');
    expect(keyOf(policy, teams('lee'))).toBe('person:lee');
    expect(rolesOf(policy, teams('lee'))).toEqual(['technical', 'management']);
    expect(displayName(identify(policy, slack('sam')))).toBe('Sam Support');
  });

  it('does not trust a recorded handle over the platform id, and leaves strangers and the system as they are', () => {
    expect(keyOf(policy, { platform: 'slack', id: 'U0TECH2', person: 'lee' })).toBe('person:theo');
    expect(identify(policy, people.stranger)).toEqual(people.stranger);
    expect(identify(policy, worker)).toEqual(worker);
    expect(rolesOf(policy, { platform: 'teams', id: 'U0LEAD' })).toEqual([]);
  });

  it('counts each human once among the members of roles', () => {
    expect(membersOf(policy, ['technical', 'management'])).toEqual(
      new Set(['person:dana', 'person:tara', 'person:theo', 'person:mia', 'person:lee', 'person:kim']),
    );
  });
});

describe('one person across Slack and Teams', () => {
  it('records the handle and the configured name with every event, whichever platform they act from', () => {
    const [event] = given(started().history, ctx)
      .when(personsCmd.approve(teams('tara'), 'technical'))
      .events();
    expect(event?.by).toEqual({ platform: 'teams', id: 'aad-tara', person: 'tara', name: 'Tara Tech' });
  });

  it('refuses the approval of a plan written in Slack by its author on Teams', () => {
    given(started(slack('dana')).history, ctx)
      .when(personsCmd.approve(teams('dana'), 'technical'))
      .thenRefused('self_approval');
    // ...and the other way round.
    given(started(teams('dana')).history, ctx)
      .when(personsCmd.approve(slack('dana'), 'technical'))
      .thenRefused('self_approval');
  });

  it('lets one person answer for one role only, from either platform', () => {
    const { history } = run([personsCmd.approve(slack('lee'), 'technical')], started().history);
    given(history, ctx)
      .when(personsCmd.approve(teams('lee'), 'management'))
      .thenRefused('one_role_per_person', /already answered as technical/);
    given(history, ctx)
      .when(personsCmd.reject(teams('lee'), 'management'))
      .thenRefused('one_role_per_person');
  });

  it('counts a second approval from the other platform as the same approver', () => {
    const twoTechnical: Policy = { ...policy, approvals: { technical: 2, management: 1 } };
    const { history, state } = play(
      [[personsCmd.approve(slack('tara'), 'technical')], [personsCmd.approve(slack('mia'), 'management')]],
      { policy: twoTechnical },
      started().history,
    );
    given(history, { policy: twoTechnical })
      .when(personsCmd.approve(teams('tara'), 'technical'))
      .thenNothing();
    expect(approvalGate(state, twoTechnical).roles).toContainEqual({ role: 'technical', have: 1, need: 2 });
    // Two different people are still two approvers.
    const both = play([[personsCmd.approve(slack('theo'), 'technical')]], { policy: twoTechnical }, history);
    expect(approvalGate(both.state, twoTechnical)).toMatchObject({ ok: true });
  });

  it('takes a rejection from the other platform as the same person changing their mind', () => {
    const { history } = run(
      [
        personsCmd.approve(slack('tara'), 'technical'),
        personsCmd.reject(teams('tara'), 'technical', 'wrong version'),
      ],
      started().history,
    );
    const { state } = run([], history);
    expect(approvalGate(state, policy)).toMatchObject({ ok: false, rejectedBy: ['technical'] });
    expect(state.approvals).toEqual([]);
  });

  it('gives each human one ballot: a second one from the other platform repeats or changes it', () => {
    const { history } = run([cmd.vote(slack('lee'), 'for')], voting().history);
    given(history, ctx)
      .when(cmd.vote(teams('lee'), 'for'))
      .thenNothing();
    const changed = run([cmd.vote(teams('lee'), 'against')], history);
    const vote = changed.state.votes[0];
    expect(vote && tally(vote, policy)).toMatchObject({ for: 0, against: 1 });
    expect(Object.keys(vote?.ballots ?? {})).toEqual(['person:lee']);
    // Mia (management) and Lee make the quorum of 2 only as two people.
    given(history, ctx)
      .when(cmd.vote(teams('mia'), 'for'))
      .then([
        { type: 'VoteCast' },
        { type: 'VotePassed', for: 2, against: 0 },
        { type: 'RollbackStarted' },
        { type: 'PipelineStarted' },
      ]);
  });

  it('lets one person sign off for one role only, from either platform', () => {
    const { history } = run([cmd.signOff(slack('kim'), 'technical')], verified().history);
    given(history, ctx)
      .when(cmd.signOff(teams('kim'), 'technical'))
      .thenNothing();
    given(history, ctx)
      .when(cmd.signOff(teams('kim'), 'business'))
      .thenRefused('one_role_per_person', /already signed off as technical/);
    given(history, ctx)
      .when(cmd.signOff(teams('tara'), 'technical'))
      .thenRefused('wrong_phase', /already signed off by Kim Both/);
  });

  it('lets a Teams-only person confirm a manual step, and a repeat from the other platform change nothing', () => {
    const confirmed = play(
      [
        [cmd.succeed(DEPLOY_STEPS.check)],
        [cmd.startStep(DEPLOY_STEPS.manual)],
        [cmd.confirm(DEPLOY_STEPS.manual, teams('kim'))],
      ],
      ctx,
      verifying().history,
    );
    expect(confirmed.history.find((e) => e.type === 'ManualStepConfirmed')?.by).toMatchObject({
      person: 'kim',
    });
    given(confirmed.history, ctx)
      .when(cmd.confirm(DEPLOY_STEPS.manual, slack('kim')))
      .thenNothing();
    given(confirmed.history, ctx)
      .when(cmd.confirm(DEPLOY_STEPS.manual, slack('tara')))
      .thenRefused('stale_step', /already confirmed/);
  });

  it("names the plan's people as the config does, and an unchanged edit keeps the plan's hash", () => {
    const withTeam = {
      ...plan,
      resources: { ...plan.resources, business: [{ platform: 'teams' as const, id: 'aad-bea' }] },
    };
    const first = play([[personsCmd.start(slack('dana'), withTeam)]], ctx);
    const { history, state } = play(
      [[cmd.approve(teams('tara'), 'technical', first.state.planHash)]],
      ctx,
      first.history,
    );
    expect(state.approvals).toHaveLength(1);
    expect(state.plan.resources.business).toEqual([
      { platform: 'teams', id: 'aad-bea', person: 'bea', name: 'Bea Business' },
    ]);
    given(history, ctx)
      .when({ type: 'EditPlan', plan: state.plan, by: slack('dana') })
      .thenNothing();
    given(history, ctx)
      .when({ type: 'EditPlan', plan: withTeam, by: slack('dana') })
      .thenNothing();
  });

  it('keeps two different people distinct', () => {
    expect(keyOf(policy, slack('tara'))).not.toBe(keyOf(policy, teams('dana')));
    given(started(slack('dana')).history, ctx)
      .when(personsCmd.approve(teams('tara'), 'technical'))
      .then([{ type: 'PlanApproved', role: 'technical' }]);
  });
});

describe('events recorded before the team switched to the persons form', () => {
  // The same hotfix, its first events decided under the role form: they carry platform ids, no handle.
  const oldStart = () => play([[cmd.start(slack('dana'))]], { policy: roleFormPolicyWithTeamIds() });

  it('carry no handle, and the author is still the same human from Teams', () => {
    const { history } = oldStart();
    expect(history[0]?.by).not.toHaveProperty('person');
    expect(personKey(history[0]!.by)).toBe('slack:U0DEV');
    given(history, ctx)
      .when(cmd.approve(teams('dana'), 'technical'))
      .thenRefused('self_approval');
  });

  it('an old approval and a new one from the other platform are one approver; an old ballot and a new one one voter', () => {
    const old = play(
      [[cmd.approve(slack('lee'), 'technical')]],
      { policy: roleFormPolicyWithTeamIds() },
      oldStart().history,
    );
    given(old.history, ctx)
      .when(cmd.approve(teams('lee'), 'technical'))
      .thenNothing();
    given(old.history, ctx)
      .when(cmd.approve(teams('lee'), 'management'))
      .thenRefused('one_role_per_person');

    const opened = voting().history;
    const oldBallot = play(
      [[cmd.vote(slack('lee'), 'for')]],
      { policy: roleFormPolicyWithTeamIds() },
      opened,
    );
    expect(Object.keys(oldBallot.state.votes[0]?.ballots ?? {})).toEqual(['slack:U0LEAD']);
    given(oldBallot.history, ctx)
      .when(cmd.vote(teams('lee'), 'for'))
      .thenNothing();
    const changed = run([cmd.vote(teams('lee'), 'against')], oldBallot.history);
    expect(tally(changed.state.votes[0]!, policy)).toMatchObject({ for: 0, against: 1 });
  });
});

describe('the record', () => {
  it('names people as the config does, and keeps one ballot per human, old events included', () => {
    const opened = voting().history;
    const oldBallot = play(
      [[cmd.vote(slack('lee'), 'for')]],
      { policy: roleFormPolicyWithTeamIds() },
      opened,
    );
    const { history } = run([cmd.vote(teams('lee'), 'against')], oldBallot.history);
    const record = buildRecord(history, { timezone: 'UTC', identify: (who) => identify(policy, who) });
    expect(new Set(record.timeline.map((t) => t.by.name))).toEqual(
      new Set(['Dana Dev', 'Tara Tech', 'Mia Manager', 'Lee Lead', 'hotfix worker']),
    );
    expect(record.timeline.find((t) => t.by.name === 'Lee Lead')?.by).toMatchObject({ person: 'lee' });
    const ballots = record.rollback.votes[0]?.ballots ?? [];
    expect(ballots.map((b) => [b.by.name, b.choice, b.changedFrom.map((c) => c.choice)])).toEqual([
      ['Lee Lead', 'against', ['for']],
    ]);
    // Without the config, the record shows what the events hold.
    const raw = buildRecord(oldBallot.history, { timezone: 'UTC' });
    expect(raw.timeline.find((t) => t.type === 'VoteCast')?.by).toEqual({
      platform: 'slack',
      id: 'U0LEAD',
      name: 'lee on slack',
    });
  });
});

describe('thread lines', () => {
  it('say a person changed their vote when their first ballot predates the persons form', () => {
    const oldBallot = play(
      [[cmd.vote(slack('lee'), 'for')]],
      { policy: roleFormPolicyWithTeamIds() },
      voting().history,
    );
    const [cast] = given(oldBallot.history, ctx)
      .when(cmd.vote(slack('lee'), 'against'))
      .events();
    expect(cast && describeEvent(cast, oldBallot.state)).toMatch(/^changed their vote from for to against/);
  });
});
