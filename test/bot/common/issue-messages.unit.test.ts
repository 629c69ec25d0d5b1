import { describe, expect, it } from 'vitest';
import { issueActions } from '../../../src/bot/common/actions.ts';
import { issueCounts } from '../../../src/bot/common/card.ts';
import { threadFollowUp } from '../../../src/bot/common/thread.ts';
import { checkBlockKit } from '../../../src/bot/slack/blocks/limits.ts';
import { issueListText, renderIssueMessage } from '../../../src/bot/slack/blocks/thread.ts';
import { ACTIONS } from '../../../src/bot/slack/ids.ts';
import {
  renderIssueList,
  renderIssueMessage as renderTeamsIssueMessage,
} from '../../../src/bot/teams/cards/thread.ts';
import { FORMS, VERBS } from '../../../src/bot/teams/verbs.ts';
import type { HotfixCommand } from '../../../src/domain/hotfix/commands.ts';
import { fold } from '../../../src/domain/hotfix/state.ts';
import { minutes, people } from '../../domain/fixtures/policy.ts';
import { play } from '../../domain/given.ts';
import { monitoring } from '../../domain/scenarios.ts';
import { buttons, textOf } from '../slack/blocks/helpers.ts';
import { buttons as teamsButtons, readable } from '../teams/cards/helpers.ts';
import { validateCard } from '../teams/cards/validate-card.ts';

/** Monitoring HF-1 with these issue commands played after it, a minute apart. */
const withIssues = (...commands: HotfixCommand[]) =>
  play(
    commands.map((c, i) => [c, minutes(i + 1)] as const),
    {},
    monitoring().history,
  );

const log = (text: string, by = people.support): HotfixCommand => ({ type: 'LogIssue', text, by });

describe('a logged issue in the thread', () => {
  it('offers Resolve and Workaround while open, Reopen once resolved, nothing once the hotfix is closed', () => {
    const open = withIssues(log('Receipts delayed')).state;
    const issue = open.issues[0];
    if (!issue) throw new Error('no issue');
    expect(issueActions(open, issue).map((a) => [a.kind, a.data.issueId])).toEqual([
      ['resolve-issue', 1],
      ['workaround-issue', 1],
    ]);
    const resolved = withIssues(log('Receipts delayed'), {
      type: 'ResolveIssue',
      issueId: 1,
      by: people.tech1,
    }).state;
    expect(issueActions(resolved, resolved.issues[0] ?? issue).map((a) => a.kind)).toEqual(['reopen-issue']);
    expect(issueActions({ ...resolved, phase: 'closed' }, issue)).toEqual([]);
  });

  it('posts the issue message instead of the logging line, and redraws it on every change', () => {
    const { history } = withIssues(
      log('Receipts delayed'),
      { type: 'ResolveIssue', issueId: 1, by: people.tech1 },
      { type: 'ReopenIssue', issueId: 1, by: people.support },
      { type: 'SetWorkaround', issueId: 1, text: 'resend', by: people.biz },
    );
    const after = fold(history);
    const followUps = history.slice(-4).map((e) => threadFollowUp(e, after));
    expect(followUps).toEqual([
      { kind: 'issue', issueId: 1, opens: true },
      { kind: 'issue', issueId: 1, opens: false },
      { kind: 'issue', issueId: 1, opens: false },
      { kind: 'issue', issueId: 1, opens: false },
    ]);
  });

  it('Slack: the logging line, the status and the buttons carrying the issue number', () => {
    const { state } = withIssues(log('Receipts <!channel> delayed'), log('Totals off', people.biz), {
      type: 'SetWorkaround',
      issueId: 2,
      text: 'Recount by hand',
      by: people.tech1,
    });
    const first = renderIssueMessage(state, 1, { timezone: 'UTC' });
    expect(checkBlockKit({ kind: 'message', ...first })).toEqual([]);
    expect(first.text).toBe('🐞 Sam Support logged issue #1: Receipts &lt;!channel&gt; delayed');
    expect(textOf(first.blocks)).toContain('🟠 Open');
    expect(buttons(first.blocks, ACTIONS.resolveIssue).map((b) => b.value)).toEqual([{ h: 'HF-1', v: '1' }]);
    expect(buttons(first.blocks, ACTIONS.workaroundIssue)).toHaveLength(1);
    const second = renderIssueMessage(state, 2, { timezone: 'UTC' });
    expect(textOf(second.blocks)).toContain('🩹 Workaround by <@U0TECH1> at 03:03: Recount by hand');
    expect(buttons(second.blocks, ACTIONS.workaroundIssue)[0]?.button.text.text).toBe('🩹 Change workaround');

    const done = withIssues(log('Receipts delayed'), {
      type: 'ResolveIssue',
      issueId: 1,
      note: 'Queue drained',
      by: people.tech1,
    }).state;
    const resolved = renderIssueMessage(done, 1, { timezone: 'UTC' });
    expect(textOf(resolved.blocks)).toContain('✅ Resolved by <@U0TECH1> at 03:02: Queue drained');
    expect(buttons(resolved.blocks, ACTIONS.resolveIssue)).toEqual([]);
    expect(buttons(resolved.blocks, ACTIONS.reopenIssue).map((b) => b.value)).toEqual([
      { h: 'HF-1', v: '1' },
    ]);
  });

  it('Teams: the same message, its buttons opening the resolve, workaround and reopen dialogs', () => {
    const { state } = withIssues(
      log('Receipts delayed'),
      { type: 'ResolveIssue', issueId: 1, by: people.tech1 },
      { type: 'ReopenIssue', issueId: 1, reason: 'Late again', by: people.support },
    );
    const message = renderTeamsIssueMessage(state, 1, { timezone: 'UTC' });
    expect(validateCard(message.card)).toEqual([]);
    expect(message.summary).toBe('🐞 Sam Support logged issue #1: Receipts delayed');
    expect(readable(message.card)).toContain('🔄 Open again: reopened by Sam Support at 03:03: Late again');
    expect(teamsButtons(message.card).map((b) => b.data)).toEqual([
      { verb: VERBS.openForm, form: FORMS.resolveIssue, hotfixId: 'HF-1', issue: 1 },
      { verb: VERBS.openForm, form: FORMS.workaround, hotfixId: 'HF-1', issue: 1 },
    ]);
  });

  it('lists a hotfix’s issues with their status, on both platforms', () => {
    const { state } = withIssues(log('Receipts delayed'), log('Totals off', people.biz), {
      type: 'ResolveIssue',
      issueId: 2,
      note: 'Recounted',
      by: people.tech1,
    });
    const slack = issueListText(state, { timezone: 'UTC', now: minutes(5) });
    expect(slack).toContain('*Issues of HF-1*: 1 open, 1 resolved');
    expect(slack).toContain(
      '*#2* Totals off — <@U0BIZ1> 03:02\n   ✅ Resolved by <@U0TECH1> at 03:03: Recounted',
    );
    const teams = renderIssueList(state, { timezone: 'UTC', now: minutes(5) });
    expect(validateCard(teams.card)).toEqual([]);
    expect(teams.summary).toBe('Issues of HF-1: 1 open, 1 resolved');
    expect(readable(teams.card)).toContain('**#1** Receipts delayed — Sam Support 03:01');
    const none = monitoring().state;
    expect(issueListText(none, { timezone: 'UTC', now: minutes(5) })).toContain('No issue is logged on HF-1');
  });

  it('counts open and resolved issues for the card, only what there is', () => {
    expect(issueCounts(monitoring().state)).toBe('');
    const { state } = withIssues(
      log('a'),
      log('b'),
      log('c'),
      { type: 'ResolveIssue', issueId: 3, by: people.tech1 },
      { type: 'SetWorkaround', issueId: 1, text: 'x', by: people.tech1 },
    );
    expect(issueCounts(state)).toBe('2 open, 1 resolved · 1 workaround');
  });
});
