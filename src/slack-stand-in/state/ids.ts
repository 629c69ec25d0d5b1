import { createHash } from 'node:crypto';

/** Slack-looking ids from counters: deterministic, so two runs of a test see the same ids. */
export interface Ids {
  /** `prefix` + 10 base-36 digits (`V000000000A`), skipping ids `taken` says exist. */
  next(prefix: string, taken?: (id: string) => boolean): string;
  /** `length` hex digits derived from `seed`. */
  hex(seed: string, length: number): string;
  /** A number that only grows, for ids that embed one (trigger ids, response_url paths). */
  serial(): number;
}

export const createIds = (): Ids => {
  const counters = new Map<string, number>();
  let serial = 0;
  return {
    next(prefix, taken = () => false) {
      for (;;) {
        const n = (counters.get(prefix) ?? 0) + 1;
        counters.set(prefix, n);
        const id = `${prefix}${n.toString(36).toUpperCase().padStart(10, '0')}`;
        if (!taken(id)) return id;
      }
    },
    hex: (seed, length) => createHash('sha256').update(seed).digest('hex').slice(0, length),
    serial: () => ++serial,
  };
};
