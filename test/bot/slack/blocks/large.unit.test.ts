import { describe, expect, it } from 'vitest';
import type { HotfixEvent } from '../../../../src/domain/hotfix/events.ts';
import { personKey } from '../../../../src/domain/hotfix/people.ts';
import type { Policy } from '../../../../src/domain/hotfix/policy.ts';
import { fold } from '../../../../src/domain/hotfix/state.ts';
import { renderCard } from '../../../../src/bot/slack/blocks/card.ts';
import { renderHome } from '../../../../src/bot/slack/blocks/home.ts';
import { checkBlockKit, checkView, totalText } from '../../../../src/bot/slack/blocks/limits.ts';
import {
  renderCancelModal,
  renderIssueModal,
  renderLessonsModal,
  renderPlanModal,
  renderRejectModal,
  renderRollbackModal,
} from '../../../../src/bot/slack/blocks/modals.ts';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
} from '../../../../src/bot/slack/blocks/thread.ts';
import { buildRecord } from '../../../../src/domain/hotfix/record.ts';
import { recordSummary } from '../../../../src/bot/slack/record.ts';
import {
  buildLargeHotfix,
  crew,
  largePlan,
  largePolicy,
  SERVICES,
  statesBefore,
} from '../../common/large-hotfix.ts';

const large = buildLargeHotfix();
const options = (now: Date) => ({ policy: largePolicy, timezone: 'Europe/Paris', now });

describe('a very large hotfix fits every Block Kit limit', () => {
  it('plays through every phase', () => {
    expect(large.final.phase).toBe('closed');
    expect(large.final.runs[0]?.steps).toHaveLength(40);
    expect(large.final.plan.services).toHaveLength(10);
    expect(large.snapshots.map((s) => s.state.phase)).toEqual(
      expect.arrayContaining(['planned', 'deploy_failed', 'deploying', 'monitoring', 'verified', 'closed']),
    );
  });

  it.each(large.snapshots.map((s) => [s.label, s] as const))('card while %s', (_label, snap) => {
    const card = renderCard(snap.state, {
      ...options(snap.now),
      lockHolders: { [SERVICES[1] as string]: { hotfixId: 'HF-7', since: '2026-11-26T02:41:00.000Z' } },
    });
    expect(checkBlockKit({ kind: 'message', ...card })).toEqual([]);
    expect(totalText(card.blocks)).toBeLessThan(12_000);
    expect(card.blocks[0]).toMatchObject({ type: 'header' });
    // User text never reaches Slack as a live mention or link.
    expect(JSON.stringify(card)).not.toMatch(/<!channel>|<@U0EVIL>|<https:\/\/evil/);
  });

  it('pages the 12-item checklist into checkboxes of at most 10', () => {
    const card = renderCard(large.snapshots[1]!.state, options(large.snapshots[1]!.now));
    const boxes = card.blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.filter((e) => e.type === 'checkboxes') : [],
    );
    expect(boxes.map((b) => (b.type === 'checkboxes' ? b.options.length : 0))).toEqual([10, 2, 6]);
  });

  it('every thread line', () => {
    const before = statesBefore(large.history);
    let lines = 0;
    large.stored.forEach((stored, i) => {
      const line = renderThreadLine(stored, before[i]!, { timezone: 'Europe/Paris' });
      if (line === null) return;
      lines++;
      expect(checkBlockKit({ kind: 'message', ...line }), stored.event.type).toEqual([]);
      expect(JSON.stringify(line)).not.toMatch(/<!channel>|<!here>|<@U0EVIL>/);
    });
    expect(lines).toBeGreaterThan(150);
  });

  it('manual step prompts and vote messages at every snapshot', () => {
    for (const snap of large.snapshots) {
      for (const run of snap.state.runs)
        for (const step of run.steps.filter((s) => s.kind === 'manual')) {
          const prompt = renderManualStepPrompt(snap.state, run.id, step.key, {
            policy: largePolicy,
            instruction: 'Place a test order and refund it. '.repeat(100),
            timezone: 'UTC',
            now: snap.now,
          });
          expect(checkBlockKit({ kind: 'message', ...prompt })).toEqual([]);
        }
      for (const vote of snap.state.votes) {
        const message = renderVoteMessage(snap.state, vote.id, { policy: largePolicy, now: snap.now });
        expect(checkBlockKit({ kind: 'message', ...message })).toEqual([]);
      }
    }
  });

  it('the deployment record as a message, with a sound chain and with a broken one', () => {
    const record = buildRecord(large.history, {
      timezone: 'Europe/Paris',
      signoffRoles: largePolicy.signoffs,
    });
    for (const broken of [null, 'the event chain is broken at event 7: hash mismatch']) {
      const message = recordSummary({ record, markdown: '', broken });
      expect(checkBlockKit({ kind: 'message', ...message })).toEqual([]);
      expect(totalText(message.blocks)).toBeLessThan(12_000);
      expect(JSON.stringify(message)).not.toMatch(/<!channel>|<@U0EVIL>|<https:\/\/evil/);
      const text = JSON.stringify(message.blocks);
      expect(text).toContain(broken === null ? 'hash chain verified' : 'broken at event 7');
    }
    const text = JSON.stringify(recordSummary({ record, markdown: '', broken: null }));
    expect(text).toContain(`Deployment record · ${record.hotfixId}`);
    expect(text).toContain('✅ Deployed');
    expect(text).toContain('Deploy ✅ succeeded');
  });

  it('every modal, the plan modal prefilled with the large plan', () => {
    const plan = large.final.plan;
    const views = [
      renderPlanModal({ services: SERVICES, people: largePolicy.people, initial: plan, hotfixId: 'HF-1042' }),
      renderPlanModal({
        services: Array.from({ length: 250 }, (_, i) => `svc-${i}-${'x'.repeat(80)}`),
        people: largePolicy.people,
        errors: { plan_version: 'x'.repeat(5000) },
      }),
      renderRejectModal({ hotfixId: 'HF-1042', planHash: large.final.planHash, role: 'technical' }),
      renderRollbackModal({ hotfixId: 'HF-1042', reason: 'r'.repeat(5000) }),
      renderCancelModal({ hotfixId: 'HF-1042', planHash: large.final.planHash }),
      renderIssueModal({ hotfixId: 'HF-1042', text: 'i'.repeat(5000) }),
      renderLessonsModal({ hotfixId: 'HF-1042', noted: large.final.lessons.map((l) => l.text) }),
    ];
    for (const view of views) expect(checkView(view), view.callback_id).toEqual([]);
  });

  it('App Home of each kind of person, with many open hotfixes', () => {
    const open = large.snapshots.filter((s) => s.state.phase !== 'closed');
    const states = Array.from({ length: 60 }, (_, i) => {
      const snap = open[i % open.length]!;
      return { ...snap.state, id: `HF-${2000 + i}` };
    });
    const now = large.snapshots[4]!.now;
    for (const person of [crew.requester, crew.tech[5]!, crew.mgmt[2]!, crew.biz[0]!, crew.sup[2]!]) {
      const home = renderHome(states, personKey(person), options(now));
      expect(checkView(home)).toEqual([]);
    }
  });
});

describe('absurd configurations still render within the limits', () => {
  it('60-item checklists, 30 approval roles, 150 services, 200 issues', () => {
    const roles = Array.from({ length: 30 }, (_, i) => `role_${i}_${'r'.repeat(40)}`);
    const services = Array.from({ length: 150 }, (_, i) => `svc-${i}-${'s'.repeat(60)}`);
    const policy: Policy = {
      ...largePolicy,
      people: Object.fromEntries(roles.map((r, i) => [r, [{ platform: 'slack', id: `U0R${i}` }]])),
      approvals: Object.fromEntries(roles.map((r) => [r, 2])),
      signoffs: roles,
      checklists: {
        code_readiness: Array.from({ length: 60 }, (_, i) => `Code item ${i} ${'c'.repeat(120)}`),
        environment_readiness: Array.from({ length: 60 }, (_, i) => `Env item ${i} ${'e'.repeat(120)}`),
      },
      services: Object.fromEntries(services.map((s) => [s, largePolicy.services[SERVICES[0] as string]!])),
    };
    const by = { platform: 'slack' as const, id: 'U0R0' };
    const at = '2026-11-26T03:00:00.000Z';
    const events: HotfixEvent[] = [
      {
        type: 'HotfixStarted',
        id: 'HF-9',
        plan: { ...largePlan, services },
        planHash: 'h',
        checklists: {
          code_readiness: [...policy.checklists.code_readiness],
          environment_readiness: [...policy.checklists.environment_readiness],
        },
        at,
        by,
      },
      ...policy.checklists.code_readiness.map((item): HotfixEvent => ({
        type: 'ChecklistItemTicked',
        checklist: 'code_readiness',
        item,
        automatic: true,
        evidence: 'e'.repeat(500),
        at,
        by,
      })),
      ...roles.map((role, i): HotfixEvent => ({
        type: 'PlanApproved',
        role,
        planHash: 'h',
        at,
        by: { platform: 'slack', id: `U0R${i}` },
      })),
      ...Array.from({ length: 200 }, (_, i): HotfixEvent => ({
        type: 'IssueLogged',
        issueId: i + 1,
        text: 'x'.repeat(3000),
        at,
        by,
      })),
    ];
    const state = fold(events);
    const card = renderCard(state, { policy, timezone: 'UTC', now: new Date(at) });
    expect(checkBlockKit({ kind: 'message', ...card })).toEqual([]);
    const home = renderHome([state], 'slack:U0R5', { policy, timezone: 'UTC', now: new Date(at) });
    expect(checkView(home)).toEqual([]);
    const modal = renderPlanModal({ services, people: policy.people, initial: state.plan, hotfixId: 'HF-9' });
    expect(checkView(modal)).toEqual([]);
    const record = recordSummary({
      record: buildRecord(events, { timezone: 'UTC', signoffRoles: policy.signoffs }),
      markdown: '',
      broken: null,
    });
    expect(checkBlockKit({ kind: 'message', ...record })).toEqual([]);
    expect(JSON.stringify(record.blocks)).toContain('…and 22 more');
  });
});
