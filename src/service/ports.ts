import type { Effect } from '../domain/hotfix/effects.ts';
import type { HotfixEvent } from '../domain/hotfix/events.ts';

/** An event as stored: its place in the hotfix's stream and its link in the tamper-evident hash chain. */
export interface StoredEvent {
  readonly hotfixId: string;
  /** 1-based position in the hotfix's stream; the stream's version is the position of its last event. */
  readonly position: number;
  readonly event: HotfixEvent;
  /** Hash of the previous event in this hotfix's stream ('' for the first). */
  readonly prevHash: string;
  /** sha256 over hotfixId, position, prevHash and the canonical event JSON. */
  readonly hash: string;
}

export interface LoadedStream {
  readonly events: readonly StoredEvent[];
  readonly version: number;
}

/** Who holds a service's deploy lock, and since when (ISO 8601). */
export interface LockHolder {
  readonly hotfixId: string;
  readonly runId: string;
  readonly since: string;
}

/**
 * Deploy locks an append takes for its hotfix in the same atomic step: all of them or none, and the events
 * are appended only with them. A lock this hotfix already holds counts as taken (and keeps its holder).
 */
export interface LockClaim {
  readonly services: readonly string[];
  /** Recorded in the lock, with `since`, for whoever is refused it. */
  readonly runId: string;
  /** ISO 8601. */
  readonly since: string;
}

export type AppendResult =
  | { readonly ok: true; readonly version: number; readonly stored: readonly StoredEvent[] }
  | { readonly ok: false; readonly actualVersion: number }
  /** The stream was at the expected version, but another hotfix holds a claimed lock: nothing was written. */
  | { readonly ok: false; readonly lockHeld: { readonly service: string; readonly holder: LockHolder } };

export interface AppendOptions {
  /** The hash of the event at `expectedVersion`, when the caller knows it: saves reading the head. */
  readonly expectedHead?: string;
  /** Locks to take with the events (checked after the version and the chain head). */
  readonly locks?: LockClaim;
}

/** An entry of the global feed: every appended event, in one total order across hotfixes. */
export interface FeedEntry {
  /** The feed's own id (a Redis stream id); acknowledge with it. */
  readonly feedId: string;
  readonly stored: StoredEvent;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly count: number;
      readonly head: string;
      /**
       * The last event is keyed with HOTFIX_AUDIT_KEY (HMAC-SHA256), which seals every event before it. False
       * for a stream written before the key: its plain sha256 chain proves only that the events agree with
       * each other, not that nobody with write access to Redis rewrote them.
       */
      readonly keyed: boolean;
    }
  | { readonly ok: false; readonly position: number; readonly reason: string };

export interface EventStore {
  /**
   * Allocates the next hotfix id (`HF-1`, `HF-2`, …) atomically. With a `requestKey`, the same key always
   * gets the same id (for a day), so a retried "start" does not open a second hotfix.
   */
  allocateId(requestKey?: string): Promise<string>;
  /**
   * Reads a hotfix's events; with `afterVersion`, only those after it (a caller that already folded the
   * first `afterVersion` events catches up without re-reading them).
   */
  load(hotfixId: string, afterVersion?: number): Promise<LoadedStream>;
  /**
   * Appends when the stream is still at `expectedVersion` (0 for a new stream); otherwise appends nothing
   * and reports the actual version, so the caller can reload and decide again. With `options.locks`, also
   * takes those locks, or, when another hotfix holds one, appends nothing and says who holds it. An append
   * of no events writes nothing, locks included.
   */
  append(
    hotfixId: string,
    expectedVersion: number,
    events: readonly HotfixEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Ids of hotfixes started and not yet closed or cancelled, oldest first. */
  listOpen(): Promise<string[]>;
  /** The current version of each hotfix (0 when it has no events), read together in one round trip. */
  versions(hotfixIds: readonly string[]): Promise<number[]>;
  /** Recomputes the hash chain of a hotfix's stream. */
  verify(hotfixId: string): Promise<VerifyResult>;
}

export interface Clock {
  now(): Date;
}

/** Carries out effects (locks, jobs, timers). Must be safe to run twice: effects are at-least-once. */
export interface EffectRunner {
  /** `version`: the stream version the effect's events brought the hotfix to. */
  run(effect: Effect, context: { readonly version: number }): Promise<void>;
}
