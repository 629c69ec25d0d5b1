import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis, Result } from 'ioredis';
import { RateLimited } from '../../notify/notifier.ts';
import type { Clock } from '../../service/ports.ts';
import { ConnectorCallError } from './connector-error.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the Teams outbox: see TAKE_SLOT. */
    hotfixTeamsSlot(key: string, now: number, member: string, ...windows: number[]): Result<number, Context>;
  }
}

export interface RateWindow {
  readonly max: number;
  readonly windowMs: number;
}

/** Teams' limits per bot and conversation (a channel's threads count against the channel). */
export const TEAMS_RATE_LIMITS: readonly RateWindow[] = [
  { max: 7, windowMs: 1_000 },
  { max: 8, windowMs: 2_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1800, windowMs: 3_600_000 },
];

/** Our clock and Teams' differ, and a call reaches Teams a little after its slot was taken: windows get this much more. */
const SKEW_MS = 100;
/** Microsoft's advice: these are transient, try again shortly. */
const TRANSIENT = new Set([412, 502, 504]);
/** 403 codes that mean the bot may not post in that conversation at all (removed, blocked, disabled). */
const BLOCKED = new Set(['ConversationBlockedByUser', 'BotNotInConversationRoster', 'BotDisabledByAdmin']);

/**
 * Takes a send slot in every window, or none: the milliseconds until one frees up (0 when taken). ARGV: now, a
 * unique member, then max and window (ms) per window, longest last.
 */
const TAKE_SLOT = `local now = tonumber(ARGV[1])
local longest = tonumber(ARGV[#ARGV])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local wait = 0
for i = 3, #ARGV, 2 do
  local max = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
  if count >= max then
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', count - max, 1)
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], longest)
return 0`;

export interface OutboxDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly clock: Clock;
  readonly log: { warn(fields: object, message: string): void };
  readonly limits?: readonly RateWindow[];
  /** Waits before each retry of a 412/502/504; their count is the number of retries. */
  readonly retryDelaysMs?: readonly number[];
  /** How long a conversation that refused the bot (403) is left alone before one more try. */
  readonly blockedForMs?: number;
}

/** The conversation a call counts against: a thread's channel (`19:…@thread.tacv2;messageid=N` → `19:…`). */
/** Up to this much is added to a spent budget's wait, so the hotfixes waiting on a channel come back one by one. */
const SPREAD_MS = 500;

const budgetOf = (conversationId: string): string => conversationId.replace(/;messageid=.*$/, '');

/**
 * Every Bot Connector call of the notifier, per conversation: within Teams' rate windows (shared by every
 * replica, in Redis), a 429 or a spent budget thrown as RateLimited (only that hotfix's chat output waits: the
 * notifier comes back then, and merges card edits), 412/502/504 retried a few times, and a conversation that
 * refuses the bot (403 blocked, not in roster, disabled) left alone for a while, said once in the log.
 */
export const createOutbox = (deps: OutboxDeps) => {
  const limits = [...(deps.limits ?? TEAMS_RATE_LIMITS)].sort((a, b) => a.windowMs - b.windowMs);
  const retryDelays = deps.retryDelaysMs ?? [250, 1000, 3000];
  const blockedFor = deps.blockedForMs ?? 10 * 60_000;
  const key = (rest: string) => `${deps.prefix}{hotfix}:teams:outbox:${rest}`;
  deps.redis.defineCommand('hotfixTeamsSlot', { numberOfKeys: 1, lua: TAKE_SLOT });

  const takeSlot = async (budget: string): Promise<void> => {
    if (limits.length === 0) return;
    const wait = await deps.redis.hotfixTeamsSlot(
      key(`sent:${budget}`),
      deps.clock.now().getTime(),
      randomUUID(),
      ...limits.flatMap((limit) => [limit.max, limit.windowMs + SKEW_MS]),
    );
    // Spread out: every hotfix whose card waits on this channel would otherwise come back at the same moment.
    if (wait > 0) throw new RateLimited(wait + Math.floor(Math.random() * SPREAD_MS));
  };

  const blockedWait = async (budget: string): Promise<void> => {
    const left = await deps.redis.pttl(key(`blocked:${budget}`));
    if (left > 0) throw new RateLimited(left);
  };

  return {
    /**
     * Runs `call` (one connector request for `conversationId`) when the conversation's budget allows; `what`
     * names it in the log. A call that is not `idempotent` (opening a thread) is not retried on 502/504: Teams
     * may have done it all the same, and the caller decides what a second try would cost.
     */
    async send<T>(
      conversationId: string,
      what: string,
      call: () => Promise<T>,
      { idempotent = true }: { readonly idempotent?: boolean } = {},
    ): Promise<T> {
      const budget = budgetOf(conversationId);
      await blockedWait(budget);
      for (let attempt = 0; ; attempt++) {
        await takeSlot(budget);
        try {
          return await call();
        } catch (error) {
          if (!(error instanceof ConnectorCallError)) throw error;
          if (error.status === 429) throw new RateLimited(error.retryAfterMs ?? 1000);
          if (error.status === 403 && error.code !== undefined && BLOCKED.has(error.code)) {
            await deps.redis.set(key(`blocked:${budget}`), error.code, 'PX', blockedFor);
            deps.log.warn(
              { conversation: budget, code: error.code, what, retryInMs: blockedFor },
              `Teams refuses the bot's posts in this conversation (${error.code}): not posting there for ${Math.round(blockedFor / 60_000)} min; add the bot to the team or unblock it`,
            );
            throw new RateLimited(blockedFor);
          }
          const delay = retryDelays[attempt];
          if (error.status === undefined || !TRANSIENT.has(error.status) || delay === undefined) throw error;
          if (!idempotent && error.status !== 412) throw error;
          await sleep(delay);
        }
      }
    },
  };
};

export type Outbox = ReturnType<typeof createOutbox>;
