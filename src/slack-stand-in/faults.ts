import type { Failure } from './types.ts';

export interface RateLimit {
  readonly perMinute: number;
  /** Counted per channel (`chat.postMessage`: about 1 per second per channel) instead of per workspace. */
  readonly perChannel?: boolean;
}

export interface Faults {
  /**
   * The next `times` calls to `method` (`'*'`: any method) answer `failure` instead of being handled;
   * `Number.POSITIVE_INFINITY` makes Slack down (or rate-limiting) until `clear()`.
   */
  failNext(method: string, failure: Failure, times?: number): void;
  clear(): void;
  /**
   * The failure this call gets, if any: forced failures first, then the automatic rate limits (`channel`:
   * the call's channel argument, for limits counted per channel).
   */
  take(method: string, now: Date, channel?: string): Failure | undefined;
  reset(): void;
}

const WINDOW_MS = 60_000;

interface Pending {
  readonly failure: Failure;
  remaining: number;
}

export const createFaults = (rateLimits: Readonly<Record<string, RateLimit>>): Faults => {
  let pending = new Map<string, Pending[]>();
  let windows = new Map<string, number[]>();

  const forced = (key: string): Failure | undefined => {
    const queue = pending.get(key);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.failure;
  };

  /** A sliding one-minute window per method; Retry-After is when the oldest call in it leaves. */
  const limited = (method: string, now: number, channel: string | undefined): Failure | undefined => {
    const limit = rateLimits[method];
    if (limit === undefined) return undefined;
    const key = limit.perChannel === true ? `${method} ${channel ?? ''}` : method;
    const recent = (windows.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    windows.set(key, recent);
    const oldest = recent[0];
    if (recent.length >= limit.perMinute && oldest !== undefined)
      return { status: 429, retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    recent.push(now);
    return undefined;
  };

  return {
    failNext(method, failure, times = 1) {
      if (!(times >= 1)) throw new RangeError(`failNext: times must be at least 1, got ${times}`);
      const queue = pending.get(method) ?? [];
      queue.push({ failure, remaining: times });
      pending.set(method, queue);
    },
    clear() {
      pending = new Map();
    },
    take: (method, now, channel) => forced(method) ?? forced('*') ?? limited(method, now.getTime(), channel),
    reset() {
      pending = new Map();
      windows = new Map();
    },
  };
};
