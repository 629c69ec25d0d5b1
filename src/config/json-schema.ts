import { z } from 'zod';
import { hotfixConfigSchema } from './schema.ts';

/**
 * The JSON Schema of hotfix.yml for editors (schema/hotfix.schema.json), generated from the zod schema
 * so the two cannot drift. It describes what a person writes (`io: 'input'`: durations as strings);
 * the cross-field rules only `hotfix config check` knows. Draft-07 is what YAML editors read best.
 */
export const renderConfigJsonSchema = (): string =>
  `${JSON.stringify(z.toJSONSchema(hotfixConfigSchema, { io: 'input', target: 'draft-07' }), null, 2)}\n`;
