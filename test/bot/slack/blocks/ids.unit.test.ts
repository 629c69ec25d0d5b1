import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  actionOf,
  CALLBACKS,
  checklistBlockId,
  docsBlockId,
  encodeActionValue,
  encodeModalMetadata,
  indexedActionId,
  parseActionValue,
  parseChecklistBlockId,
  parseDocsBlockId,
  parseModalMetadata,
  voteIdOf,
} from '../../../../src/bot/slack/ids.ts';

describe('ids', () => {
  it('action, callback ids are unique and within 255 characters', () => {
    for (const ids of [Object.values(ACTIONS), Object.values(CALLBACKS)]) {
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id.length).toBeLessThanOrEqual(255);
      // One Bolt listener per kind routes them by this prefix.
      for (const id of ids) expect(id).toMatch(/^hotfix_/);
    }
  });

  it('matches indexed action ids to their action, and nothing else', () => {
    expect(indexedActionId(ACTIONS.approve, 0)).toBe('hotfix_approve');
    expect(indexedActionId(ACTIONS.approve, 3)).toBe('hotfix_approve:3');
    expect(actionOf('hotfix_approve:3')).toBe('approve');
    expect(actionOf('hotfix_approve')).toBe('approve');
    expect(actionOf('hotfix_approve_x')).toBeNull();
    expect(actionOf('hotfix_vote_against')).toBe('voteAgainst');
    expect(actionOf('hotfix_sign_off:2')).toBe('signOff');
    expect(actionOf('hotfix_unknown')).toBeNull();
  });

  it('button values round-trip and refuse anything else', () => {
    const value = { h: 'HF-3', v: 'abcdef0123456789', r: 'technical' };
    const encoded = encodeActionValue(value);
    expect(encoded.length).toBeLessThan(2000);
    expect(parseActionValue(encoded)).toEqual(value);
    expect(parseActionValue('not json')).toBeNull();
    expect(parseActionValue('{"v":"x"}')).toBeNull();
    expect(parseActionValue('{"h":"HF-1","extra":1}')).toBeNull();
    expect(parseActionValue(42)).toBeNull();
    expect(() =>
      encodeActionValue({ h: 'HF-1', v: 'x'.repeat(900), r: 'y'.repeat(300), run: 'z'.repeat(200) }),
    ).not.toThrow();
    expect(voteIdOf({ h: 'HF-1', v: '2' })).toBe(2);
    expect(voteIdOf({ h: 'HF-1', v: '2; drop' })).toBeNull();
  });

  it('checklist and docs block ids carry the hotfix, checklist and page', () => {
    const id = checklistBlockId('HF-12', 'environment_readiness', 1, '17');
    expect(parseChecklistBlockId(id)).toEqual({
      hotfixId: 'HF-12',
      checklist: 'environment_readiness',
      page: 1,
    });
    expect(parseChecklistBlockId('hotfix_checklist:HF-1:nope:0:r1')).toBeNull();
    expect(parseDocsBlockId(docsBlockId('HF-12', '3'))).toEqual({ hotfixId: 'HF-12' });
  });

  it('modal metadata round-trips', () => {
    const meta = { h: 'HF-1', p: 'abc', r: 'business', ch: 'C0INC', ts: '1700000000.000100' };
    expect(parseModalMetadata(encodeModalMetadata(meta))).toEqual(meta);
    expect(parseModalMetadata('')).toEqual({});
    expect(parseModalMetadata('{"h":1}')).toBeNull();
  });
});
