import type { LockHolder } from '../bot/common/actions.ts';
import type { Locks } from '../jobs/locks.ts';

/**
 * Who holds the deploy locks on some services, for the cards of both edges. Read on every card render: all
 * services at once, not one round trip after another.
 */
export const lockHoldersOf =
  (locks: Pick<Locks, 'holder'>) =>
  async (services: readonly string[]): Promise<Record<string, LockHolder>> => {
    const unique = [...new Set(services)];
    const holders = await Promise.all(unique.map((service) => locks.holder(service)));
    const held: Record<string, LockHolder> = {};
    unique.forEach((service, i) => {
      const holder = holders[i];
      if (holder) held[service] = { hotfixId: holder.hotfixId, since: holder.since };
    });
    return held;
  };
