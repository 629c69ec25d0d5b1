import type { Redis } from 'ioredis';
import type { TeamsActivity } from './activity.ts';
import { tenantOf } from './activity.ts';

/** A tenant quiet for this long falls back to the configured Bot Connector: an old regional URL may be gone. */
const REMEMBERED_S = 30 * 24 * 3600;
/** The same URL is written again at most this often (to keep it remembered), not on every activity. */
const REWRITE_AFTER_MS = 3600_000;

export interface ServiceUrlDeps {
  readonly redis: Redis;
  readonly prefix: string;
  /** The bot's tenant (MicrosoftAppTenantId); unset for a multi-tenant bot. */
  readonly tenantId: string | undefined;
  /** Where hotfix threads open: without a tenant id, only activities from there are known to be ours. */
  readonly incidentChannel: () => string | undefined;
  readonly clock: { now(): Date };
}

/**
 * The Bot Connector Teams itself names in each activity (`serviceUrl`, often a regional one), which Microsoft
 * prefers over the global endpoint for proactive messages: remembered in Redis per tenant, shared by every
 * replica, and used for the hotfix threads the notifier opens. Only `learn` from authenticated activities:
 * their token's `serviceurl` claim matched the activity's (the transport refuses the others).
 */
export const createServiceUrls = (deps: ServiceUrlDeps) => {
  const key = `${deps.prefix}{hotfix}:teams:service-url:${deps.tenantId ?? 'incident-channel'}`;
  // What this process last wrote: a click must not cost a Redis write when Teams names the same URL again.
  let written: { readonly url: string; readonly at: number } | undefined;

  const ours = (activity: TeamsActivity): boolean => {
    if (activity.channelId !== 'msteams') return false;
    if (deps.tenantId !== undefined) return tenantOf(activity) === deps.tenantId;
    const channel = deps.incidentChannel();
    const from = activity.channelData?.channel?.id ?? activity.conversation.id.replace(/;messageid=.*$/, '');
    return channel !== undefined && from === channel;
  };

  return {
    /** Remembers an authenticated activity's `serviceUrl` when it comes from the bot's own tenant. */
    async learn(activity: TeamsActivity): Promise<void> {
      if (!ours(activity)) return;
      const now = deps.clock.now().getTime();
      if (written?.url === activity.serviceUrl && now - written.at < REWRITE_AFTER_MS) return;
      await deps.redis.set(key, activity.serviceUrl, 'EX', REMEMBERED_S);
      written = { url: activity.serviceUrl, at: now };
    },
    /** The Bot Connector Teams last named; undefined before any (HOTFIX_TEAMS_SERVICE_URL applies then). */
    async learned(): Promise<string | undefined> {
      return (await deps.redis.get(key)) ?? undefined;
    },
  };
};

export type ServiceUrls = ReturnType<typeof createServiceUrls>;
