import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { Ajv as AjvClass } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../src/config/json-schema.ts';

const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };

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

  it("lets editors check both forms of people: the bundled configs and the role form validate, a person's typo does not", async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(
      JSON.parse(renderConfigJsonSchema()) as object,
    );
    const load = async (path: string) =>
      parse(await readFile(new URL(`../../${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;
    for (const path of [
      'examples/playground/hotfix.yml',
      'config/hotfix.example.yml',
      'test/fixtures/config/role-form-both-platforms.yml',
    ])
      expect(validate(await load(path)), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    const playground = await load('examples/playground/hotfix.yml');
    expect(validate({ ...playground, people: { alice: { roles: ['technical'], slak: 'U0ALICE' } } })).toBe(
      false,
    );
  });
});
