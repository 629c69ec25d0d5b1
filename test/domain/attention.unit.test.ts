import { describe, expect, it } from 'vitest';
import type { Call } from '../../src/domain/hotfix/attention.ts';
import { callOf, lastOfCommand } from '../../src/domain/hotfix/attention.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { Policy } from '../../src/domain/hotfix/policy.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../src/domain/hotfix/state.ts';
import { personsCmd, personsPlan, personsPolicy, slack, teams } from './fixtures/persons.ts';
import { minutes, people, plan, policy } from './fixtures/policy.ts';
import { play } from './given.ts';
import {
  cmd,
  DEPLOY_STEPS,
  failedVerification,
  monitoring,
  observed,
  started,
  verifying,
} from './scenarios.ts';

/** The call each event's thread line makes, as the notifier works it out: by type, with the keys called. */
const calls = (history: readonly HotfixEvent[], p: Policy = policy) => {
  const states: HotfixState[] = [initialState()];
  for (const event of history) states.push(evolve(states.at(-1)!, event));
  return history.map((event, i) => {
    const call = callOf(
      event,
      { before: states[i]!, after: states[i + 1]!, decided: states[lastOfCommand(history, i) + 1]! },
      p,
    );
    return { type: event.type, call };
  });
};
const keys = (call: Call | null | undefined) => call?.people.map((w) => w.key) ?? [];
const callFor = (history: readonly HotfixEvent[], type: HotfixEvent['type'], p: Policy = policy) =>
  calls(history, p).filter((c) => c.type === type && c.call !== null);

describe('who a thread line calls on', () => {
  it('a started plan calls every approver but its author, each human once', () => {
    const [only, ...more] = callFor(started().history, 'HotfixStarted');
    expect(more).toEqual([]);
    expect(only?.call?.ask).toBe('approve');
    // Lee holds technical and management: one mention. Dana wrote the plan.
    expect(keys(only?.call)).toEqual(['slack:U0TECH1', 'slack:U0TECH2', 'slack:U0LEAD', 'slack:U0MGR1']);
  });

  it('calls the author too when self-approval is on', () => {
    const selfApproving = { ...policy, selfApproval: true };
    const history = play([[cmd.start()]], { policy: selfApproving }).history;
    expect(keys(callFor(history, 'HotfixStarted', selfApproving)[0]?.call)).toContain('slack:U0DEV');
  });

  it('an edit that voids approvals calls the approvers again; an edit with nothing to void calls nobody', () => {
    const approved = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history);
    const edited = play(
      [[{ type: 'EditPlan', plan: { ...plan, version: '2.3.2' }, by: people.tech2 }]],
      {},
      approved.history,
    );
    const voided = callFor(edited.history, 'ApprovalsVoided');
    expect(voided).toHaveLength(1);
    // Theo edited it, so he is an author now; Tara's approval was voided, so she is asked again.
    expect(keys(voided[0]?.call)).toEqual(['slack:U0TECH1', 'slack:U0LEAD', 'slack:U0MGR1']);
    const quiet = play(
      [[{ type: 'EditPlan', plan: { ...plan, version: '2.3.3' }, by: people.tech2 }]],
      {},
      started().history,
    );
    expect(callFor(quiet.history, 'PlanEdited')).toEqual([]);
  });

  it('a waiting manual step calls who can confirm it', () => {
    const history = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).history;
    const manual = callFor(history, 'StepStarted');
    expect(manual).toHaveLength(1);
    expect(manual[0]?.call?.ask).toBe('confirm');
    // User validation: business or technical.
    expect(new Set(keys(manual[0]?.call))).toEqual(
      new Set(['slack:U0BIZ1', 'slack:U0DEV', 'slack:U0TECH1', 'slack:U0TECH2', 'slack:U0LEAD']),
    );
  });

  it('a vote calls the eligible voters, leaving out a proposer who voted with the proposal', () => {
    const automatic = callFor(failedVerification().history, 'RollbackProposed');
    expect(automatic[0]?.call?.ask).toBe('vote');
    expect(keys(automatic[0]?.call)).toHaveLength(6);
    const proposed = play(
      [
        [
          { type: 'ProposeRollback', trigger: 'critical_error', reason: 'errors up', by: people.tech1 },
          minutes(6),
        ],
      ],
      {},
      monitoring().history,
    );
    const byPerson = callFor(proposed.history, 'RollbackProposed');
    expect(keys(byPerson[0]?.call)).not.toContain('slack:U0TECH1');
    expect(keys(byPerson[0]?.call)).toHaveLength(5);
  });

  it('the outcome calls the sign-off roles once it stays known; a failure that opens a vote does not', () => {
    const verified = play(
      [[{ type: 'CloseMonitoringWindow', by: { platform: 'system', id: 'timer' } }, minutes(40)]],
      {},
      observed().history,
    );
    const signOff = calls(verified.history).filter((c) => c.call?.ask === 'sign_off');
    expect(signOff.map((c) => c.type)).toEqual(['MonitoringWindowClosed']);
    expect(new Set(keys(signOff[0]?.call))).toEqual(
      new Set([
        'slack:U0DEV',
        'slack:U0TECH1',
        'slack:U0TECH2',
        'slack:U0LEAD',
        'slack:U0BIZ1',
        'slack:U0SUP1',
      ]),
    );
    // The failed check opened a vote in the same command: the outcome is not known yet.
    expect(calls(failedVerification().history).filter((c) => c.call?.ask === 'sign_off')).toEqual([]);
  });

  it('a reminder calls who is missing and the escalation role, each once', () => {
    const reminder: HotfixEvent = {
      type: 'ReminderSent',
      at: minutes(20).toISOString(),
      by: { platform: 'system', id: 'timer' },
      about: 'approval',
      subject: 'x',
      round: 2,
      missing: [people.lead],
      escalatedTo: 'management',
    };
    const [call] = callFor([...started().history, reminder], 'ReminderSent');
    expect(call?.call?.ask).toBe('approve');
    expect(keys(call?.call)).toEqual(['slack:U0LEAD', 'slack:U0MGR1']);
  });

  it('under the persons form, one human with two roles and two platforms is one entry with both ids', () => {
    const history = play([[personsCmd.start(slack('dana'), personsPlan)]], { policy: personsPolicy }).history;
    const [call] = callFor(history, 'HotfixStarted', personsPolicy);
    const kim = call?.call?.people.filter((w) => w.key === 'person:kim') ?? [];
    expect(kim).toHaveLength(1);
    expect(kim[0]?.identities.map((p) => p.platform)).toEqual(['slack', 'teams']);
    expect(keys(call?.call)).not.toContain('person:dana');
    // Approving from Teams takes Tara off the list on both platforms.
    const answered = play(
      [[personsCmd.approve(teams('tara'), 'technical')]],
      { policy: personsPolicy },
      history,
    );
    const again = play(
      [[{ type: 'EditPlan', plan: { ...personsPlan, version: '9.9.9' }, by: slack('lee') }]],
      { policy: personsPolicy },
      answered.history,
    );
    expect(keys(callFor(again.history, 'ApprovalsVoided', personsPolicy)[0]?.call)).toContain('person:tara');
  });
});
