import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis, Result } from 'ioredis';
import { notifierKeys } from '../../notify/notifier.ts';
import type { TeamsActivity } from './activity.ts';
import { tenantOf } from './activity.ts';
import { encodeConversationRef, threadConversationId, threadRootOf } from './conversation-ref.ts';
import { threadRefsKey } from './thread-refs.ts';
import { parseActionData } from './verbs.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Defined by the Teams thread adoption: see ADOPT. */
    hotfixTeamsAdopt(
      lease: string,
      progress: string,
      refs: string,
      thread: string,
      cardRef: string,
    ): Result<number, Context>;
  }
}

/**
 * Records the thread of a lost hotfix and rewinds the Teams notifier's progress to nothing shown or posted, so
 * its next sync edits the card and posts every line there. Only while no notifier holds the hotfix's lease
 * (its release would write the old progress back): -1 then; 0 when the hotfix is not lost (any more). Lost is
 * checked first: nearly every click is on a hotfix that is not, and must not wait for a notifier's sync.
 */
const ADOPT = `if redis.call('HEXISTS', KEYS[3], 'lost') == 0 or redis.call('HEXISTS', KEYS[3], 'thread') == 1 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('HSET', KEYS[3], 'thread', ARGV[1])
redis.call('HDEL', KEYS[3], 'lost')
redis.call('HSET', KEYS[2], 'ref', ARGV[2], 'posted', 0, 'shown', 0, 'shownAt', 0)
return 1`;

/** A lost hotfix's sync is a few Redis calls: its lease is free again in moments. */
const LEASE_WAITS_MS = [50, 100, 200, 400, 800];

export interface LostThreadDeps {
  readonly redis: Redis;
  readonly prefix: string;
  /** Where the notifier opens hotfix threads (`teams.incident_channel`). */
  readonly incidentChannel: () => string | undefined;
  readonly log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/** The hotfix a clicked button belongs to: an Action.Execute, its Action.Submit fallback, or a dialog button. */
const clickedHotfix = (activity: TeamsActivity): string | undefined => {
  const value = activity.value as { action?: { data?: unknown }; data?: unknown } | undefined;
  for (const data of [value?.action?.data, value?.data, value]) {
    const parsed = parseActionData(data);
    if (parsed?.hotfixId !== undefined) return parsed.hotfixId;
  }
  return undefined;
};

/**
 * Adopts a lost hotfix thread. When Teams opened a hotfix's thread but gave no id back (202, or no answer in
 * time), the surface marks the hotfix lost rather than open a second thread. A click on that card tells where
 * it is: the card is the root of its thread in the incident channel (`conversation.id` ends in
 * `;messageid=<root>` and `replyToId` is that root). That thread becomes the hotfix's, and the Teams notifier
 * catches up there (the card redrawn, every line posted).
 */
export const createLostThreadAdoption = (deps: LostThreadDeps) => {
  const { progressKey, leaseKey } = notifierKeys(deps.prefix, 'teams');
  deps.redis.defineCommand('hotfixTeamsAdopt', { numberOfKeys: 3, lua: ADOPT });

  return {
    /** Adopts the thread of the card clicked when it is a lost hotfix's root card; true when it did. */
    async adopt(activity: TeamsActivity): Promise<boolean> {
      const channel = deps.incidentChannel();
      const root = threadRootOf(activity.conversation.id);
      if (channel === undefined || root === undefined || activity.replyToId !== root) return false;
      if (activity.channelId !== 'msteams' || !activity.conversation.id.startsWith(`${channel};`))
        return false;
      const hotfixId = clickedHotfix(activity);
      if (hotfixId === undefined) return false;
      const tenantId = tenantOf(activity);
      const thread = encodeConversationRef({
        version: 1,
        serviceUrl: activity.serviceUrl,
        ...(tenantId === undefined ? {} : { tenantId }),
        botId: activity.recipient.id,
        channelId: 'msteams',
        teamsChannelId: channel,
        conversationId: threadConversationId(channel, root),
        activityId: root,
        threadRootId: root,
      });
      for (const wait of [0, ...LEASE_WAITS_MS]) {
        if (wait > 0) await sleep(wait);
        const adopted = await deps.redis.hotfixTeamsAdopt(
          leaseKey(hotfixId),
          progressKey(hotfixId),
          threadRefsKey(deps.prefix, hotfixId),
          thread,
          JSON.stringify({ thread }),
        );
        if (adopted === 0) return false;
        if (adopted === 1) {
          deps.log.info(
            { hotfixId, channel, root },
            'the lost Teams thread of this hotfix was clicked: it is the hotfix thread now, and catches up',
          );
          return true;
        }
      }
      deps.log.warn(
        { hotfixId, root },
        'a lost Teams thread was clicked while the notifier kept syncing its hotfix: not adopted; the next click on its card tries again',
      );
      return false;
    },
  };
};

export type LostThreadAdoption = ReturnType<typeof createLostThreadAdoption>;
