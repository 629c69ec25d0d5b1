import { describe, expect, test } from 'vitest';
import { decodeEvent, encodeEvent } from '../../src/store/event-codec.ts';
import { sampleOf } from './sample-events.ts';

describe('step tags in recorded runs', () => {
  test('a run recorded before steps had tags reads back with none', () => {
    const started = sampleOf.PipelineStarted;
    const untagged = {
      ...started,
      schemaVersion: 2,
      steps: started.steps.map((step) => {
        if (step.spec === null) return step;
        const { tags: _tags, ...spec } = step.spec;
        return { ...step, spec };
      }),
    };
    const decoded = decodeEvent(JSON.stringify(untagged));
    expect(
      decoded.ok && decoded.event.type === 'PipelineStarted' && decoded.event.steps.map((s) => s.spec?.tags),
    ).toEqual(started.steps.map((s) => (s.spec === null ? undefined : [])));
  });

  test('a tagged step keeps its tags; an unknown tag is refused', () => {
    const started = sampleOf.PipelineStarted;
    const tagged = {
      ...started,
      steps: started.steps.map((step) =>
        step.spec === null
          ? step
          : { ...step, spec: { ...step.spec, tags: ['database' as const, 'restart' as const] } },
      ),
    };
    const encoded = encodeEvent(tagged);
    if (!encoded.ok) throw new Error(encoded.reason);
    expect(decodeEvent(encoded.json)).toEqual({ ok: true, event: tagged });
    const unknown = encoded.json.replace('"database"', '"schema"');
    expect(decodeEvent(unknown).ok).toBe(false);
  });
});
