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
  renderIssueMessage,
  issueListText,
} from '../../../src/bot/slack/blocks/thread.ts';
import { recordSummary } from '../../../src/bot/slack/record.ts';
import { refusalText, repeatText, usageText } from '../../../src/bot/slack/replies.ts';
import { channelAnnouncement } from '../../../src/bot/slack/surface.ts';
import type { Person } from '../../../src/domain/hotfix/people.ts';
import { personKey } from '../../../src/domain/hotfix/people.ts';
import { buildRecord, renderRecordMarkdown } from '../../../src/domain/hotfix/record.ts';
import { fold, initialState } from '../../../src/domain/hotfix/state.ts';
import { mrkdwnToHtml } from '../../../src/playground/render/mrkdwn.ts';
import type { Played } from '../common/hostile-hotfix.ts';
import { hostileText, NOT_TEXT, playHostileHotfix } from '../common/hostile-hotfix.ts';
import { people, policy as basePolicy, T0 } from '../../domain/fixtures/policy.ts';

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

const hostile = hostileText(ATOMS);

/** The Slack users the renderers may mention: the people of the config. */
const KNOWN_USERS = new Set(
  Object.values(basePolicy.people)
    .flat()
    .map((p) => p.id),
);

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
    expect(text).not.toMatch(NOT_TEXT);
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
  for (const text of plain) expect(text).not.toMatch(NOT_TEXT);
};

const named = (p: Person, name: string): Person => ({ ...p, name });

/** The hostile hotfix with Slack's cast, and someone from Teams among the technical people. */
const play = (t: () => string): Played => {
  const teams: Person = { platform: 'teams', id: `29:${t()}`, name: t() };
  const tech1 = named(people.tech1, t());
  return playHostileHotfix(t, {
    requester: named(people.requester, t()),
    tech1,
    tech2: named(people.tech2, t()),
    manager: named(people.manager, t()),
    biz: named(people.biz, t()),
    support: named(people.support, t()),
    people: { ...basePolicy.people, technical: [...(basePolicy.people.technical ?? []), teams] },
    technical: [tech1, teams],
    ticker: teams,
  });
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
          for (const i of state.issues) expectInert(renderIssueMessage(state, i.id, { timezone: 'UTC' }));
          expectInert(issueListText(state, { timezone: 'UTC', now }));
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
        expectInert(usageText({ problem: t(), usage: t() }));
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
  }, 60_000);

  it('shows hostile text literally in the playground, as Slack shows escaped text', () => {
    const typed = '<!channel> <https://evil.example|Open the runbook> &lt;b&gt;';
    const html = String(
      mrkdwnToHtml(escapeMrkdwn(typed), { userName: () => undefined, channelName: () => undefined }),
    );
    expect(html).toBe('&lt;!channel&gt; &lt;https://evil.example|Open the runbook&gt; &amp;lt;b&amp;gt;');
  });
});
