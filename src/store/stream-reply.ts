import { z } from 'zod';

// ioredis types stream replies as `unknown`; these schemas give them a shape without casts.

/** `[id, [field, value, …]]`; the fields are null for an entry deleted while still pending in a group. */
const entry = z.tuple([z.string(), z.array(z.string()).nullable()]);
export type RawStreamEntry = z.infer<typeof entry>;

export const xrangeReply = z.array(entry);
/** XREADGROUP: null on timeout, else `[[stream, entries]]`. */
export const xreadgroupReply = z.array(z.tuple([z.string(), z.array(entry)])).nullable();
/** XAUTOCLAIM: `[next cursor, claimed entries, deleted ids]` (Redis 7; 6.2 has no third element). */
export const xautoclaimReply = z.tuple([z.string(), z.array(entry)], z.unknown());

/** A stream entry's flat `[field, value, …]` list as a map. */
export const fieldMap = (fields: readonly string[]): Map<string, string> => {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [name, value] = [fields[i], fields[i + 1]];
    if (name !== undefined && value !== undefined) map.set(name, value);
  }
  return map;
};
