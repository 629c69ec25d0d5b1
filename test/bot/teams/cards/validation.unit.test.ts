import { describe, expect, it } from 'vitest';
import { renderHotfixCard } from '../../../../src/bot/teams/cards/card.ts';
import { renderRecord } from '../../../../src/bot/teams/cards/record.ts';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
} from '../../../../src/bot/teams/cards/thread.ts';
import type { TeamsCard } from '../../../../src/bot/teams/cards/adaptive.ts';
import type { HotfixEvent } from '../../../../src/domain/hotfix/events.ts';
import type { Policy } from '../../../../src/domain/hotfix/policy.ts';
import { buildRecord, renderRecordMarkdown } from '../../../../src/domain/hotfix/record.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { initialState } from '../../../../src/domain/hotfix/state.ts';
import { minutes, people, policy } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import {
  approvedAndReady,
  cmd,
  deploying,
  failedVerification,
  monitoring,
  started,
  verified,
  verifying,
} from '../../../domain/scenarios.ts';
import { buildLargeHotfix, largePolicy, statesBefore } from '../../common/large-hotfix.ts';
import { MAX_CARD_BYTES, validateCard } from './validate-card.ts';

interface Case {
  readonly label: string;
  readonly state: HotfixState;
  readonly now: Date;
}

/** A small hotfix in every phase it can reach, with its whole history. */
const smallCases = (): { cases: Case[]; history: HotfixEvent[] } => {
  const cancelled = play(
    [[{ type: 'CancelHotfix', reason: 'duplicate of HF-0', by: people.requester }]],
    {},
    started().history,
  );
  const rejected = play([[cmd.reject(people.manager, 'management')]], {}, started().history);
  const rolledBack = play(
    [
      [cmd.vote(people.tech1, 'for')],
      [cmd.vote(people.manager, 'for')],
      [cmd.grant('rollback-1')],
      [cmd.startStep('execution.payments-api.0', 'rollback-1')],
      [cmd.succeed('execution.payments-api.0', 'rollback-1')],
      [cmd.startStep('verification.payments-api.0', 'rollback-1')],
      [cmd.succeed('verification.payments-api.0', 'rollback-1')],
    ],
    {},
    failedVerification().history,
  );
  const closing = play(
    [
      [cmd.signOff(people.tech1, 'technical')],
      [cmd.signOff(people.biz, 'business')],
      [cmd.signOff(people.support, 'support')],
    ],
    {},
    verified().history,
  );
  const closed = play([[{ type: 'CloseHotfix', by: people.tech1 }]], {}, closing.history);
  const now = minutes(60);
  const cases: Case[] = [
    ['initial', { state: initialState() }],
    ['started', started()],
    ['rejected', rejected],
    ['approved and ready', approvedAndReady()],
    ['deploying', deploying()],
    ['verifying', verifying()],
    ['monitoring', monitoring()],
    ['failed verification with a vote', failedVerification()],
    ['rolled back', rolledBack],
    ['verified', verified()],
    ['all signed off', closing],
    ['closed', closed],
    ['cancelled', cancelled],
  ].map(([label, s]) => ({ label: label as string, state: (s as { state: HotfixState }).state, now }));
  return { cases, history: closed.history };
};

/** Every message the Teams edge renders for a hotfix's history, labelled. */
const everything = (cases: readonly Case[], history: readonly HotfixEvent[], p: Policy, hotfixId: string) => {
  const out: [string, TeamsCard][] = [];
  for (const { label, state, now } of cases) {
    out.push([`card ${label}`, renderHotfixCard(state, { policy: p, timezone: 'Europe/Paris', now })]);
    for (const run of state.runs)
      for (const step of run.steps.filter((s) => s.kind === 'manual'))
        out.push([
          `manual ${label} ${step.key}`,
          renderManualStepPrompt(state, run.id, step.key, { instruction: 'Check the ledger', now }),
        ]);
    for (const vote of state.votes)
      out.push([`vote ${label} #${vote.id}`, renderVoteMessage(state, vote.id, { policy: p, now })]);
  }
  const befores = statesBefore(history);
  history.forEach((event, i) => {
    const line = renderThreadLine(
      { hotfixId, position: i + 1, event, prevHash: '', hash: '' },
      befores[i] ?? initialState(),
      { timezone: 'UTC' },
    );
    if (line) out.push([`line ${i} ${event.type}`, line]);
  });
  const record = buildRecord(history, { timezone: 'UTC', signoffRoles: p.signoffs });
  const markdown = renderRecordMarkdown(record);
  out.push(['record', renderRecord({ record, markdown, broken: null })]);
  out.push([
    'record, broken chain',
    renderRecord({ record, markdown, broken: 'the event chain is broken at event 3: hash mismatch' }),
  ]);
  out.push([
    'record, summary posted',
    renderRecord({ record, markdown, broken: null }, { summaryPosted: true }),
  ]);
  return out;
};

describe('every Teams card validates against Adaptive Card 1.5 and Teams', () => {
  it('for a small hotfix in every phase: the card, prompts, votes, thread lines and the record', () => {
    const { cases, history } = smallCases();
    const all = everything(cases, history, policy, 'HF-1');
    expect(all.length).toBeGreaterThan(40);
    expect(cases.map((c) => c.state.phase)).toEqual([
      'none',
      'planned',
      'planned',
      'planned',
      'deploying',
      'deploying',
      'monitoring',
      'deploy_failed',
      'rolled_back',
      'verified',
      'verified',
      'closed',
      'cancelled',
    ]);
    for (const [label, { card, summary }] of all) {
      expect(validateCard(card), label).toEqual([]);
      expect(summary.length, label).toBeGreaterThan(0);
    }
  });

  it('for an extreme hotfix (10 services, 40 steps, long texts) at every snapshot, each under 80 KB', () => {
    const large = buildLargeHotfix();
    const cases = large.snapshots.map((s) => ({ label: s.label, state: s.state, now: s.now }));
    const all = everything(cases, large.history, largePolicy, 'HF-1042');
    for (const [label, { card }] of all) {
      expect(validateCard(card), label).toEqual([]);
      expect(Buffer.byteLength(JSON.stringify(card)), label).toBeLessThanOrEqual(MAX_CARD_BYTES);
    }
  });
});
