import { createHash, createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { HotfixEvent } from '../domain/hotfix/events.ts';
import { canonicalJson } from '../domain/hotfix/canonical-json.ts';
import { hotfixEventSchema, knownEventTypes } from './event-schema.ts';
import { upcast, withSchemaVersion } from './upcast.ts';

/** A stored event could not be read back: bad JSON, an unknown type or fields that fail the schema. */
export class CorruptEventError extends Error {
  override readonly name = 'CorruptEventError';
  constructor(
    readonly hotfixId: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${hotfixId} event ${position} is corrupt: ${reason}`);
  }
}

/** `append` was given an event the schema refuses; storing it would make the stream unreadable. */
export class InvalidEventError extends TypeError {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly hotfixId: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${hotfixId} event ${position} cannot be stored: ${reason}`);
  }
}

export type Decoded =
  { readonly ok: true; readonly event: HotfixEvent } | { readonly ok: false; readonly reason: string };

/** `PlanApproved.by.platform: Invalid option: …`, for at most three issues. */
const describeIssues = (type: string, error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${[type, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');

/** Checks an event of the current schema version against the schema, with a reason fit for an operator. */
export const decodeEventValue = (value: unknown): Decoded => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'not an object' };
  const type: unknown = 'type' in value ? value.type : undefined;
  if (typeof type !== 'string') return { ok: false, reason: 'it has no type' };
  if (!knownEventTypes.has(type)) return { ok: false, reason: `type ${JSON.stringify(type)} is unknown` };
  const parsed = hotfixEventSchema.safeParse(value);
  return parsed.success
    ? { ok: true, event: parsed.data }
    : { ok: false, reason: describeIssues(type, parsed.error) };
};

export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

/** Reads an already JSON-parsed stored event, of any schema version so far, as a current event. */
export const decodeStoredValue = (value: unknown): Decoded => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'not an object' };
  const upcasted = upcast(value as Record<string, unknown>);
  return upcasted.ok ? decodeEventValue(upcasted.event) : upcasted;
};

/** Decodes the stored JSON text of one event. */
export const decodeEvent = (text: string): Decoded => {
  const json = parseJson(text);
  return json.ok ? decodeStoredValue(json.value) : { ok: false, reason: 'not valid JSON' };
};

/** The stored form of a valid current event: its canonical JSON with the schema version it is written in. */
export const storedEventJson = (event: HotfixEvent): string => canonicalJson(withSchemaVersion(event));

/** Validates an event for storage and returns its stored JSON text, or the reason it cannot be stored. */
export const encodeEvent = (
  event: HotfixEvent,
): { ok: true; json: string } | { ok: false; reason: string } => {
  const decoded = decodeEventValue(event);
  return decoded.ok ? { ok: true, json: storedEventJson(decoded.event) } : decoded;
};

/**
 * How an event's hash was made. Streams written before HOTFIX_AUDIT_KEY hold plain sha256 links, which anyone
 * with write access to Redis can recompute after a rewrite; every event appended now is keyed.
 */
export type ChainAlgorithm = 'sha256' | 'hmac-sha256';

/**
 * What a link hashes: the canonical JSON of `{ event, hotfixId, position, prevHash }`, built around the
 * event's canonical JSON text. Binding the id and position means an event cannot be moved to another stream
 * or slot unnoticed.
 */
const linkText = (hotfixId: string, position: number, prevHash: string, eventJson: string): string =>
  // Keys in canonical (sorted) order: event, hotfixId, position, prevHash.
  `{"event":${eventJson},"hotfixId":${JSON.stringify(hotfixId)},"position":${position},"prevHash":${JSON.stringify(prevHash)}}`;

/** The plain link of streams written before the audit key: sha256 (hex) of the link text. */
export const eventHash = (hotfixId: string, position: number, prevHash: string, event: unknown): string =>
  eventHashOfJson(hotfixId, position, prevHash, canonicalJson(event));

/** The same plain hash from the event's canonical JSON text, built without serialising the event again. */
export const eventHashOfJson = (
  hotfixId: string,
  position: number,
  prevHash: string,
  eventJson: string,
): string =>
  createHash('sha256')
    .update(linkText(hotfixId, position, prevHash, eventJson))
    .digest('hex');

/** The keyed link: HMAC-SHA256 (hex) of the link text under HOTFIX_AUDIT_KEY. */
export const eventHmac = (
  auditKey: string,
  hotfixId: string,
  position: number,
  prevHash: string,
  event: unknown,
): string => eventHmacOfJson(auditKey, hotfixId, position, prevHash, canonicalJson(event));

/** The same keyed hash from the event's canonical JSON text. */
export const eventHmacOfJson = (
  auditKey: string,
  hotfixId: string,
  position: number,
  prevHash: string,
  eventJson: string,
): string =>
  createHmac('sha256', auditKey)
    .update(linkText(hotfixId, position, prevHash, eventJson))
    .digest('hex');

export const isHash = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);
