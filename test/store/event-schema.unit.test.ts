import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/domain/hotfix/canonical-json.ts';
import { decodeEvent, decodeEventValue, encodeEvent, eventHash } from '../../src/store/event-codec.ts';
import { knownEventTypes } from '../../src/store/event-schema.ts';
import { plan, sampleOf } from './sample-events.ts';

const reasonFor = (value: unknown): string => {
  const decoded = decodeEventValue(value);
  return decoded.ok ? 'accepted' : decoded.reason;
};

describe('event schema', () => {
  test('knows exactly the domain event types', () => {
    expect([...knownEventTypes].sort()).toEqual(Object.keys(sampleOf).sort());
  });

  test.each(Object.values(sampleOf))(
    '$type encodes to canonical JSON and decodes back unchanged',
    (event) => {
      const encoded = encodeEvent(event);
      if (!encoded.ok) throw new Error(encoded.reason);
      expect(encoded.json).toBe(canonicalJson(JSON.parse(encoded.json)));
      expect(decodeEvent(encoded.json)).toEqual({ ok: true, event });
    },
  );

  test("an event stored before schema versions (v1) reads as today's: its planned steps have no recorded spec", () => {
    const { steps, ...started } = sampleOf.PipelineStarted;
    const v1 = { ...started, steps: steps.map(({ spec: _spec, ...step }) => step) };
    const decoded = decodeEvent(JSON.stringify(v1));
    expect(decoded).toEqual({
      ok: true,
      event: { ...sampleOf.PipelineStarted, steps: steps.map((step) => ({ ...step, spec: null })) },
    });
    // Today's events say which version they were written in.
    const encoded = encodeEvent(sampleOf.PipelineStarted);
    expect(encoded.ok && JSON.parse(encoded.json)).toMatchObject({ schemaVersion: 4 });
  });

  test.each([
    ['a newer schema version', 5, 'newer than this release reads (v4): upgrade the bot'],
    ['a version that is no version', '2', 'its schemaVersion "2" is not a version'],
  ])('refuses %s', (_, schemaVersion, reason) => {
    const decoded = decodeEvent(JSON.stringify({ ...sampleOf.PlanApproved, schemaVersion }));
    expect(decoded.ok === false && decoded.reason).toContain(reason);
  });

  test('a window closed before unobserved checks were told apart (v3, no `unobserved`) reads as it was', () => {
    const { unobserved: _unobserved, ...v3 } = { ...sampleOf.MonitoringWindowClosed, schemaVersion: 3 };
    expect(decodeEvent(JSON.stringify(v3))).toEqual({
      ok: true,
      event: { type: 'MonitoringWindowClosed', at: v3.at, by: v3.by, clean: false },
    });
    // Strict as the others: the checks are names, a list of them.
    expect(reasonFor({ ...sampleOf.MonitoringWindowClosed, unobserved: [''] })).not.toBe('accepted');
    expect(reasonFor({ ...sampleOf.MonitoringWindowClosed, unobserved: 'api/health' })).not.toBe('accepted');
  });

  test("keeps a person's config handle (persons form); events without one stay valid", () => {
    const by = { platform: 'teams' as const, id: 'aad-alice', person: 'alice', name: 'Alice Martin' };
    const encoded = encodeEvent({ ...sampleOf.PlanApproved, by });
    if (!encoded.ok) throw new Error(encoded.reason);
    expect(decodeEvent(encoded.json)).toEqual({ ok: true, event: { ...sampleOf.PlanApproved, by } });
    expect(sampleOf.PlanApproved.by).not.toHaveProperty('person');
    const empty = decodeEventValue({ ...sampleOf.PlanApproved, by: { ...by, person: '' } });
    expect(empty.ok).toBe(false);
  });

  test('drops undefined optional fields, as JSON would', () => {
    const withUndefined = { ...sampleOf.PlanApproved, comment: undefined };
    const encoded = encodeEvent(withUndefined);
    expect(encoded.ok && JSON.parse(encoded.json)).not.toHaveProperty('comment');
  });

  test.each([
    ['not JSON at all', () => decodeEvent('PlanApproved'), 'not valid JSON'],
    ['an array', () => decodeEventValue([sampleOf.PlanApproved]), 'not an object'],
    ['no type', () => decodeEventValue({ at: sampleOf.PlanApproved.at }), 'it has no type'],
    [
      'an unknown type',
      () => decodeEventValue({ ...sampleOf.PlanApproved, type: 'PlanBlessed' }),
      'type "PlanBlessed" is unknown',
    ],
  ])('refuses %s', (_, decode, reason) => {
    expect(decode()).toEqual({ ok: false, reason });
  });

  test.each([
    [
      'an extra field',
      { ...sampleOf.PlanApproved, approved: true },
      /^PlanApproved: Unrecognized key: "approved"/,
    ],
    [
      'an extra field deep inside',
      { ...sampleOf.HotfixStarted, plan: { ...plan, owner: 'x' } },
      /^HotfixStarted\.plan: Unrecognized key/,
    ],
    ['a missing field', { ...sampleOf.StepStarted, attempt: undefined }, /^StepStarted\.attempt: /],
    [
      'an unknown platform',
      { ...sampleOf.PlanApproved, by: { platform: 'discord', id: 'u1' } },
      /^PlanApproved\.by\.platform: /,
    ],
    [
      'a timestamp that is not ISO 8601',
      { ...sampleOf.PlanApproved, at: 'yesterday' },
      /^PlanApproved\.at: /,
    ],
    ['a fractional attempt', { ...sampleOf.StepStarted, attempt: 1.5 }, /^StepStarted\.attempt: /],
    ['a negative duration', { ...sampleOf.StepSucceeded, durationMs: -1 }, /^StepSucceeded\.durationMs: /],
    ['an unknown stage', { ...sampleOf.StagePassed, stage: 'party' }, /^StagePassed\.stage: /],
    [
      'an unknown checklist',
      { ...sampleOf.ChecklistItemTicked, checklist: 'vibes' },
      /^ChecklistItemTicked\.checklist: /,
    ],
    ['an empty role', { ...sampleOf.SignedOff, role: '' }, /^SignedOff\.role: /],
  ])('refuses %s, naming the field', (_, value, reason) => {
    expect(reasonFor(value)).toMatch(reason);
  });
});

describe('canonical JSON', () => {
  test('is JSON that parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  test('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });
});

describe('event hash', () => {
  const event = sampleOf.PlanApproved;
  const base = eventHash('HF-1', 2, 'a'.repeat(64), event);

  test('binds the hotfix, the position, the previous hash and the event', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash('HF-2', 2, 'a'.repeat(64), event)).not.toBe(base);
    expect(eventHash('HF-1', 3, 'a'.repeat(64), event)).not.toBe(base);
    expect(eventHash('HF-1', 2, 'b'.repeat(64), event)).not.toBe(base);
    expect(eventHash('HF-1', 2, 'a'.repeat(64), { ...event, comment: 'LGTM!' })).not.toBe(base);
  });

  test('ignores key order', () => {
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    expect(eventHash('HF-1', 2, 'a'.repeat(64), reordered)).toBe(base);
  });
});
