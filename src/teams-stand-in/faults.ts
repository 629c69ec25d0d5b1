import { splitConversationId } from './state.ts';
import type { CallMatch, ConnectorFailure, RateWindow } from './types.ts';

export interface Call {
  readonly method: string;
  readonly path: string;
  readonly conversation: string | undefined;
}

export interface Faults {
  /** The next `times` calls that match answer `failure` instead of being handled. */
  failNext(failure: ConnectorFailure, match?: CallMatch, times?: number): void;
  /** Every matching call waits `ms` before it is handled (0 ends it). */
  delay(ms: number, match?: CallMatch): void;
  clear(): void;
  forced(call: Call): ConnectorFailure | undefined;
  delayOf(call: Call): number;
  /**
   * Teams' sliding windows per conversation (a channel's threads share the channel's): the seconds until the
   * call would fit, or undefined when it fits (and is then counted).
   */
  rateLimited(conversation: string, now: Date): number | undefined;
  clearRateWindows(): void;
  reset(): void;
}

const matches = (match: CallMatch, call: Call) => {
  if (match.method !== undefined && match.method !== call.method) return false;
  if (match.path !== undefined) {
    const hit = typeof match.path === 'string' ? call.path.includes(match.path) : match.path.test(call.path);
    if (!hit) return false;
  }
  if (match.conversation === undefined) return true;
  if (call.conversation === undefined) return false;
  const wanted = splitConversationId(match.conversation);
  const actual = splitConversationId(call.conversation);
  return wanted.base === actual.base && (wanted.thread === undefined || wanted.thread === actual.thread);
};

interface Pending {
  readonly failure: ConnectorFailure;
  readonly match: CallMatch;
  remaining: number;
}

export const createFaults = (limits: readonly RateWindow[]): Faults => {
  let pending: Pending[] = [];
  let delays: { readonly ms: number; readonly match: CallMatch }[] = [];
  let sent = new Map<string, number[]>();
  const longest = Math.max(0, ...limits.map((limit) => limit.windowMs));

  return {
    failNext(failure, match = {}, times = 1) {
      if (!(times >= 1)) throw new RangeError(`failNext: times must be at least 1, got ${times}`);
      pending.push({ failure, match, remaining: times });
    },
    delay(ms, match = {}) {
      if (!(ms >= 0)) throw new RangeError(`delay: ms must be at least 0, got ${ms}`);
      delays = [...delays.filter((entry) => JSON.stringify(entry.match) !== JSON.stringify(match))];
      if (ms > 0) delays.push({ ms, match });
    },
    clear() {
      pending = [];
      delays = [];
    },
    forced(call) {
      const hit = pending.find((entry) => matches(entry.match, call));
      if (hit === undefined) return undefined;
      hit.remaining -= 1;
      if (hit.remaining <= 0) pending = pending.filter((entry) => entry !== hit);
      return hit.failure;
    },
    delayOf: (call) =>
      Math.max(0, ...delays.filter((entry) => matches(entry.match, call)).map((entry) => entry.ms)),
    rateLimited(conversation, now) {
      const key = splitConversationId(conversation).base;
      const at = now.getTime();
      const recent = (sent.get(key) ?? []).filter((time) => at - time < longest);
      sent.set(key, recent);
      let waitMs = 0;
      for (const { max, windowMs } of limits) {
        const inWindow = recent.filter((time) => at - time < windowMs);
        const oldest = inWindow[inWindow.length - max];
        if (inWindow.length >= max && oldest !== undefined) waitMs = Math.max(waitMs, oldest + windowMs - at);
      }
      if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
      recent.push(at);
      return undefined;
    },
    clearRateWindows() {
      sent = new Map();
    },
    reset() {
      pending = [];
      delays = [];
      sent = new Map();
    },
  };
};
