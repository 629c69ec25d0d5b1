import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCard } from '../../../src/bot/slack/blocks/card.ts';
import { renderHome } from '../../../src/bot/slack/blocks/home.ts';
import {
  renderCancelModal,
  renderIssueModal,
  renderLessonsModal,
  renderPlanModal,
  renderRejectModal,
  renderRollbackModal,
} from '../../../src/bot/slack/blocks/modals.ts';
import { escapeMrkdwn } from '../../../src/bot/slack/blocks/text.ts';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
} from '../../../src/bot/slack/blocks/thread.ts';
import { recordSummary } from '../../../src/bot/slack/record.ts';
import { refusalText, repeatText, usageText } from '../../../src/bot/slack/replies.ts';
import { channelAnnouncement } from '../../../src/bot/slack/surface.ts';
import type { HotfixCommand } from '../../../src/domain/hotfix/commands.ts';
import { decide } from '../../../src/domain/hotfix/decide.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { Person } from '../../../src/domain/hotfix/people.ts';
import { personKey } from '../../../src/domain/hotfix/people.ts';
import type { Plan } from '../../../src/domain/hotfix/plan.ts';
import type { Policy, StepSpec } from '../../../src/domain/hotfix/policy.ts';
import { currentRun, openVote } from '../../../src/domain/hotfix/queries.ts';
import { buildRecord, renderRecordMarkdown } from '../../../src/domain/hotfix/record.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { fold, initialState } from '../../../src/domain/hotfix/state.ts';
import { mrkdwnToHtml } from '../../../src/playground/render/mrkdwn.ts';
import { people, plan as basePlan, policy as basePolicy, T0 } from '../../domain/fixtures/policy.ts';

/** Mention and link syntax, entity tricks, formatting, controls, bidi and sheer length, as people could type them. */
const ATOMS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U0123>',
  '<@U0DEV>',
  '<#C0001>',
  '<#C0001|general>',
  '<!subteam^S0001>',
  '<!date^1392734382^{date}|x>',
  '<https://evil.example|Open the runbook>',
  '<mailto:a@evil.example|mail>',
  '&lt;!channel&gt;',
  '&amp;lt;!here&amp;gt;',
  '&#60;!channel&#62;',
  '@channel',
  '@here',
  '@everyone',
  '*bold* _it_ ~st~',
  '`code` ```block```',
  '> quote',
  '\u202Eevil\u202C',
  '\u2066iso\u2069',
  '\u0000\u001b[31m\u0007\u009b',
  '\r\n',
  '😀 é ﷺ',
  'x'.repeat(3100),
  '<',
  '!channel>',
  '&',
];

const hostile = fc
  .tuple(
    fc.constantFrom(...ATOMS),
    fc.array(fc.oneof(fc.constantFrom(...ATOMS), fc.string({ unit: 'binary', maxLength: 10 })), {
      maxLength: 3,
    }),
  )
  .map(([first, rest]) => `x${first}${rest.join('')}`);

/** The Slack users the renderers may mention: the people of the config. */
const KNOWN_USERS = new Set(
  Object.values(basePolicy.people)
    .flat()
    .map((p) => p.id),
);

// eslint-disable-next-line no-control-regex -- the characters that must not reach a text field
const TEXT_FIELD_NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** Every text object (mrkdwn or plain) of a surface, and the notification text of a message. */
const textsOf = (surface: unknown): { mrkdwn: string[]; plain: string[] } => {
  const mrkdwn: string[] = [];
  const plain: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
      else if (o.type === 'plain_text' && typeof o.text === 'string') plain.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  if (typeof surface === 'string') mrkdwn.push(surface);
  else {
    walk(surface);
    const text = (surface as { text?: unknown }).text;
    if (typeof text === 'string') mrkdwn.push(text);
  }
  return { mrkdwn, plain };
};

/** Fails when mrkdwn would mention, link or ping anyone but the config's people (and `allowedChannel`). */
const expectInert = (surface: unknown, allowedChannel?: string): void => {
  const { mrkdwn, plain } = textsOf(surface);
  for (const text of mrkdwn) {
    const rest = text.replace(/<@([UW][A-Z0-9]+)>/g, (whole, id: string) =>
      KNOWN_USERS.has(id) ? '' : whole,
    );
    const left = allowedChannel ? rest.replaceAll(`<#${allowedChannel}>`, '') : rest;
    expect(left, text).not.toContain('<');
    expect(text).not.toMatch(/@(channel|here|everyone)\b/i);
    expect(text).not.toMatch(TEXT_FIELD_NOT_TEXT);
    // The playground shows the text as Slack would: no link, and mentions only of known people.
    const html = String(
      mrkdwnToHtml(text, {
        userName: (id) => (KNOWN_USERS.has(id) ? id : undefined),
        channelName: () => 'c',
      }),
    );
    expect(html).not.toContain('<a ');
    for (const [, id] of html.matchAll(/data-user="([^"]*)"/g)) expect(KNOWN_USERS.has(id ?? '')).toBe(true);
    expect(html.replace(/<span class="mention" data-user="[^"]*">/g, '')).not.toMatch(
      allowedChannel ? /<span class="mention"(?! channel)/ : /<span class="mention/,
    );
  }
  for (const text of plain) expect(text).not.toMatch(TEXT_FIELD_NOT_TEXT);
};

const named = (p: Person, name: string): Person => ({ ...p, name });
/** A configured step, as a run records it (argv and the manual instruction are config text too). */
const step = (name: string, manual?: string): StepSpec =>
  (manual === undefined
    ? {
        name,
        kind: 'run',
        roles: [],
        attempts: 1,
        run: ['deploy', '{{plan.version}}'],
        env: {},
        secret_env: [],
      }
    : { name, kind: 'manual', roles: ['business', 'technical'], attempts: 1, manual }) as StepSpec;

const ANYTHING = { pattern: '', hint: 'anything' };

interface Played {
  readonly history: HotfixEvent[];
  readonly states: HotfixState[];
  readonly policy: Policy;
}

/**
 * A hotfix from plan to close where every piece of text a person (or a config, or a step's output) can put
 * on a surface is hostile: plan fields, names, reasons, comments, notes, issues, evidence, output, errors,
 * checklist labels, step and check names.
 */
const play = (t: () => string): Played => {
  const teams: Person = { platform: 'teams', id: `29:${t()}`, name: t() };
  const policy: Policy = {
    ...basePolicy,
    people: { ...basePolicy.people, technical: [...(basePolicy.people.technical ?? []), teams] },
    checklists: { code_readiness: [t(), `${t()} 2`], environment_readiness: [t()] },
    services: {
      'payments-api': {
        deploy: {
          preparation: [step(t())],
          execution: [step(t())],
          verification: [step(t(), t())],
        },
        rollback: { execution: [step(t())] },
        monitor: [{ name: t(), everyMs: 60_000 }],
      },
    },
    // Streams recorded before plan fields were checked may hold any text: the renderers must cope.
    planFields: {
      issueId: ANYTHING,
      version: ANYTHING,
      previousVersion: ANYTHING,
      summary: ANYTHING,
    },
  };
  const who = {
    requester: named(people.requester, t()),
    tech1: named(people.tech1, t()),
    tech2: named(people.tech2, t()),
    manager: named(people.manager, t()),
    biz: named(people.biz, t()),
    support: named(people.support, t()),
    worker: { platform: 'system', id: 'worker' } as Person,
  };
  const plan: Plan = {
    ...basePlan,
    issueId: t(),
    version: t(),
    previousVersion: t(),
    summary: t(),
    changes: { code: [t()], database: [t()], config: [] },
    dependencies: { systems: [t()], services: [t()], databases: [], external: [t()] },
    timeline: { durationEstimate: t() },
    resources: { technical: [who.tech1, teams], support: [], business: [who.biz], management: [] },
  };
  let state = initialState();
  let clock = T0.getTime();
  const history: HotfixEvent[] = [];
  const states: HotfixState[] = [];
  const run = (command: HotfixCommand, advanceMs = 60_000) => {
    clock += advanceMs;
    const events = decide(command, state, { now: new Date(clock), policy });
    history.push(...events);
    state = fold(events, state);
    states.push(state);
  };
  run({ type: 'StartHotfix', id: 'HF-1', plan, by: who.requester });
  run({ type: 'RejectPlan', role: 'management', planHash: state.planHash, reason: t(), by: who.manager });
  run({ type: 'ApprovePlan', role: 'technical', planHash: state.planHash, comment: t(), by: who.tech1 });
  run({ type: 'ApprovePlan', role: 'management', planHash: state.planHash, comment: t(), by: who.manager });
  const [first, ...others] = [
    ...policy.checklists.code_readiness.map((item) => ['code_readiness', item] as const),
    ...policy.checklists.environment_readiness.map((item) => ['environment_readiness', item] as const),
  ];
  if (first)
    run({
      type: 'TickChecklistItem',
      checklist: first[0],
      item: first[1],
      evidence: t(),
      by: { platform: 'system', id: 'checker' },
    });
  for (const [checklist, item] of others) run({ type: 'TickChecklistItem', checklist, item, by: teams });
  // Two issues with the same text from one person are one issue (a repeat): number them apart.
  run({ type: 'LogIssue', text: `1 ${t()}`, by: who.biz });
  run({ type: 'SetWorkaround', issueId: 1, text: t(), by: who.support });
  run({ type: 'LogIssue', text: `2 ${t()}`, by: who.biz });
  run({ type: 'ResolveIssue', issueId: 2, note: t(), by: who.tech2 });
  run({ type: 'NoteObservation', text: t(), by: who.biz });
  run({ type: 'RequestDeploy', planHash: state.planHash, by: who.tech1 });
  const requested = history.findLast((e) => e.type === 'DeployRequested');
  const runId = requested?.type === 'DeployRequested' ? requested.runId : '';
  run({ type: 'GrantLock', runId, by: who.worker });
  const drive = (failFirst: boolean) => {
    for (let i = 0; i < 10; i++) {
      const r = currentRun(state);
      const s = r?.steps.find((x) => x.status === 'running') ?? r?.steps.find((x) => x.status === 'pending');
      if (!r || r.status !== 'running' || !s) return;
      const base = { runId: r.id, step: s.key, by: who.worker };
      if (s.status === 'pending') run({ type: 'StartStep', ...base, attempt: s.attempt + 1 });
      else if (s.kind === 'manual')
        run({ type: 'ConfirmManualStep', ...base, outcome: 'confirmed', note: t(), by: who.biz });
      else if (failFirst && i === 0)
        run({ type: 'FailStep', ...base, attempt: s.attempt, durationMs: 5, output: t(), error: t() });
      else run({ type: 'SucceedStep', ...base, attempt: s.attempt, durationMs: 5, output: t() });
    }
  };
  drive(true);
  const failed = currentRun(state)?.steps.find((s) => s.status === 'failed');
  if (failed) run({ type: 'SkipStep', runId, step: failed.key, reason: t(), by: who.tech1 });
  drive(false);
  const check = Object.keys(state.monitoring?.checks ?? {})[0];
  if (check) run({ type: 'RecordMonitorCheck', check, round: 1, passed: false, detail: t(), by: who.worker });
  if (!openVote(state)) run({ type: 'ProposeRollback', trigger: 'data_issue', reason: t(), by: who.tech1 });
  const voteId = openVote(state)?.id ?? 1;
  run({ type: 'CastVote', voteId, choice: 'against', by: who.manager });
  if (openVote(state)) run({ type: 'ExpireVote', voteId, by: who.worker }, 20 * 60_000);
  run({ type: 'CloseMonitoringWindow', by: who.worker }, 60 * 60_000);
  for (const [role, by] of [
    ['technical', who.tech1],
    ['business', who.biz],
    ['support', who.support],
  ] as const)
    run({ type: 'SignOff', role, by });
  run({ type: 'NoteLessonsLearned', text: t(), by: who.tech2 });
  run({ type: 'CloseHotfix', by: who.tech1 });
  return { history, states, policy };
};

describe('user text on every Slack surface', () => {
  it('never mentions, links or pings from what people typed, whatever they typed', () => {
    fc.assert(
      fc.property(fc.infiniteStream(hostile), (stream) => {
        const t = () => stream.next().value;
        const { history, states, policy } = play(t);
        const final = states.at(-1) ?? initialState();
        expect(final.phase).toBe('closed');
        const now = new Date(T0.getTime() + 3 * 3600_000);
        let before = initialState();
        history.forEach((event, i) => {
          const stored = { hotfixId: 'HF-1', position: i + 1, event, prevHash: '', hash: '' };
          const line = renderThreadLine(stored, before, { timezone: 'UTC' });
          if (line) expectInert(line);
          before = fold([event], before);
        });
        for (const state of states) {
          const lockHolders = { 'payments-api': { hotfixId: t(), since: now.toISOString() } };
          expectInert(renderCard(state, { policy, timezone: 'UTC', now, lockHolders }));
          for (const key of Object.values(policy.people).flat().map(personKey))
            expectInert(renderHome([state], key, { policy, timezone: 'UTC', now }));
          for (const r of state.runs)
            for (const s of r.steps)
              expectInert(renderManualStepPrompt(state, r.id, s.key, { policy, instruction: t(), now }));
          for (const v of state.votes) expectInert(renderVoteMessage(state, v.id, { policy, now }));
          expectInert(channelAnnouncement(state, 'C0HOTFIX'), 'C0HOTFIX');
        }
        expectInert(
          renderPlanModal({
            services: ['payments-api'],
            initial: final.plan,
            hotfixId: 'HF-1',
            issueId: t(),
            errors: { a: t(), b: t() },
          }),
        );
        expectInert(renderRejectModal({ hotfixId: 'HF-1', planHash: 'h', role: t().slice(0, 60) }));
        expectInert(renderRollbackModal({ hotfixId: 'HF-1', reason: t() }));
        expectInert(renderCancelModal({ hotfixId: 'HF-1', planHash: 'h' }));
        expectInert(renderIssueModal({ hotfixId: 'HF-1', text: t() }));
        expectInert(renderLessonsModal({ hotfixId: 'HF-1', noted: [t(), t()] }));
        const record = buildRecord(history, { timezone: 'UTC', signoffRoles: policy.signoffs });
        expectInert(recordSummary({ record, markdown: renderRecordMarkdown(record), broken: t() }));
        expectInert(refusalText('invalid_plan', t()));
        expectInert(usageText(t()));
        expectInert(
          repeatText(t(), {
            type: 'TickChecklistItem',
            checklist: 'code_readiness',
            item: t(),
            by: people.tech1,
          }),
        );
      }),
      { numRuns: 15 },
    );
  });

  it('shows hostile text literally in the playground, as Slack shows escaped text', () => {
    const typed = '<!channel> <https://evil.example|Open the runbook> &lt;b&gt;';
    const html = String(
      mrkdwnToHtml(escapeMrkdwn(typed), { userName: () => undefined, channelName: () => undefined }),
    );
    expect(html).toBe('&lt;!channel&gt; &lt;https://evil.example|Open the runbook&gt; &amp;lt;b&amp;gt;');
  });
});
