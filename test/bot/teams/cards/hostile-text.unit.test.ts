import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeamsCard } from '../../../../src/bot/teams/cards/adaptive.ts';
import { renderHotfixCard } from '../../../../src/bot/teams/cards/card.ts';
import { renderRecord } from '../../../../src/bot/teams/cards/record.ts';
import { escapeCardMarkdown } from '../../../../src/bot/teams/cards/text.ts';
import { renderDialog } from '../../../../src/bot/teams/cards/dialogs.ts';
import { FORMS } from '../../../../src/bot/teams/verbs.ts';
import {
  ISSUE_FORM_FIELDS,
  LESSONS_FORM_FIELDS,
  PLAN_FIELDS,
  planFormFields,
  planFormValues,
  REASON_FIELDS,
  REJECT_FORM_FIELDS,
  ROLLBACK_FORM_FIELDS,
} from '../../../../src/bot/common/forms.ts';
import {
  renderManualStepPrompt,
  renderThreadLine,
  renderVoteMessage,
  renderIssueMessage,
  renderIssueList,
} from '../../../../src/bot/teams/cards/thread.ts';
import type { Person } from '../../../../src/domain/hotfix/people.ts';
import { buildRecord, renderRecordMarkdown } from '../../../../src/domain/hotfix/record.ts';
import { fold, initialState } from '../../../../src/domain/hotfix/state.ts';
import { visibleText } from '../../../../src/domain/hotfix/visible-text.ts';
import { T0 } from '../../../domain/fixtures/policy.ts';
import type { Played } from '../../common/hostile-hotfix.ts';
import { hostileText, NOT_TEXT, playHostileHotfix } from '../../common/hostile-hotfix.ts';
import { readable } from './helpers.ts';

/** What Adaptive Card Markdown, Teams mentions and TextBlock functions would act on, as people could type it. */
const ATOMS = [
  '[Open the runbook](https://evil.example)',
  '![x](https://evil.example/p.png)',
  '[ref]: https://evil.example',
  '<https://evil.example>',
  'https://evil.example/a_b',
  'www.evil.example',
  'mailto:a@evil.example',
  '<at>Bob</at>',
  '&lt;at&gt;Bob&lt;/at&gt;',
  '&#60;at>',
  '**bold** __b__ *it* _it_ ~~st~~',
  '`code` ```block```',
  '\\*not\\* \\[',
  '# heading',
  '- item',
  '+ item',
  '* item',
  '1. item',
  '2) item',
  '> quote',
  '===',
  '---',
  '   - indented',
  '{{DATE(2017-02-14T06:00:00Z, SHORT)}}',
  '{{TIME(2017-02-14T06:00:00Z)}}',
  '<b>html</b>',
  '\u202Eevil\u202C',
  '\u2066iso\u2069',
  '\u0000\u001b[31m\u0007\u009b',
  '\r\n',
  '\n- after a break',
  '😀 é ﷺ',
  'x'.repeat(3100),
];

const hostile = hostileText(ATOMS);

/**
 * What Markdown structure a TextBlock's text holds beyond the card's own bold labels: anything left after
 * taking out backslash escapes (shown as text) and `**…**` pairs is structure someone typed.
 */
const structureIn = (markdown: string): string[] => {
  const found: string[] = [];
  const rest = markdown.replace(/\\[!-/:-@[-`{-~]/g, '').replace(/\*\*[^*\n]*?\*\*/g, '');
  const marks = /[*_[\]<>`~&]|:\/\/|\bwww\.|\{\{/gi;
  for (const m of rest.matchAll(marks)) found.push(`${m[0]} in ${JSON.stringify(markdown.slice(0, 200))}`);
  for (const line of markdown.split('\n'))
    // As CommonMark opens a block: heading, quote, bullet, ordered item, setext underline, thematic break.
    if (/^ {0,3}(#{1,6}(\s|$)|>|[+*-](\s|$)|\d{1,9}[.)](\s|$)|[=-]+\s*$|-(\s*-){2,}\s*$)/.test(line))
      found.push(`line start ${JSON.stringify(line.slice(0, 80))}`);
  if (NOT_TEXT.test(markdown)) found.push('control or bidi character');
  return found;
};

/** Fails when any TextBlock of the message holds a link, mention, function or Markdown structure. */
const expectInert = (label: string, message: TeamsCard): void => {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string')
        expect(structureIn(o.text), label).toEqual([]);
      // Titles and labels are plain text in Teams, but a control or bidi character would still reorder them.
      for (const key of ['title', 'label', 'placeholder', 'errorMessage'])
        if (typeof o[key] === 'string') expect(o[key], label).not.toMatch(NOT_TEXT);
      for (const [key, value] of Object.entries(o)) if (key !== 'data') walk(value);
    }
  };
  walk(message.card);
  expect(message.summary, label).not.toMatch(NOT_TEXT);
};

const named = (id: string, name: string): Person => ({ platform: 'teams', id, name });

/** The hostile hotfix with a Teams cast (Entra ids); its steps are dry runs, whose output the thread shows. */
const play = (t: () => string): Played => {
  const cast = {
    requester: named('aad-req', t()),
    tech1: named('aad-t1', t()),
    tech2: named('aad-t2', t()),
    manager: named('aad-mgr', t()),
    biz: named('aad-biz', t()),
    support: named('aad-sup', t()),
  };
  return playHostileHotfix(
    t,
    {
      ...cast,
      people: {
        technical: [cast.requester, cast.tech1, cast.tech2],
        management: [cast.manager],
        business: [cast.biz],
        support: [cast.support],
      },
      technical: [cast.tech1],
      ticker: cast.tech2,
    },
    { dryRun: true },
  );
};

describe('user text on every Teams card', () => {
  it('never links, mentions, formats or runs a function from what people typed, whatever they typed', () => {
    fc.assert(
      fc.property(fc.infiniteStream(hostile), (stream) => {
        const t = () => stream.next().value;
        const { history, states, policy } = play(t);
        expect(states.at(-1)?.phase).toBe('closed');
        const now = new Date(T0.getTime() + 3 * 3600_000);
        let before = initialState();
        history.forEach((event, i) => {
          const line = renderThreadLine(
            { hotfixId: 'HF-1', position: i + 1, event, prevHash: '', hash: '' },
            before,
            {
              timezone: 'UTC',
            },
          );
          if (line) expectInert(`line ${event.type}`, line);
          before = fold([event], before);
        });
        for (const state of states) {
          const lockHolders = { 'payments-api': { hotfixId: t(), since: now.toISOString() } };
          expectInert(
            `card ${state.phase}`,
            renderHotfixCard(state, { policy, timezone: 'UTC', now, lockHolders }),
          );
          for (const r of state.runs)
            for (const s of r.steps)
              expectInert(
                `step ${s.key}`,
                renderManualStepPrompt(state, r.id, s.key, { instruction: t(), now }),
              );
          for (const v of state.votes)
            expectInert(`vote ${v.id}`, renderVoteMessage(state, v.id, { policy, now }));
          for (const i of state.issues)
            expectInert(`issue ${i.id}`, renderIssueMessage(state, i.id, { timezone: 'UTC' }));
          expectInert('issue list', renderIssueList(state, { timezone: 'UTC', now }));
        }
        const record = buildRecord(history, { timezone: 'UTC', signoffRoles: policy.signoffs });
        const markdown = renderRecordMarkdown(record);
        expectInert('record', renderRecord({ record, markdown, broken: t() }));
        expectInert(
          'record, summary posted',
          renderRecord({ record, markdown, broken: t() }, { summaryPosted: true }),
        );
        const final = states.at(-1) ?? initialState();
        const forms = [
          planFormFields({ services: Object.keys(policy.services), people: policy.people }),
          REJECT_FORM_FIELDS,
          ROLLBACK_FORM_FIELDS,
          ISSUE_FORM_FIELDS,
          LESSONS_FORM_FIELDS,
        ];
        for (const fields of forms) {
          const dialog = renderDialog({
            title: t(),
            intro: t(),
            fields,
            values: planFormValues(final.plan, 'teams'),
            errors: { [PLAN_FIELDS.version]: t(), [REASON_FIELDS.reason]: t(), elsewhere: t() },
            people: [{ value: 'aad-t1', label: t() }],
            timezone: 'UTC',
            submitTitle: t(),
            context: { form: FORMS.plan, hotfixId: 'HF-1' },
          });
          expectInert('dialog', { card: dialog.card, summary: dialog.title });
        }
      }),
      { numRuns: 12 },
    );
  }, 60_000);

  it('shows what was typed, character for character, once CommonMark reads the escapes', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 40 })), (typed) => {
        const line = typed.replace(/\r\n?|\n/g, ' ');
        const shown = readable({ type: 'TextBlock', text: escapeCardMarkdown(line) }).replace(/\u00a0/g, ' ');
        // Leading white space is kept as no-break spaces (CommonMark would drop it, or read it as code).
        expect(shown).toBe(visibleText(line).replace(/^\s+/, (w) => ' '.repeat(w.length)));
      }),
    );
    expect(escapeCardMarkdown('[Open](https://evil.example) <at>Bob</at> # no')).toBe(
      '\\[Open\\](https:\u2060//evil.example) \\<\u2060at\\>Bob\\<\u2060/at\\> # no',
    );
    expect(escapeCardMarkdown('- a\n1. b\n# c\n{{DATE(x)}}')).toBe('\\- a\n1\\. b\n\\# c\n{\u2060{DATE(x)}}');
    // Only what CommonMark would read as structure is escaped: some Teams clients show the backslash.
    expect(escapeCardMarkdown('2.4.1 (hotfix) -x #1 a-b')).toBe('2.4.1 (hotfix) -x #1 a-b');
    expect(escapeCardMarkdown('-- -')).toBe('\\-- -');
  });
});
