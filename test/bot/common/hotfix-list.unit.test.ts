import { describe, expect, it } from 'vitest';
import { renderHotfixList } from '../../../src/bot/teams/cards/hotfix-list.ts';
import { hotfixListText } from '../../../src/bot/slack/replies.ts';
import { started } from '../../domain/scenarios.ts';
import { textsOf } from '../teams/cards/helpers.ts';

describe('`list` on either edge: a lock says since when in the config’s zone, never as a raw timestamp', () => {
  const state = started().state;
  const since = '2025-03-14T08:48:00.000Z';
  const options = {
    timezone: 'Europe/Paris',
    now: new Date('2025-03-14T09:00:00.000Z'),
    locks: { payments: { hotfixId: 'HF-9', since } },
  };

  it('in Slack', () => {
    const text = hotfixListText([state], { ...options, title: 'Open hotfixes' });
    expect(text).toContain('🔒 payments locked by HF-9 since 09:48 (12m ago)');
    expect(text).toContain('_Times in Europe/Paris._');
    expect(text).not.toContain(since);
    expect(text.split('\n')[0]).toBe('*Open hotfixes*');
  });

  it('in Teams', () => {
    const texts = textsOf(renderHotfixList([state], { ...options, title: 'Open hotfixes' }).card);
    expect(texts).toContain('🔒 payments locked by HF-9 since 09:48 (12m ago)');
    expect(texts).toContain('Times in Europe/Paris.');
    expect(texts.join('\n')).not.toContain(since);
  });

  it('says nothing of times when no service is locked', () => {
    expect(hotfixListText([state], { timezone: 'UTC', now: options.now })).not.toContain('Times in');
    const texts = textsOf(
      renderHotfixList([state], { title: 'Open', timezone: 'UTC', now: options.now }).card,
    );
    expect(texts.join('\n')).not.toContain('Times in');
  });
});
