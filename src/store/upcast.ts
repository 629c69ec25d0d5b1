/**
 * Stored events carry the schema version they were written in (`schemaVersion` in the stored JSON; absent
 * means 1, the shape before versions were stored). A reader brings an older event up to the current shape one
 * version at a time before the schema checks it. Stored entries are never rewritten: the hash chain covers
 * the stored text, so upcasting happens on every read, after verification.
 *
 * v1 → v2: a run's planned steps gained `spec`, the step as configured when the run started. A v1 run did not
 * record it, so it is `null`: unknown, never guessed from today's config.
 *
 * v2 → v3: a step spec gained `tags` (a v2 step had none: `[]`); new events (IssueReopened,
 * BreachAcceptanceGiven, BreachesAccepted, ReminderSent) and optional fields (a monitor round's measurement,
 * the window's period source, a plan's risk and communication plan). A release that reads v2 says "upgrade the
 * bot" on these instead of calling them corrupt.
 *
 * v3 → v4: a window's close gained the optional `unobserved` (the checks that never reported); a v3 close has
 * none, so it reads unchanged.
 */

export const EVENT_SCHEMA_VERSION = 4;

/** The field of the stored JSON that holds its schema version. */
export const SCHEMA_VERSION_FIELD = 'schemaVersion';

type JsonObject = Record<string, unknown>;

/** Upcasters by the version they read: `from[1]` turns a v1 event into a v2 one. */
const from: Readonly<Record<number, (event: JsonObject) => JsonObject>> = {
  1: (event) =>
    event.type === 'PipelineStarted' && Array.isArray(event.steps)
      ? {
          ...event,
          steps: event.steps.map((step: unknown) =>
            step !== null && typeof step === 'object' ? { ...step, spec: null } : step,
          ),
        }
      : event,
  2: (event) =>
    event.type === 'PipelineStarted' && Array.isArray(event.steps)
      ? {
          ...event,
          steps: event.steps.map((step: unknown) => {
            if (step === null || typeof step !== 'object') return step;
            const { spec } = step as { spec?: unknown };
            return spec !== null && typeof spec === 'object' && !('tags' in spec)
              ? { ...step, spec: { ...spec, tags: [] } }
              : step;
          }),
        }
      : event,
  3: (event) => event,
};

export type Upcast =
  { readonly ok: true; readonly event: JsonObject } | { readonly ok: false; readonly reason: string };

/** The stored value without its version field, upcast to the current version; the schema checks it next. */
export const upcast = (stored: JsonObject): Upcast => {
  const { [SCHEMA_VERSION_FIELD]: version = 1, ...event } = stored;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return { ok: false, reason: `its ${SCHEMA_VERSION_FIELD} ${JSON.stringify(version)} is not a version` };
  if (version > EVENT_SCHEMA_VERSION)
    return {
      ok: false,
      reason: `it was written with event schema v${version}, newer than this release reads (v${EVENT_SCHEMA_VERSION}): upgrade the bot`,
    };
  let current = event;
  for (let v = version; v < EVENT_SCHEMA_VERSION; v++) {
    const step = from[v];
    if (step === undefined) return { ok: false, reason: `no upcaster from event schema v${v}` };
    current = step(current);
  }
  return { ok: true, event: current };
};

/** The value to store for a current event: the event with its schema version. */
export const withSchemaVersion = (event: object): JsonObject => ({
  ...event,
  [SCHEMA_VERSION_FIELD]: EVENT_SCHEMA_VERSION,
});
