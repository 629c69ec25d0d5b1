import { describe, expect, it } from 'vitest';
import {
  normalizeHotfixId,
  parseCommandText,
  rollbackTriggerOf,
  usageLine,
  usageLines,
  usageReply,
} from '../../../src/bot/common/command-text.ts';

describe('/hotfix text', () => {
  it('reads the issue log subcommands: list, resolve, work around, reopen', () => {
    expect(parseCommandText('issues hf-4')).toEqual({ kind: 'issues', hotfixId: 'HF-4' });
    expect(parseCommandText('issue resolve HF-4 2')).toEqual({
      kind: 'issue-resolve',
      hotfixId: 'HF-4',
      issueId: 2,
    });
    expect(parseCommandText('issue Resolve HF-4 #2 restarted  the consumer')).toEqual({
      kind: 'issue-resolve',
      hotfixId: 'HF-4',
      issueId: 2,
      note: 'restarted  the consumer',
    });
    expect(parseCommandText('issue workaround 4 1 resend from admin\nthen check')).toEqual({
      kind: 'issue-workaround',
      hotfixId: 'HF-4',
      issueId: 1,
      text: 'resend from admin\nthen check',
    });
    expect(parseCommandText('issue reopen HF-4 1')).toEqual({
      kind: 'issue-reopen',
      hotfixId: 'HF-4',
      issueId: 1,
    });
    expect(parseCommandText('issue reopen HF-4 1 late again')).toEqual({
      kind: 'issue-reopen',
      hotfixId: 'HF-4',
      issueId: 1,
      reason: 'late again',
    });
    // Logging keeps working, whatever the text says after the hotfix id.
    expect(parseCommandText('issue HF-4 resolve fails')).toEqual({
      kind: 'issue',
      hotfixId: 'HF-4',
      text: 'resolve fails',
    });
  });

  it('answers a bad issue change privately and specifically, with its own usage line', () => {
    const reply = (text: string, command?: string) => {
      const parsed = parseCommandText(text, command);
      return parsed.kind === 'usage' ? usageReply(parsed) : `parsed as ${parsed.kind}`;
    };
    expect(reply('issues')).toBe('Which hotfix?\nUsage: `/hotfix issues <id>`');
    expect(reply('issue resolve')).toBe('Which hotfix?\nUsage: `/hotfix issue resolve <id> <n> [note]`');
    expect(reply('issue resolve HF-2')).toBe(
      'Which issue of HF-2? Give its number.\nUsage: `/hotfix issue resolve <id> <n> [note]`',
    );
    expect(reply('issue reopen HF-2 two')).toBe(
      '`two` is not an issue number (they look like 3 or #3).\nUsage: `/hotfix issue reopen <id> <n> [reason]`',
    );
    expect(reply('issue workaround HF-2 1', '@hotfix')).toBe(
      'What is the workaround for issue #1?\nUsage: `@hotfix issue workaround <id> <n> <text>`',
    );
    expect(reply('issue workaround banana 1')).toContain('`banana` is not a hotfix id');
    expect(reply(`issue resolve HF-2 1 ${'x'.repeat(3001)}`)).toContain('keep it under 3000');
  });

  it('reads every subcommand', () => {
    expect(parseCommandText('')).toEqual({ kind: 'help' });
    expect(parseCommandText('help')).toEqual({ kind: 'help' });
    expect(parseCommandText('start')).toEqual({ kind: 'start' });
    expect(parseCommandText('start INC-42')).toEqual({ kind: 'start', issueId: 'INC-42' });
    expect(parseCommandText('status')).toEqual({ kind: 'status' });
    expect(parseCommandText('status hf-3')).toEqual({ kind: 'status', hotfixId: 'HF-3' });
    expect(parseCommandText('LIST')).toEqual({ kind: 'list' });
    expect(parseCommandText('edit 12')).toEqual({ kind: 'edit', hotfixId: 'HF-12' });
    expect(parseCommandText('issue HF-2 refunds  are slow')).toEqual({
      kind: 'issue',
      hotfixId: 'HF-2',
      text: 'refunds  are slow',
    });
    expect(parseCommandText('rollback HF-2 data totals wrong')).toEqual({
      kind: 'rollback',
      hotfixId: 'HF-2',
      reason: 'data totals wrong',
    });
    expect(parseCommandText('cancel HF-2')).toEqual({ kind: 'cancel', hotfixId: 'HF-2' });
    expect(parseCommandText('cancel HF-2 not needed')).toEqual({
      kind: 'cancel',
      hotfixId: 'HF-2',
      reason: 'not needed',
    });
    expect(parseCommandText('record HF-2')).toEqual({ kind: 'record', hotfixId: 'HF-2' });
  });

  it('answers what is missing or wrong, specifically', () => {
    const problem = (text: string) => {
      const parsed = parseCommandText(text);
      return parsed.kind === 'usage' ? parsed.problem : `parsed as ${parsed.kind}`;
    };
    expect(problem('deploy')).toContain("I don't know `/hotfix deploy`");
    expect(problem('edit')).toContain('Which hotfix?');
    expect(problem('edit banana')).toContain('`banana` is not a hotfix id');
    expect(problem('issue HF-1')).toContain('What is the issue?');
    expect(problem('rollback HF-1')).toContain('needs a reason');
    expect(problem(`issue HF-1 ${'x'.repeat(3001)}`)).toContain('keep it under 3000');
    expect(problem(`start ${'x'.repeat(81)}`)).toContain('at most 80');
  });

  it('answers a mistake with "Usage:" once: the subcommand’s own line when it has one, else the general one', () => {
    const reply = (text: string) => {
      const parsed = parseCommandText(text);
      return parsed.kind === 'usage' ? usageReply(parsed) : `parsed as ${parsed.kind}`;
    };
    expect(reply('status banana')).toBe(
      '`banana` is not a hotfix id (they look like HF-12).\nUsage: `/hotfix status [id]`',
    );
    expect(reply('rollback HF-1')).toBe(
      'Say why: a rollback needs a reason.\nUsage: `/hotfix rollback <id> <reason>`',
    );
    expect(reply('deploy')).toBe(`I don't know \`/hotfix deploy\`.\n${usageLine()}`);
    const mistakes = [
      'deploy',
      'edit',
      'edit banana',
      'record',
      'status x',
      'issue',
      'issue HF-1',
      `issue HF-1 ${'x'.repeat(3001)}`,
      'rollback',
      'rollback HF-1',
      `rollback HF-1 ${'x'.repeat(3001)}`,
      'cancel',
      'cancel nope',
      `cancel HF-1 ${'x'.repeat(3001)}`,
      `start ${'x'.repeat(81)}`,
    ];
    for (const text of mistakes) expect(reply(text).match(/Usage:/g), text).toHaveLength(1);
  });

  it('normalises hotfix ids', () => {
    expect(normalizeHotfixId('HF-7')).toBe('HF-7');
    expect(normalizeHotfixId('hf7')).toBe('HF-7');
    expect(normalizeHotfixId('7')).toBe('HF-7');
    expect(normalizeHotfixId('HF-0')).toBeNull();
    expect(normalizeHotfixId('HF-7; DROP')).toBeNull();
  });

  it('reads the text after a Teams mention the same way, and names @hotfix in its answers', () => {
    expect(parseCommandText('start INC-42', '@hotfix')).toEqual({ kind: 'start', issueId: 'INC-42' });
    expect(parseCommandText('rollback 3 data totals wrong', '@hotfix')).toEqual({
      kind: 'rollback',
      hotfixId: 'HF-3',
      reason: 'data totals wrong',
    });
    expect(parseCommandText('deploy', '@hotfix')).toEqual({
      kind: 'usage',
      problem: "I don't know `@hotfix deploy`.",
      usage: usageLine('@hotfix'),
    });
    expect(parseCommandText('edit', '@hotfix')).toEqual({
      kind: 'usage',
      problem: 'Which hotfix?',
      usage: 'Usage: `@hotfix edit <id>`',
    });
    expect(usageLines('@hotfix')[0]).toEqual(['@hotfix start [issue-id]', 'plan a new hotfix']);
    expect(usageLine('@hotfix')).toBe(
      'Usage: `@hotfix start|status|list|edit|issue|issues|rollback|cancel|record|help` (try `@hotfix help`)',
    );
  });
});

describe('rollback trigger words', () => {
  it('a leading trigger word with more after it picks the trigger; otherwise the form asks', () => {
    expect(rollbackTriggerOf('data the totals are wrong')).toEqual({
      trigger: 'data_issue',
      reason: 'the totals are wrong',
    });
    expect(rollbackTriggerOf('Perf p99 doubled')).toEqual({
      trigger: 'performance_problem',
      reason: 'p99 doubled',
    });
    expect(rollbackTriggerOf('data')).toBeNull();
    expect(rollbackTriggerOf('totals are wrong')).toBeNull();
  });

  it('a word that only an object prototype knows is no trigger', () => {
    expect(rollbackTriggerOf('constructor broke it')).toBeNull();
    expect(rollbackTriggerOf('toString is wrong')).toBeNull();
  });
});
