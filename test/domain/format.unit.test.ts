import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockface, formatDuration } from '../../src/domain/hotfix/format.ts';

describe('clockface: instants on a zone’s wall clock', () => {
  it('writes minutes and seconds, and a dash for no date', () => {
    const utc = clockface('UTC');
    expect(utc.minute('2025-03-14T09:05:42.999Z')).toBe('2025-03-14 09:05');
    expect(utc.second('2025-03-14T09:05:42.999Z')).toBe('2025-03-14 09:05:42');
    expect(utc.minute('2025-03-14T10:05:42+01:00')).toBe('2025-03-14 09:05');
    for (const none of [null, undefined, '', 'soon', '2025-13-45T99:00:00Z']) {
      expect(utc.minute(none)).toBe('—');
      expect(utc.second(none)).toBe('—');
    }
  });

  it('follows Paris across both DST changes: 02:00 never shows in March, 02:30 shows twice in October', () => {
    const paris = clockface('Europe/Paris');
    expect(paris.second('2025-03-30T00:59:59Z')).toBe('2025-03-30 01:59:59');
    expect(paris.second('2025-03-30T01:00:00Z')).toBe('2025-03-30 03:00:00');
    expect(paris.minute('2025-10-26T00:30:00Z')).toBe('2025-10-26 02:30');
    expect(paris.minute('2025-10-26T01:30:00Z')).toBe('2025-10-26 02:30');
    expect(paris.minute('2025-10-26T02:00:00Z')).toBe('2025-10-26 03:00');
    expect(paris.minute('2025-01-15T12:00:00Z')).toBe('2025-01-15 13:00');
    expect(paris.minute('2025-07-15T12:00:00Z')).toBe('2025-07-15 14:00');
  });

  it('keeps a half-hour offset (Kolkata, UTC+05:30) and its midnight, a day ahead of UTC’s', () => {
    const kolkata = clockface('Asia/Kolkata');
    expect(kolkata.minute('2025-03-14T18:29:59Z')).toBe('2025-03-14 23:59');
    expect(kolkata.second('2025-03-14T18:30:00Z')).toBe('2025-03-15 00:00:00');
    expect(clockface('UTC').minute('2025-03-14T18:30:00Z')).toBe('2025-03-14 18:30');
    // Lord Howe moves its clock by half an hour.
    const howe = clockface('Australia/Lord_Howe');
    expect(howe.minute('2025-10-04T15:29:00Z')).toBe('2025-10-05 01:59');
    expect(howe.minute('2025-10-04T15:30:00Z')).toBe('2025-10-05 02:30');
  });

  it('gives every zone its own reading of one instant, however often it is asked', () => {
    const at = '2025-03-14T23:30:00Z';
    for (let i = 0; i < 3; i++) {
      expect(clockface('UTC').minute(at)).toBe('2025-03-14 23:30');
      expect(clockface('Europe/Paris').minute(at)).toBe('2025-03-15 00:30');
      expect(clockface('Asia/Kolkata').minute(at)).toBe('2025-03-15 05:00');
    }
    expect(clockface('Europe/Paris')).toBe(clockface('Europe/Paris'));
    // Past what it keeps, it formats again and reads the same.
    const paris = clockface('Europe/Paris');
    for (let s = 0; s < 5000; s++) paris.second(new Date(Date.parse(at) + s * 1000).toISOString());
    expect(paris.second('2025-03-15T00:00:00Z')).toBe('2025-03-15 01:00:00');
    expect(paris.minute(at)).toBe('2025-03-15 00:30');
  });

  it('refuses a zone Intl does not know, naming it', () => {
    expect(() => clockface('Mars/Olympus')).toThrow(new RangeError('Unknown time zone: "Mars/Olympus"'));
    // @date-fns/tz alone would read these as offsets (+05, -03); the config check refuses them too.
    expect(() => clockface('Mars+05')).toThrow(RangeError);
    expect(() => clockface('Nowhere-03:00')).toThrow(RangeError);
  });
});

describe('formatDuration', () => {
  it('writes milliseconds, tenths under 10 s, then seconds, minutes and hours, two units at most', () => {
    const cases: [number, string][] = [
      [0, '0ms'],
      [350, '350ms'],
      [999.4, '999ms'],
      [1000, '1.0s'],
      [4_290, '4.2s'],
      [9_999, '9.9s'],
      [10_000, '10s'],
      [42_900, '42s'],
      [60_000, '1m'],
      [185_000, '3m 05s'],
      [299_999, '4m 59s'],
      [1_800_000, '30m'],
      [3_599_999, '59m 59s'],
      [3_600_000, '1h'],
      [3_720_000, '1h 02m'],
      [90_000_000, '25h'],
      [93_659_000, '26h'],
    ];
    for (const [ms, text] of cases) expect(formatDuration(ms), String(ms)).toBe(text);
  });

  it('writes a dash for a missing, negative or non-finite duration', () => {
    for (const ms of [null, undefined, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(formatDuration(ms)).toBe('—');
  });

  it('never rounds up: what it shows, read back, is the duration cut to the last unit shown', () => {
    const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 30 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);
        expect(text).toMatch(/^(\d+h( \d\dm)?|\d{1,2}m( \d\ds)?|\d{2}s)$/);
        const parts = [...text.matchAll(/(\d+)([hms])/g)].map(
          (m) => [Number(m[1]), UNIT_MS[m[2] as keyof typeof UNIT_MS]] as const,
        );
        const shown = parts.reduce((sum, [count, size]) => sum + count * size, 0);
        const last = parts.at(-1)?.[1] ?? 1;
        expect(shown).toBe(Math.floor(ms / last) * last);
      }),
    );
  });
});
