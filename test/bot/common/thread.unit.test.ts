import { describe, expect, it } from 'vitest';
import type { NoticeWording } from '../../../src/bot/common/run-command.ts';
import { runCommand } from '../../../src/bot/common/run-command.ts';
import {
  manualInstruction,
  threadFollowUp,
  threadLine,
  voteProgress,
} from '../../../src/bot/common/thread.ts';
import { times } from '../../../src/bot/common/times.ts';
import { RuleViolation } from '../../../src/domain/hotfix/errors.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../../src/domain/hotfix/state.ts';
import { ConcurrencyError } from '../../../src/service/handler.ts';
import { lockHoldersOf } from '../../../src/main/lock-holders.ts';
import { minutes, people, policy } from '../../domain/fixtures/policy.ts';
import { cmd, DEPLOY_STEPS, failedVerification, monitoring, verifying } from '../../domain/scenarios.ts';

/** Each event of a history with the state just before it. */
const lines = (history: readonly HotfixEvent[]) => {
  let before: HotfixState = initialState();
  return history.map((event) => {
    const line = threadLine(event, before);
    before = evolve(before, event);
    return { type: event.type, line };
  });
};

describe('what a thread line says, on either edge', () => {
  it('names who acted, states outcomes without an actor, shows a failed step its output, skips passing checks', () => {
    const all = lines(failedVerification().history);
    const of = (type: string) => all.find((l) => l.type === type)?.line;
    expect(of('HotfixStarted')).toMatchObject({ emoji: '🔥', actor: people.requester, output: null });
    expect(of('StepStarted')).toMatchObject({
      actor: null,
      description: 'Started preparation step “System backup” (payments-api)',
    });
    expect(of('StepFailed')).toMatchObject({ emoji: '❌', actor: null });
    expect(of('StepFailed')?.description).toMatch(/^[A-Z]/);
    const failed = failedVerification().history.find((e) => e.type === 'StepFailed');
    expect(of('StepFailed')?.output).toBe(failed?.type === 'StepFailed' ? failed.output : undefined);
    const passed = lines(monitoring().history).filter((l) => l.type === 'MonitorCheckPassed');
    expect(passed.every((l) => l.line === null)).toBe(true);
  });

  it('reads a rollback vote once: tally, who is yet to vote, status and the summary line', () => {
    const { state } = failedVerification();
    const vote = state.votes[0];
    if (!vote) throw new Error('the failed check opens a vote');
    const t = times('UTC', new Date(Date.parse(vote.proposedAt) + 60_000));
    const progress = voteProgress(state.id, vote, policy, t);
    expect(progress.open).toBe(true);
    expect(progress.status).toMatch(/^open · expires \d\d:\d\d \(in 14m\)$/);
    expect(progress.ballots).toEqual([]);
    expect(progress.waiting).toBeGreaterThan(0);
    expect(progress.summary).toBe(
      'Rollback vote #1 on HF-1: 0 for, 0 against (quorum 2, needs management) — open',
    );
    const late = voteProgress(state.id, vote, policy, times('UTC', new Date(Date.parse(vote.expiresAt))));
    expect(late).toMatchObject({ open: false, status: expect.stringMatching(/; closing$/) });
  });

  it("finds a manual step's instruction in the spec recorded with its run, not in today's config", () => {
    const { state } = verifying();
    const run = state.runs[0];
    if (!run) throw new Error('a deploy run');
    const changed = {
      services: {
        'payments-api': {
          ...policy.services['payments-api'],
          deploy: { verification: [] },
        },
      },
    } as unknown as Parameters<typeof manualInstruction>[0];
    expect(manualInstruction(changed, state, run.id, DEPLOY_STEPS.manual)).toBe(
      'User validation: check it by hand, then confirm in the thread',
    );
    expect(manualInstruction(changed, state, run.id, DEPLOY_STEPS.code)).toBeUndefined();
    expect(manualInstruction(changed, state, 'no-such-run', DEPLOY_STEPS.manual)).toBeUndefined();
  });
});

describe('what else an event changes in the thread, on either edge', () => {
  it('posts a manual prompt when the step starts and redraws it once answered; votes; the record on close', () => {
    let state: HotfixState = initialState();
    const followUps = monitoring().history.map((event) => {
      state = evolve(state, event);
      return [event.type, threadFollowUp(event, state)] as const;
    });
    const of = (type: string) => followUps.filter(([t]) => t === type).map(([, f]) => f);
    expect(of('StepStarted')).toEqual([
      null,
      null,
      null,
      { kind: 'step-prompt', runId: 'deploy-1', step: DEPLOY_STEPS.manual, ifPosted: false },
    ]);
    expect(of('ManualStepConfirmed')).toEqual([
      { kind: 'step-prompt', runId: 'deploy-1', step: DEPLOY_STEPS.manual, ifPosted: true },
    ]);
    expect(of('StepSucceeded').every((f) => f === null)).toBe(true);
    expect(of('PlanApproved')).toEqual([null, null]);
    const failed = failedVerification();
    const proposed = failed.history.find((e) => e.type === 'RollbackProposed');
    expect(proposed && threadFollowUp(proposed, failed.state)).toEqual({ kind: 'vote', voteId: 1 });
    const closed = { type: 'HotfixClosed', at: minutes(90).toISOString(), by: people.tech1 } as HotfixEvent;
    expect(threadFollowUp(closed, failed.state)).toEqual({ kind: 'record' });
  });
});

describe('running a command for either edge', () => {
  const wording: NoticeWording = {
    refusal: (code, message) => `refused ${code}: ${message}`,
    repeat: (hotfixId, command) => `again ${hotfixId} ${command.type}`,
    failureLog: 'edge command failed',
  };
  const logged: string[] = [];
  const log = { error: (_obj: object, msg: string) => void logged.push(msg) };
  const handling = (outcome: () => Promise<{ events: unknown[] }>) => ({
    handler: { handle: outcome } as never,
    log,
  });
  const approve = cmd.approve(people.tech1, 'technical');

  it("answers in the edge's words: recorded, refused, repeated, a conflict, or our failure (logged)", async () => {
    const recorded = { events: [{}], state: initialState(), version: 1 };
    expect(
      await runCommand(
        handling(async () => recorded),
        wording,
        'HF-1',
        approve,
      ),
    ).toEqual({
      recorded: true,
      handled: recorded,
    });
    const refused = await runCommand(
      handling(async () => {
        throw new RuleViolation('self_approval', 'You cannot approve your own plan.');
      }),
      wording,
      'HF-1',
      approve,
    );
    expect(refused).toEqual({
      recorded: false,
      notice: 'refused self_approval: You cannot approve your own plan.',
    });
    expect(
      await runCommand(
        handling(async () => ({ events: [] })),
        wording,
        'HF-1',
        approve,
      ),
    ).toEqual({
      recorded: false,
      notice: 'again HF-1 ApprovePlan',
    });
    const conflict = await runCommand(
      handling(async () => {
        throw new ConcurrencyError('HF-1', 5);
      }),
      wording,
      'HF-1',
      approve,
    );
    expect(conflict).toEqual({ recorded: false, notice: `⏳ ${new ConcurrencyError('HF-1', 5).message}` });
    expect(logged).toEqual([]);
    const broken = await runCommand(
      handling(async () => {
        throw new Error('redis went away');
      }),
      wording,
      'HF-1',
      approve,
    );
    expect(broken).toMatchObject({
      recorded: false,
      notice: expect.stringMatching(/^⚠️ Something went wrong/),
    });
    expect(logged).toEqual(['edge command failed']);
  });
});

describe('the lock holders both edges show on cards', () => {
  it('asks once per service and lists only the held ones', async () => {
    const asked: string[] = [];
    const since = minutes(3).toISOString();
    const holders = lockHoldersOf({
      holder: async (service) => {
        asked.push(service);
        return service === 'ledger' ? { hotfixId: 'HF-9', runId: 'deploy-1', since } : null;
      },
    });
    expect(await holders(['payments-api', 'ledger', 'ledger'])).toEqual({
      ledger: { hotfixId: 'HF-9', since },
    });
    expect(asked.sort()).toEqual(['ledger', 'payments-api']);
  });
});
