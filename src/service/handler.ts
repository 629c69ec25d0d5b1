import type { HotfixCommand } from '../domain/hotfix/commands.ts';
import type { HotfixEvent } from '../domain/hotfix/events.ts';
import { decide } from '../domain/hotfix/decide.ts';
import type { Effect } from '../domain/hotfix/effects.ts';
import type { RuleCode } from '../domain/hotfix/errors.ts';
import { RuleViolation } from '../domain/hotfix/errors.ts';
import { effectsOf } from '../domain/hotfix/effects.ts';
import type { Person } from '../domain/hotfix/people.ts';
import type { Plan } from '../domain/hotfix/plan.ts';
import type { Policy } from '../domain/hotfix/policy.ts';
import type { HotfixState } from '../domain/hotfix/state.ts';
import { fold, initialState } from '../domain/hotfix/state.ts';
import type { Clock, EffectRunner, EventStore, LockClaim, LockHolder, StoredEvent } from './ports.ts';

/**
 * What a command came to: `recorded` (events appended), `repeat` (an action already taken: nothing appended),
 * `refused` by a rule (with its code), `conflict` (another writer kept winning, or a deploy lock is held by
 * another hotfix), `failed` (anything else, e.g. Redis unreachable).
 */
export type CommandObservation =
  | { readonly type: HotfixCommand['type']; readonly outcome: 'recorded' | 'repeat' | 'conflict' | 'failed' }
  | { readonly type: HotfixCommand['type']; readonly outcome: 'refused'; readonly code: RuleCode };

export interface HandlerDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  /** Read on every command, so a reloaded hotfix.yml applies to the next decision. */
  readonly policy: () => Policy;
  readonly effects: EffectRunner;
  /** An effect that failed after its events were stored; they are re-derivable from the stream. */
  readonly onEffectError?: (effect: Effect, error: unknown) => void;
  /** How often to reload and decide again when another writer appended first. */
  readonly maxAttempts?: number;
  /** Pause before a retry; jittered so racing writers spread out. */
  readonly backoff?: (attempt: number) => Promise<void>;
  /** Told the outcome of every command (metrics); must not throw. */
  readonly observe?: (observation: CommandObservation) => void;
}

const CACHE_SIZE = 1000;

interface Folded {
  readonly state: HotfixState;
  readonly version: number;
  /** Hash of the event at `version`: the next append's expected chain head. */
  readonly head: string;
}

export interface Handled {
  readonly hotfixId: string;
  /** Events this command appended; empty when it repeated an action already taken. */
  readonly events: readonly StoredEvent[];
  readonly state: HotfixState;
  readonly effects: readonly Effect[];
}

/** Another writer kept winning the race for this stream; nothing was appended by this command. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly hotfixId: string,
    attempts: number,
  ) {
    super(`${hotfixId} is changing too fast: gave up after ${attempts} attempts; please try again.`);
  }
}

/**
 * A command that had to take deploy locks (`handle`'s `locks`) found one held by another hotfix: nothing was
 * appended. The stream was current when the lock was found held, so the refusal can be recorded as it is.
 */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  constructor(
    readonly hotfixId: string,
    readonly service: string,
    readonly holder: LockHolder,
  ) {
    super(`${service} is locked by ${holder.hotfixId} (${holder.runId}) since ${holder.since}`);
  }
}

export interface HandleOptions {
  /** Deploy locks the command's events are appended with, atomically: all taken, or nothing appended. */
  readonly locks?: LockClaim;
}

const defaultBackoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));

/**
 * The one command handler: load → fold → decide → append at the expected version (decide again on a
 * conflict) → run effects. Rule violations from the domain propagate to the caller unchanged.
 * Commands for one hotfix are serialised within this process, so only writers in other processes race.
 */
export const createCommandHandler = (deps: HandlerDeps) => {
  const maxAttempts = deps.maxAttempts ?? 100;
  const backoff = deps.backoff ?? defaultBackoff;
  const queues = new Map<string, Promise<unknown>>();
  const cache = new Map<string, Folded>();

  /**
   * The hotfix as of its latest event. Folded states are cached per process and caught up with only the
   * events appended since (by any process), so a command costs one short read, not a replay of the stream.
   */
  const current = async (hotfixId: string, fresh = false): Promise<Folded> => {
    const cached = fresh ? undefined : cache.get(hotfixId);
    const loaded = await deps.store.load(hotfixId, cached?.version ?? 0);
    const base = cached ?? { state: initialState(), version: 0, head: '' };
    if (loaded.events.length === 0) return base;
    const folded: Folded = {
      state: fold(
        loaded.events.map((e) => e.event),
        base.state,
      ),
      version: loaded.version,
      head: loaded.events.at(-1)?.hash ?? base.head,
    };
    remember(hotfixId, folded);
    return folded;
  };

  const remember = (hotfixId: string, folded: Folded) => {
    cache.delete(hotfixId);
    cache.set(hotfixId, folded);
    // Oldest first in a Map: keep the most recently used hotfixes.
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  };

  const serialised = <T>(hotfixId: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(hotfixId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(hotfixId, settled);
    void settled.then(() => {
      if (queues.get(hotfixId) === settled) queues.delete(hotfixId);
    });
    return next;
  };

  /**
   * Optimistic: decide on the cached state and let the append's version check say whether it was current.
   * Anything that appends nothing (a refusal, a repeat) is only believed once confirmed on a caught-up state.
   */
  const attempt = async (
    hotfixId: string,
    command: HotfixCommand,
    options: HandleOptions = {},
  ): Promise<Handled> => {
    let mode: 'cached' | 'caught-up' | 'fresh' = cache.has(hotfixId) ? 'cached' : 'caught-up';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const cached = mode === 'cached' ? cache.get(hotfixId) : undefined;
      const loaded: Folded = cached ?? (await current(hotfixId, mode === 'fresh'));
      const { state } = loaded;
      let events: HotfixEvent[];
      try {
        events = decide(command, state, { now: deps.clock.now(), policy: deps.policy() });
      } catch (error) {
        if (mode !== 'cached') throw error;
        mode = 'caught-up';
        continue;
      }
      if (events.length === 0) {
        if (mode === 'cached') {
          mode = 'caught-up';
          continue;
        }
        return { hotfixId, events: [], state, effects: [] };
      }
      const appended = await deps.store.append(hotfixId, loaded.version, events, {
        expectedHead: loaded.head,
        ...(options.locks === undefined ? {} : { locks: options.locks }),
      });
      if (!appended.ok && 'lockHeld' in appended) {
        const { service, holder } = appended.lockHeld;
        throw new LockHeldError(hotfixId, service, holder);
      }
      if (!appended.ok) {
        // Behind (another writer won): catch up and decide again. Ahead of the store (it lost writes, e.g.
        // Redis restored from an older file): forget the cache and read the stream whole.
        mode = appended.actualVersion <= loaded.version ? 'fresh' : 'caught-up';
        if (mode === 'fresh' || attempt > 1) await backoff(attempt);
        continue;
      }
      const after = fold(events, state);
      remember(hotfixId, {
        state: after,
        version: appended.version,
        head: appended.stored.at(-1)?.hash ?? loaded.head,
      });
      const effects = effectsOf(state, events, after, deps.policy());
      for (const effect of effects) {
        try {
          await deps.effects.run(effect, { version: appended.version });
        } catch (error) {
          deps.onEffectError?.(effect, error);
        }
      }
      return { hotfixId, events: appended.stored, state: after, effects };
    }
    throw new ConcurrencyError(hotfixId, maxAttempts);
  };

  /** Runs one command and tells `deps.observe` what it came to. */
  const observed = async (type: HotfixCommand['type'], work: () => Promise<Handled>): Promise<Handled> => {
    if (deps.observe === undefined) return work();
    let handled: Handled;
    try {
      handled = await work();
    } catch (error) {
      deps.observe(
        error instanceof RuleViolation
          ? { type, outcome: 'refused', code: error.code }
          : {
              type,
              outcome:
                error instanceof ConcurrencyError || error instanceof LockHeldError ? 'conflict' : 'failed',
            },
      );
      throw error;
    }
    deps.observe({ type, outcome: handled.events.length > 0 ? 'recorded' : 'repeat' });
    return handled;
  };

  return {
    /**
     * Decides and records one command on an existing hotfix. With `options.locks`, its events are appended
     * only together with those deploy locks; when another hotfix holds one, it throws a LockHeldError.
     */
    handle: (hotfixId: string, command: HotfixCommand, options?: HandleOptions): Promise<Handled> =>
      observed(command.type, () => serialised(hotfixId, () => attempt(hotfixId, command, options))),

    /**
     * Starts a new hotfix. `requestKey` (e.g. the chat platform's request id) makes a redelivered start
     * land on the same hotfix instead of opening a second one.
     */
    start: (plan: Plan, by: Person, requestKey?: string): Promise<Handled> =>
      observed('StartHotfix', async () => {
        const hotfixId = await deps.store.allocateId(requestKey);
        return serialised(hotfixId, () => attempt(hotfixId, { type: 'StartHotfix', id: hotfixId, plan, by }));
      }),

    /** The current state of a hotfix (phase `none` when it does not exist). */
    state: async (hotfixId: string): Promise<HotfixState> => (await current(hotfixId)).state,

    /**
     * The state as of at least `version`, from this process's cache when it has got that far (no read).
     * Only for a caller whose every decision is then checked by a command, as a worker's are.
     */
    stateAtLeast: async (hotfixId: string, version: number): Promise<HotfixState> => {
      const cached = cache.get(hotfixId);
      return cached && cached.version >= version ? cached.state : (await current(hotfixId)).state;
    },
  };
};

export type CommandHandler = ReturnType<typeof createCommandHandler>;
