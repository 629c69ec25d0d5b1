import { tz } from '@date-fns/tz';
import { isSameDay } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { times } from '../../../src/bot/common/times.ts';

describe('times: what a card shows of a date, relative to its now', () => {
  it('shows the time alone on the day of now in the zone, the date too otherwise', () => {
    const t = times('Europe/Paris', new Date('2025-03-14T12:00:00Z'));
    expect(t.at('2025-03-14T08:05:00Z')).toBe('09:05');
    expect(t.at('2025-03-13T22:59:00Z')).toBe('2025-03-13 23:59');
    expect(t.at('2025-03-13T23:00:00Z')).toBe('00:00');
    expect(t.at('2025-03-14T22:59:00Z')).toBe('23:59');
    expect(t.at('2025-03-14T23:00:00Z')).toBe('2025-03-15 00:00');
    expect(t.at(null)).toBe('—');
    expect(t.at('whenever')).toBe('—');
  });

  it('judges "the same day" by the zone’s midnight, not UTC’s', () => {
    // 23:30 UTC is already tomorrow in Paris and in Kolkata (UTC+05:30), still today in UTC.
    const now = new Date('2025-03-14T23:30:00Z');
    const earlier = '2025-03-14T18:00:00Z';
    expect(times('UTC', now).at(earlier)).toBe('18:00');
    expect(times('Europe/Paris', now).at(earlier)).toBe('2025-03-14 19:00');
    expect(times('Asia/Kolkata', now).at(earlier)).toBe('2025-03-14 23:30');
    // Kolkata's midnight is 18:30 UTC: 18:29 is the day before there, 18:30 the same day.
    const kolkata = times('Asia/Kolkata', new Date('2025-03-15T10:00:00Z'));
    expect(kolkata.at('2025-03-14T18:29:00Z')).toBe('2025-03-14 23:59');
    expect(kolkata.at('2025-03-14T18:30:00Z')).toBe('00:00');
  });

  it('counts a DST day in Paris as the 23 or 25 hours it has', () => {
    // 30 March 2025 runs from 23:00 UTC the day before to 22:00 UTC (23 hours).
    const spring = times('Europe/Paris', new Date('2025-03-30T12:00:00Z'));
    expect(spring.at('2025-03-29T23:00:00Z')).toBe('00:00');
    expect(spring.at('2025-03-30T01:00:00Z')).toBe('03:00');
    expect(spring.at('2025-03-30T21:59:00Z')).toBe('23:59');
    expect(spring.at('2025-03-30T22:00:00Z')).toBe('2025-03-31 00:00');
    // 26 October 2025 runs from 22:00 UTC the day before to 23:00 UTC (25 hours).
    const autumn = times('Europe/Paris', new Date('2025-10-26T12:00:00Z'));
    expect(autumn.at('2025-10-25T21:59:00Z')).toBe('2025-10-25 23:59');
    expect(autumn.at('2025-10-25T22:00:00Z')).toBe('00:00');
    expect(autumn.at('2025-10-26T22:59:00Z')).toBe('23:59');
    expect(autumn.at('2025-10-26T23:00:00Z')).toBe('2025-10-27 00:00');
  });

  it('agrees with date-fns’ isSameDay in the zone', () => {
    const zones = ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Havana'];
    const instant = fc.integer({
      min: Date.parse('2024-01-01T00:00:00Z'),
      max: Date.parse('2027-01-01T00:00:00Z'),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        instant,
        fc.integer({ min: -36, max: 36 }),
        (zone, now, hours) => {
          const at = new Date(now + hours * 3_600_000 + 17_000).toISOString();
          const shown = times(zone, new Date(now)).at(at);
          expect(/^\d\d:\d\d$/.test(shown)).toBe(isSameDay(at, now, { in: tz(zone) }));
        },
      ),
    );
  });

  it('says how far a date is from now, and how long since', () => {
    const t = times('UTC', new Date('2025-03-14T09:00:00Z'));
    expect(t.rel('2025-03-14T09:04:59Z')).toBe('in 4m 59s');
    expect(t.rel('2025-03-14T08:57:00Z')).toBe('3m ago');
    expect(t.rel('2025-03-14T09:00:00Z')).toBe('in 0ms');
    expect(t.rel('2025-03-14T10:12:00+01:00')).toBe('in 12m');
    expect(t.since('2025-03-14T07:58:00Z')).toBe('1h 02m');
    expect(t.since('2025-03-14T09:00:04.2Z')).toBe('—');
    for (const none of [null, undefined, '', 'later']) {
      expect(t.rel(none)).toBe('—');
      expect(t.since(none)).toBe('—');
    }
  });

  it('says when, in the zone and relative to now, for a list to show a lock', () => {
    const t = times('Europe/Paris', new Date('2025-03-14T12:00:00Z'));
    expect(t.when('2025-03-14T11:48:00Z')).toBe('12:48 (12m ago)');
    expect(t.when('2025-03-13T08:00:00.000Z')).toBe('2025-03-13 09:00 (28h ago)');
    for (const none of [null, undefined, '', 'later']) expect(t.when(none)).toBe('—');
  });
});
