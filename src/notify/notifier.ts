import type { Redis, Result } from 'ioredis';
import { z } from 'zod';
import { lastOfCommand } from '../domain/hotfix/attention.ts';
import type { HotfixState } from '../domain/hotfix/state.ts';
import { evolve, initialState } from '../domain/hotfix/state.ts';
import type { Clock, EventStore, StoredEvent } from '../service/ports.ts';

/** One event of a command with the states around it: just before, just after, and once the command is in. */
export interface CommandEvent {
  readonly event: StoredEvent['event'];
  readonly before: HotfixState;
  readonly after: HotfixState;
  readonly decided: HotfixState;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the notifier: see LEASE_AND_READ. */
    hotfixNotifyLease(lease: string, progress: string, replica: string, ms: number): Result<unknown, Context>;
    /** Defined by the notifier: see RELEASE. */
    hotfixNotifyRelease(
      lease: string,
      progress: string,
      replica: string,
      ...fields: (string | number)[]
    ): Result<unknown, Context>;
  }
}

/** Where a hotfix's card lives on a chat surface (a Slack channel and message ts, a Teams activity…). */
export type CardRef = Readonly<Record<string, string>>;

/** The chat platform seen by the notifier. Slack and Teams each implement it with their own renderers. */
export interface ChatSurface {
  /** Short name used in Redis keys: `slack`, `teams`. */
  readonly name: string;
  /** Posts the hotfix's card (the root of its thread). */
  openCard(state: HotfixState): Promise<CardRef>;
  /** Edits the card in place to show `state`. */
  updateCard(ref: CardRef, state: HotfixState): Promise<void>;
  /**
   * Shows one event in the thread: what it changes there (a prompt, a vote, a notice…) and, when it is the
   * first of `command` worth a line, the one message carrying the lines of all of `command`. `decided` is the
   * state once every event of the same command is in (whether a failure's outcome stands or a vote follows
   * it). `command` is this event and the later events of its command, with their states, whose lines no
   * message carries yet: empty once this event's line is in an earlier message. Says `covered` when it posted
   * that message (the lines of all of `command` are then posted).
   */
  postLine(
    ref: CardRef,
    stored: StoredEvent,
    before: HotfixState,
    after: HotfixState,
    decided: HotfixState,
    command: readonly CommandEvent[],
  ): Promise<LinePosted | void>;
  /**
   * Draws the card one last time, saying `note` (where the hotfix is followed now): this platform stops
   * showing it. Without it, the card is simply left as it was.
   */
  retireCard?(ref: CardRef, state: HotfixState, note: string): Promise<void>;
}

/** What an event's thread output changed besides the thread. */
export interface LinePosted {
  /**
   * The card should link to a message this event opened (a manual step's prompt, a vote), which did not
   * exist when the card was drawn for it: the notifier draws the card again, at its usual pace.
   */
  readonly cardStale?: boolean;
  /** It posted the message carrying the lines of its whole `command` (see `postLine`). */
  readonly covered?: boolean;
}

/** Which hotfixes a surface shows (see platforms.ts): a hidden one gets no card, or its card is retired. */
export interface Visibility {
  shows(state: HotfixState): boolean;
  /** What a retired card says: where the hotfix is followed now. */
  note(state: HotfixState): string;
  /**
   * What the rule reads besides the stream (the config's say), as a short string: a hotfix passed over under
   * one value is looked at again by the sweep once it changes (say `mirror` was turned back on and restarted).
   */
  basis(): string;
}

/** The platform asked us to slow down: only this hotfix's chat output waits, never the pipeline. */
export class RateLimited extends Error {
  override readonly name = 'RateLimited';
  constructor(readonly retryAfterMs: number) {
    super(`rate limited; retry after ${retryAfterMs} ms`);
  }
}

export interface NotifierDeps {
  readonly surface: ChatSurface;
  readonly store: Pick<EventStore, 'load' | 'listOpen' | 'versions'>;
  readonly redis: Redis;
  readonly prefix: string;
  /** This replica's name: holder of the per-hotfix lease while it syncs. */
  readonly replica: string;
  readonly clock: Clock;
  /** At most one card edit per this many ms per card (Slack's chat.update budget); the latest state wins. */
  readonly minCardIntervalMs?: number;
  /** Which hotfixes this surface shows; every one when unset. */
  readonly visibility?: Visibility;
  readonly log: { warn(obj: object, msg: string): void };
  /**
   * Told, after a chat call succeeded, how long ago the event it shows happened (metrics): `card` for the card
   * drawn with the hotfix's latest event, `line` for an event's thread line. Must not throw.
   */
  readonly observeLag?: (what: 'card' | 'line', seconds: number) => void;
}

const progressSchema = z.object({
  ref: z.string().optional(),
  posted: z.coerce.number().default(0),
  /** The last event whose line a posted message carries (a command's message carries its later events' too). */
  covered: z.coerce.number().default(0),
  shown: z.coerce.number().default(0),
  shownAt: z.coerce.number().default(0),
  /** The stream's version when this surface last found the hotfix not shown here (0: shown). */
  hidden: z.coerce.number().default(0),
  /** The visibility's basis it was found hidden under. */
  hiddenBy: z.string().default(''),
  /** 1 once the card has been drawn for the last time, saying where the hotfix is followed now. */
  retired: z.coerce.number().default(0),
});

/** Takes the lease and reads the progress in one round trip: the progress when leased, nil when not. */
const LEASE_AND_READ = `if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return redis.call('HGETALL', KEYS[2])
end
return false`;
const leaseReply = z.array(z.string()).nullable();
/** Saves the progress not yet saved (field, value… after the replica), then gives the lease back if held. */
const RELEASE = `if #ARGV > 1 then redis.call('HSET', KEYS[2], unpack(ARGV, 2)) end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const LEASE_MS = 15_000;
const FOLDED_CACHE = 1000;
/** A sweep checks this many hotfixes per round trip, and syncs those behind this many at a time, yielding in
 * between, so it never blocks other work for long. */
const SWEEP_CHECK_BATCH = 200;
const SWEEP_SYNC_BATCH = 10;

/**
 * Where a surface's notifier keeps each hotfix's progress (card ref, last line posted, last version shown) and
 * the lease of the replica syncing it: whoever rewrites the progress holds the lease.
 */
export const notifierKeys = (prefix: string, surfaceName: string) => {
  const base = `${prefix}{hotfix}:notify:${surfaceName}`;
  return {
    progressKey: (hotfixId: string) => `${base}:progress:${hotfixId}`,
    leaseKey: (hotfixId: string) => `${base}:lease:${hotfixId}`,
  };
};

/**
 * Projects hotfixes onto a chat surface: one card per hotfix, edited in place, and one thread line per event,
 * in order, once. Progress (card ref, last line posted, last version shown) is kept in Redis, and a per-hotfix
 * lease lets several bot replicas share the work without double-posting. Feed entries only say "this hotfix
 * changed"; a sync always works from the stream, so missed, repeated or reordered entries do no harm, and a
 * periodic sweep repairs anything a crash or an outage left behind. A rate limit delays this hotfix's output
 * only, by the time the platform asked for.
 */
export const createNotifier = (deps: NotifierDeps) => {
  const minInterval = deps.minCardIntervalMs ?? 1000;
  const { progressKey, leaseKey } = notifierKeys(deps.prefix, deps.surface.name);
  // Defined once: later calls send the scripts' sha (EVALSHA), not their text.
  deps.redis.defineCommand('hotfixNotifyLease', { numberOfKeys: 2, lua: LEASE_AND_READ });
  deps.redis.defineCommand('hotfixNotifyRelease', { numberOfKeys: 2, lua: RELEASE });
  const chains = new Map<string, Promise<void>>();
  const folded = new Map<string, { readonly version: number; readonly state: HotfixState }>();
  const remember = (hotfixId: string, entry: { readonly version: number; readonly state: HotfixState }) => {
    folded.delete(hotfixId);
    folded.set(hotfixId, entry);
    // Oldest first in a Map: keep the most recently synced hotfixes.
    if (folded.size > FOLDED_CACHE) folded.delete(folded.keys().next().value as string);
  };
  const timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  let stopped = false;
  /** How long ago (by this clock) the event at `at` happened, to `observeLag`. */
  const lag = (what: 'card' | 'line', at: string) => {
    const time = Date.parse(at);
    if (deps.observeLag !== undefined && Number.isFinite(time))
      deps.observeLag(what, (deps.clock.now().getTime() - time) / 1000);
  };

  const later = (hotfixId: string, ms: number) => {
    if (stopped) return;
    const at = deps.clock.now().getTime() + ms;
    const existing = timers.get(hotfixId);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      timers.delete(hotfixId);
      void sync(hotfixId);
    }, ms);
    timers.set(hotfixId, { at, timer });
  };

  const syncOnce = async (hotfixId: string): Promise<void> => {
    const fields = leaseReply.parse(
      await deps.redis.hotfixNotifyLease(leaseKey(hotfixId), progressKey(hotfixId), deps.replica, LEASE_MS),
    );
    if (fields === null) return later(hotfixId, 250);
    // Progress is saved before the next chat call, or with the lease's release: a crash in between repeats at
    // most the last message, as it would if it came just after the call.
    let unsaved: Record<string, string | number> = {};
    const save = (more: Record<string, string | number>) => void Object.assign(unsaved, more);
    const flush = async () => {
      if (Object.keys(unsaved).length === 0) return;
      const saving = unsaved;
      unsaved = {};
      await deps.redis.hset(progressKey(hotfixId), saving);
    };
    try {
      const progress = progressSchema.parse(
        Object.fromEntries(
          Array.from({ length: fields.length / 2 }, (_, i) => fields.slice(2 * i, 2 * i + 2)),
        ),
      );
      // Start from this process's folded state when the thread is not behind it: only newer events are read
      // and folded, so a sweep over many quiet hotfixes costs a short read each, not a replay of every stream.
      // A hotfix passed over here needs only its latest state, until it is shown again.
      const known = folded.get(hotfixId);
      const base = known && (known.version <= progress.posted || progress.hidden > 0) ? known : undefined;
      let loaded = await deps.store.load(hotfixId, base?.version ?? 0);
      let from = base;
      if (base && loaded.version < base.version) {
        // The stream is shorter than what we folded (Redis restored from an older file): start over.
        from = undefined;
        loaded = await deps.store.load(hotfixId);
      }
      let { events, version } = loaded;
      if (version === 0) return;
      if (events.length === 0 && progress.ref && progress.shown >= version && progress.posted >= version)
        return;
      let ref: CardRef | undefined = progress.ref ? (JSON.parse(progress.ref) as CardRef) : undefined;
      let state = from?.state ?? initialState();
      // states[i] is the state after event `offset + i`.
      let offset = from?.version ?? 0;
      let states: HotfixState[] = [state];
      for (const stored of events) states.push((state = evolve(state, stored.event)));
      remember(hotfixId, { version, state });
      if (offset > progress.posted && deps.visibility?.shows(state) !== false) {
        // Shown again after being passed over: its thread is owed from where it stopped, so fold it all.
        ({ events, version } = await deps.store.load(hotfixId));
        offset = 0;
        state = initialState();
        states = [state];
        for (const stored of events) states.push((state = evolve(state, stored.event)));
        remember(hotfixId, { version, state });
      }
      if (deps.visibility && !deps.visibility.shows(state)) {
        // Not shown here: nothing advances, so if an edit shows it again, its thread is posted from where it
        // stopped (from the start when it never had a card). A card already posted says where to follow it.
        if (ref !== undefined && progress.retired === 0) {
          await deps.surface.retireCard?.(ref, state, deps.visibility.note(state));
          save({ retired: 1 });
        }
        const basis = deps.visibility.basis();
        if (progress.hidden < version || progress.hiddenBy !== basis)
          save({ hidden: version, hiddenBy: basis });
        return;
      }
      if (progress.hidden > 0 || progress.retired > 0) save({ hidden: 0, retired: 0 });
      if (ref === undefined) {
        ref = await deps.surface.openCard(state);
        lag('card', state.updatedAt);
        progress.shown = version;
        progress.shownAt = deps.clock.now().getTime();
        save({ ref: JSON.stringify(ref), shown: version, shownAt: progress.shownAt });
      }
      // The card first: it is what people act on, and a long thread backlog (Slack posts about one message a
      // second per channel) must not keep it stale.
      let cardWait = 0;
      if (progress.shown < version) {
        cardWait = progress.shownAt + minInterval - deps.clock.now().getTime();
        if (cardWait <= 0) {
          await flush();
          await deps.surface.updateCard(ref, state);
          lag('card', state.updatedAt);
          progress.shown = version;
          progress.shownAt = deps.clock.now().getTime();
          save({ shown: version, shownAt: progress.shownAt });
        }
      }
      const plain = events.map((e) => e.event);
      for (const [i, stored] of events.entries()) {
        if (stored.position <= progress.posted) continue;
        const before = states[stored.position - 1 - offset] ?? initialState();
        const after = states[stored.position - offset] ?? state;
        // A command's events are appended together, so the last of them is always loaded with this one.
        const lastIndex = lastOfCommand(plain, i);
        const last = events[lastIndex] ?? stored;
        const decided = states[last.position - offset] ?? state;
        // This event and the rest of its command, unless a message already carries their lines: the message
        // is posted with the command's first event worth a line, and `covered` remembers how far it reached,
        // so a retry (or a later sync) never posts those lines again.
        const command =
          stored.position <= progress.covered
            ? []
            : events.slice(i, lastIndex + 1).map((e) => ({
                event: e.event,
                before: states[e.position - 1 - offset] ?? initialState(),
                after: states[e.position - offset] ?? state,
                decided,
              }));
        await flush();
        const posted = await deps.surface.postLine(ref, stored, before, after, decided, command);
        lag('line', stored.event.at);
        if (posted?.covered) progress.covered = last.position;
        // Saved with the line: a crash before the card is drawn again leaves it behind for the next sync or
        // sweep, as for any other event.
        if (posted?.cardStale) progress.shown = Math.min(progress.shown, stored.position - 1);
        save({
          posted: stored.position,
          ...(posted?.covered ? { covered: last.position } : {}),
          ...(posted?.cardStale ? { shown: progress.shown } : {}),
        });
      }
      // A line that left the card stale: drawn again once the interval since its last drawing is over.
      if (progress.shown < version && cardWait <= 0)
        cardWait = Math.max(1, progress.shownAt + minInterval - deps.clock.now().getTime());
      // Spread over a quarter of the interval: cards edited together would otherwise all fall due together,
      // and their redraws would arrive as one burst of work and of chat.update calls.
      if (cardWait > 0) later(hotfixId, cardWait + Math.floor(Math.random() * (minInterval / 4)));
    } catch (error) {
      if (error instanceof RateLimited) return later(hotfixId, error.retryAfterMs);
      deps.log.warn(
        { hotfixId, platform: deps.surface.name, err: String(error) },
        'chat update failed; will retry',
      );
      later(hotfixId, 5000);
    } finally {
      await deps.redis.hotfixNotifyRelease(
        leaseKey(hotfixId),
        progressKey(hotfixId),
        deps.replica,
        ...Object.entries(unsaved).flat(),
      );
    }
  };

  /** Brings one hotfix's card and thread up to date; calls for one hotfix run one after another. */
  const sync = (hotfixId: string): Promise<void> => {
    // A sync never rejects: a failure is logged and retried, and one hotfix's trouble stays its own.
    const next = (chains.get(hotfixId) ?? Promise.resolve())
      .then(() => syncOnce(hotfixId))
      .catch((error: unknown) =>
        deps.log.warn({ hotfixId, platform: deps.surface.name, err: String(error) }, 'chat sync failed'),
      );
    chains.set(hotfixId, next);
    void next.then(() => chains.get(hotfixId) === next && chains.delete(hotfixId));
    return next;
  };

  /**
   * The hotfixes whose card or thread is behind their stream (or has no card yet): a sweep over many quiet
   * hotfixes then costs two round trips per batch, not a lease and a read per hotfix.
   */
  const behind = async (hotfixIds: readonly string[]): Promise<string[]> => {
    const pipeline = deps.redis.pipeline();
    for (const hotfixId of hotfixIds)
      pipeline.hmget(progressKey(hotfixId), 'ref', 'posted', 'shown', 'hidden', 'hiddenBy');
    const [versions, replies] = await Promise.all([deps.store.versions(hotfixIds), pipeline.exec()]);
    return hotfixIds.filter((_, i) => {
      const [error, fields] = replies?.[i] ?? [new Error('no reply')];
      // When in doubt, sync: the sync reads everything itself.
      if (error) return true;
      const [ref, posted, shown, hidden, hiddenBy] = fields as (string | null)[];
      const version = versions[i] ?? 0;
      // Found hidden at this version under today's rule: nothing to do until the stream or the config moves.
      if (Number(hidden ?? 0) >= version && hiddenBy === deps.visibility?.basis()) return false;
      return version > 0 && (!ref || Number(posted ?? 0) < version || Number(shown ?? 0) < version);
    });
  };

  return {
    sync,
    /** Syncs every hotfix named by a batch of feed entries, each once. */
    syncEntries: async (entries: readonly { stored: Pick<StoredEvent, 'hotfixId'> }[]) => {
      await Promise.all([...new Set(entries.map((e) => e.stored.hotfixId))].map(sync));
    },
    /** Repairs every open hotfix: what a crashed replica or an outage left unsent is sent now. */
    sweep: async () => {
      const open = await deps.store.listOpen();
      for (let i = 0; i < open.length; i += SWEEP_CHECK_BATCH) {
        const late = await behind(open.slice(i, i + SWEEP_CHECK_BATCH));
        for (let j = 0; j < late.length; j += SWEEP_SYNC_BATCH) {
          await Promise.all(late.slice(j, j + SWEEP_SYNC_BATCH).map(sync));
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    },
    /** Waits until no sync is running or scheduled (tests and shutdown). */
    idle: async () => {
      while (chains.size > 0 || timers.size > 0) {
        await Promise.all(chains.values());
        if (timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => {
      stopped = true;
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
};

export type Notifier = ReturnType<typeof createNotifier>;
