import type { Config } from '../../config/load.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { CommandHandler } from '../../service/handler.ts';
import type { Clock, EventStore } from '../../service/ports.ts';
import type { LockHolder } from './blocks/card.ts';

/** Logging as the bot uses it (pino's shape). */
export interface BotLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Everything the Slack bot needs from the rest of the product; `src/main` wires it. */
export interface BotDeps {
  readonly handler: Pick<CommandHandler, 'handle' | 'start' | 'state'>;
  readonly store: Pick<EventStore, 'load' | 'listOpen' | 'verify'>;
  /** Read on every use, so a reloaded hotfix.yml applies to the next interaction. */
  readonly config: () => Config;
  readonly policy: () => Policy;
  /** Who holds the deploy lock of each of these services (absent when free). */
  readonly lockHolders: (services: readonly string[]) => Promise<Readonly<Record<string, LockHolder>>>;
  /**
   * Claims a delivery (Slack's trigger id or event id) for this process; false when it was claimed before,
   * so a retried delivery has no second effect.
   */
  readonly claimDelivery: (key: string) => Promise<boolean>;
  readonly clock: Clock;
  readonly log: BotLog;
}
