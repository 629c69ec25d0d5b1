import { describe, expect, it } from 'vitest';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { given, play } from './given.ts';
import { minutes, people, T0 } from './fixtures/policy.ts';
import { deploying, monitoring, started } from './scenarios.ts';

/** An issue logged by support while monitoring, at T0 + 1 min. */
const logged = () =>
  play(
    [[{ type: 'LogIssue', text: 'Receipts delayed', by: people.support }, minutes(1)]],
    {},
    monitoring().history,
  );
const resolved = () =>
  play(
    [[{ type: 'ResolveIssue', issueId: 1, note: 'Queue drained', by: people.tech1 }, minutes(2)]],
    {},
    logged().history,
  );

describe('the issue log: resolve, work around, reopen', () => {
  it('resolves an issue with a note, attributed; resolving it again changes nothing', () => {
    given(logged().history)
      .when(
        { type: 'ResolveIssue', issueId: 1, note: '  Queue drained  ', by: people.tech1 },
        { now: minutes(2) },
      )
      .then([
        {
          type: 'IssueResolved',
          issueId: 1,
          note: 'Queue drained',
          by: people.tech1,
          at: minutes(2).toISOString(),
        },
      ]);
    given(resolved().history).when({ type: 'ResolveIssue', issueId: 1, by: people.tech2 }).thenNothing();
  });

  it('resolves without a note when none (or only blanks) is given', () => {
    const [event] = given(logged().history)
      .when({ type: 'ResolveIssue', issueId: 1, note: '   ', by: people.tech1 })
      .then([{ type: 'IssueResolved', issueId: 1 }]);
    expect(event).not.toHaveProperty('note');
  });

  it('sets a workaround, attributed; the same text again changes nothing, a new one replaces it', () => {
    const set = play(
      [[{ type: 'SetWorkaround', issueId: 1, text: 'Resend from admin', by: people.biz }, minutes(3)]],
      {},
      logged().history,
    );
    expect(set.state.issues[0]?.workaround).toEqual({
      by: people.biz,
      at: minutes(3).toISOString(),
      text: 'Resend from admin',
    });
    given(set.history)
      .when({ type: 'SetWorkaround', issueId: 1, text: ' Resend from admin ', by: people.tech1 })
      .thenNothing();
    given(set.history)
      .when({ type: 'SetWorkaround', issueId: 1, text: 'Resend in bulk', by: people.tech1 })
      .then([{ type: 'WorkaroundSet', issueId: 1, text: 'Resend in bulk', by: people.tech1 }]);
    given(logged().history)
      .when({ type: 'SetWorkaround', issueId: 1, text: '  ', by: people.tech1 })
      .thenRefused('invalid_input', /workaround/);
  });

  it('reopens a resolved issue: open again, its resolution kept in its history', () => {
    given(resolved().history)
      .when(
        { type: 'ReopenIssue', issueId: 1, reason: 'Delayed again', by: people.support },
        { now: minutes(4) },
      )
      .then([
        {
          type: 'IssueReopened',
          issueId: 1,
          reason: 'Delayed again',
          by: people.support,
          at: minutes(4).toISOString(),
        },
      ]);
    const reopened = play(
      [[{ type: 'ReopenIssue', issueId: 1, reason: 'Delayed again', by: people.support }, minutes(4)]],
      {},
      resolved().history,
    );
    const issue = reopened.state.issues[0];
    expect(issue?.resolved).toBeUndefined();
    expect(issue?.reopenings).toEqual([
      {
        by: people.support,
        at: minutes(4).toISOString(),
        reason: 'Delayed again',
        resolution: { by: people.tech1, at: minutes(2).toISOString(), note: 'Queue drained' },
      },
    ]);
    // Reopening an open issue is a repeat.
    given(reopened.history).when({ type: 'ReopenIssue', issueId: 1, by: people.tech2 }).thenNothing();
    given(logged().history).when({ type: 'ReopenIssue', issueId: 1, by: people.tech2 }).thenNothing();
    // Resolved again: resolved, with both the old resolution and the reopening kept.
    const again = play(
      [[{ type: 'ResolveIssue', issueId: 1, note: 'Consumer restarted', by: people.tech2 }, minutes(5)]],
      {},
      reopened.history,
    );
    expect(again.state.issues[0]?.resolved).toEqual({
      by: people.tech2,
      at: minutes(5).toISOString(),
      note: 'Consumer restarted',
    });
    expect(again.state.issues[0]?.reopenings).toHaveLength(1);
  });

  it('reopens without a reason', () => {
    const [event] = given(resolved().history)
      .when({ type: 'ReopenIssue', issueId: 1, by: people.support })
      .then([{ type: 'IssueReopened', issueId: 1 }]);
    expect(event).not.toHaveProperty('reason');
  });

  it('refuses an unknown issue number, naming the numbers that exist', () => {
    given(logged().history)
      .when({ type: 'ResolveIssue', issueId: 2, by: people.tech1 })
      .thenRefused('unknown_issue', /^HF-1 has no issue #2; its only issue is #1\.$/);
    const three = play(
      [
        [{ type: 'LogIssue', text: 'Second', by: people.support }],
        [{ type: 'LogIssue', text: 'Third', by: people.support }],
      ],
      {},
      logged().history,
    );
    given(three.history)
      .when({ type: 'SetWorkaround', issueId: 7, text: 'x', by: people.tech1 })
      .thenRefused('unknown_issue', /has no issue #7; its issues are #1 to #3\./);
    given(started().history)
      .when({ type: 'ReopenIssue', issueId: 1, by: people.tech1 })
      .thenRefused('unknown_issue', /has no issue #1; no issue has been logged on it yet\./);
  });

  it('needs a person with a role, as logging does', () => {
    for (const command of [
      { type: 'ResolveIssue', issueId: 1, by: people.stranger },
      { type: 'SetWorkaround', issueId: 1, text: 'x', by: people.stranger },
      { type: 'ReopenIssue', issueId: 1, by: people.stranger },
    ] as const)
      given(resolved().history)
        .when(command)
        .thenRefused('not_in_role', /no role/);
  });

  it('works in any phase until the hotfix is closed or cancelled', () => {
    const planned = play(
      [
        [{ type: 'LogIssue', text: 'Staging is slow', by: people.tech1 }],
        [{ type: 'ResolveIssue', issueId: 1, by: people.tech1 }],
        [{ type: 'ReopenIssue', issueId: 1, by: people.tech2 }],
        [{ type: 'SetWorkaround', issueId: 1, text: 'Use the other cluster', by: people.tech2 }],
      ],
      {},
      started().history,
    );
    expect(planned.state.phase).toBe('planned');
    expect(planned.state.issues[0]).toMatchObject({ workaround: { text: 'Use the other cluster' } });
    given(deploying().history)
      .when({ type: 'LogIssue', text: 'Deploy logs are noisy', by: people.tech1 })
      .then([{ type: 'IssueLogged', issueId: 1 }]);
    const cancelled = play(
      [[{ type: 'CancelHotfix', reason: 'superseded', by: people.tech1 }]],
      {},
      planned.history,
    );
    given(cancelled.history)
      .when({ type: 'ResolveIssue', issueId: 1, by: people.tech1 })
      .thenRefused('wrong_phase', /cancelled; nothing more can change/);
    given(cancelled.history)
      .when({ type: 'ReopenIssue', issueId: 1, by: people.tech1 })
      .thenRefused('wrong_phase');
  });

  it('runs every issue command twice with no second event', () => {
    const steps = [
      { type: 'ResolveIssue', issueId: 1, note: 'done', by: people.tech1 },
      { type: 'ReopenIssue', issueId: 1, reason: 'not done', by: people.support },
      { type: 'SetWorkaround', issueId: 1, text: 'restart it', by: people.biz },
    ] as const;
    let history = logged().history;
    for (const command of steps) {
      const once = play([[command, T0]], {}, history);
      expect(once.history.length).toBe(history.length + 1);
      given(once.history).when(command).thenNothing();
      history = once.history;
    }
  });
});

describe('the issue log in the deployment record', () => {
  it('shows who logged, worked around, resolved and reopened each issue, when, with notes and reasons', () => {
    const { history } = play(
      [
        [{ type: 'SetWorkaround', issueId: 1, text: 'Resend from admin', by: people.biz }, minutes(3)],
        [{ type: 'ReopenIssue', issueId: 1, reason: 'Delayed again', by: people.support }, minutes(4)],
        [{ type: 'ResolveIssue', issueId: 1, note: 'Consumer restarted', by: people.tech2 }, minutes(5)],
        [{ type: 'LogIssue', text: 'Totals off by a cent', by: people.biz }, minutes(6)],
        [{ type: 'ResolveIssue', issueId: 2, by: people.tech1 }, minutes(7)],
        [{ type: 'ReopenIssue', issueId: 2, by: people.biz }, minutes(8)],
        [{ type: 'LogIssue', text: 'Slow admin page', by: people.support }, minutes(9)],
      ],
      {},
      resolved().history,
    );
    const record = buildRecord(history, { timezone: 'UTC' });
    expect(record.issues).toMatchObject({ found: 3, resolved: 1, pending: 2 });
    expect(record.issues.list[0]?.reopened).toEqual([
      {
        by: expect.objectContaining({ name: 'Sam Support' }),
        at: minutes(4).toISOString(),
        reason: 'Delayed again',
        resolution: {
          by: expect.objectContaining({ name: 'Tara Tech' }),
          at: minutes(2).toISOString(),
          note: 'Queue drained',
        },
      },
    ]);
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain('  - #1: Resend from admin (Bea Business, 2026-11-26 03:03)');
    expect(markdown).toContain(
      '| 1 | Receipts delayed | Sam Support, 2026-11-26 03:01 | resolved | resolved by Tara Tech, 2026-11-26 03:02: Queue drained; reopened by Sam Support, 2026-11-26 03:04: Delayed again; resolved by Theo Tech, 2026-11-26 03:05: Consumer restarted |',
    );
    expect(markdown).toContain(
      '| 2 | Totals off by a cent | Bea Business, 2026-11-26 03:06 | reopened | resolved by Tara Tech, 2026-11-26 03:07; reopened by Bea Business, 2026-11-26 03:08 |',
    );
    // Only what happened: an issue never resolved says so, with no history.
    expect(markdown).toContain('| 3 | Slow admin page | Sam Support, 2026-11-26 03:09 | pending | — |');
  });
});
