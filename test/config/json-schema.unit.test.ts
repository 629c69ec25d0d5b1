import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../src/config/json-schema.ts';

describe('schema/hotfix.schema.json', () => {
  it('is what the zod schema generates today', async () => {
    const committed = await readFile(new URL('../../schema/hotfix.schema.json', import.meta.url), 'utf8');
    expect(
      committed === renderConfigJsonSchema(),
      'schema/hotfix.schema.json is stale: run `npm run schema`',
    ).toBe(true);
  });

  it('describes what a person writes: durations as strings, every key known', () => {
    const schema = JSON.parse(renderConfigJsonSchema()) as {
      additionalProperties: boolean;
      properties: { policy: { properties: { verification_period: { type: string; default: string } } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.policy.properties.verification_period).toMatchObject({
      type: 'string',
      default: '30m',
    });
  });
});
