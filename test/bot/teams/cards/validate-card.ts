import { createRequire } from 'node:module';
import type { Ajv as AjvClass } from 'ajv';
import type * as AdaptiveCards from 'adaptivecards';

/*
 * Checks an Adaptive Card the way Teams would take it, offline:
 * 1. the official Adaptive Card 1.5 JSON schema (test/fixtures/teams/, draft-06) with ajv, after taking off
 *    the Teams-only `msteams` host extension of each card;
 * 2. the `adaptivecards` package's own parser and `validateProperties` with Teams' host config, which flags
 *    what the schema cannot: more than 6 actions in a set, duplicate ids, required inputs without a label or
 *    an error message, unknown element or action types;
 * 3. the size Teams takes: under 80 KB of JSON.
 * Reusable for any card the bot sends (thread messages, dialogs).
 */

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;
const { id: schemaId, ...schemaBody } = require('../../../fixtures/teams/adaptive-card-1.5.0.json') as {
  id: string;
} & Record<string, unknown>;
const hostConfigJson = require('../../../../src/playground/assets/teams-hostconfig-light.json') as object;
// The package's CommonJS build parses and validates without a DOM (rendering would need one).
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Teams refuses messages above ~100 KB; the issue asks every activity to stay under 80 KB. */
export const MAX_CARD_BYTES = 80 * 1024;

// The schema declares draft-06 and names itself with `id`; ajv 8 wants the draft-06 meta-schema and `$id`.
const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: true, 'uri-reference': true } });
ajv.addMetaSchema(draft06);
const validateSchema = ajv.compile({ $id: schemaId, ...schemaBody });
const hostConfig = new AC.HostConfig(hostConfigJson);

/** The card without `msteams` on itself or any nested card (`Action.ShowCard`); button data keeps theirs. */
export const withoutTeamsExtension = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTeamsExtension);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const isCard = (value as { type?: unknown }).type === 'AdaptiveCard';
  return Object.fromEntries(
    entries
      .filter(([key]) => !(isCard && key === 'msteams'))
      .map(([key, v]) => [key, key === 'data' ? v : withoutTeamsExtension(v)]),
  );
};

/** Every problem Teams would have with the card, as `where: what`; empty when it is fine. */
export const validateCard = (card: unknown): string[] => {
  const problems: string[] = [];
  const json = JSON.stringify(card);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) problems.push(`size: ${bytes} bytes (max ${MAX_CARD_BYTES})`);

  const plain = withoutTeamsExtension(JSON.parse(json));
  if (!validateSchema(plain))
    // ajv reports every branch of the schema's anyOf (dozens for one bad element): the deepest say what is wrong.
    for (const e of [...(validateSchema.errors ?? [])]
      .sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)
      .slice(0, 20))
      problems.push(`schema ${e.instancePath || '/'}: ${e.message}`);

  const parsed = new AC.AdaptiveCard();
  parsed.hostConfig = hostConfig;
  const context = new AC.SerializationContext();
  parsed.parse(JSON.parse(json), context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of parsed.validateProperties().validationEvents)
    problems.push(`validate ${AC.ValidationEvent[e.event]}: ${e.message}`);
  return problems;
};
