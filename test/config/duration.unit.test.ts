import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1s500ms', 1_500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['10x', '', '10', 's', '1.5h', '-1s', ' 30s', '30 s', '30m1h', '1m1m', '30S'])(
    'refuses %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/expected a duration such as 500ms, 30s/);
    },
  );

  it('refuses zero unless zero is allowed', () => {
    expect(() => parseDuration('0s')).toThrow('must be longer than 0, got "0s"');
    expect(parseDuration('0s', { allowZero: true })).toBe(0);
  });
});

describe('formatDuration', () => {
  it.each([0, 500, 30_000, 90_000, 5_400_000, 86_400_000 + 1_000])('round-trips %i ms', (ms) => {
    expect(parseDuration(formatDuration(ms), { allowZero: true })).toBe(ms);
  });

  it('uses the largest units', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
  });
});
