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

export type AppendResult =
  | { readonly ok: true; readonly version: number; readonly stored: readonly StoredEvent[] }
  | { readonly ok: false; readonly actualVersion: number };

/** An entry of the global feed: every appended event, in one total order across hotfixes. */
export interface FeedEntry {
  /** The feed's own id (a Redis stream id); acknowledge with it. */
  readonly feedId: string;
  readonly stored: StoredEvent;
}

export type VerifyResult =
  | { readonly ok: true; readonly count: number; readonly head: string }
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
   * and reports the actual version, so the caller can reload and decide again.
   */
  append(
    hotfixId: string,
    expectedVersion: number,
    events: readonly HotfixEvent[],
    /** The hash of the event at `expectedVersion`, when the caller knows it: saves reading the head. */
    expectedHead?: string,
  ): Promise<AppendResult>;
  /** Ids of hotfixes started and not yet closed or cancelled, oldest first. */
  listOpen(): Promise<string[]>;
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
