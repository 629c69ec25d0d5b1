import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { BotDeps } from './deps.ts';

/** The key of a delivery: Slack sends the same trigger id or event id again when it retries one. */
const deliveryKey = (body: Record<string, unknown>): string | null => {
  const id = body.trigger_id ?? body.event_id;
  return typeof id === 'string' && id.length > 0 && id.length < 200 ? id : null;
};

/** Where `oncePerDelivery` leaves a delivery that its listener claims after acking (see `ackThenClaim`). */
const DELIVERY = 'hotfixDelivery';
interface PendingDelivery {
  readonly key: string;
  claimed: boolean;
}

/**
 * Slash commands and block actions are acked by their listeners as their first statement, so their claim is
 * taken after the ack (`ackThenClaim`): nothing waits on Redis before Slack gets its answer.
 */
const acksFirst = (body: Record<string, unknown>): boolean =>
  body.type === 'block_actions' || typeof body.command === 'string';

/**
 * A retried delivery (`X-Slack-Retry-Num`, sent when an ack was late) is acked and dropped when the first one
 * was taken, so it has no second effect. Every delivery is claimed, since Slack may also send one twice; a
 * claim whose handler never finished (the process died) lapses, so Slack's next retry is handled.
 */
export const oncePerDelivery =
  (deps: Pick<BotDeps, 'claimDelivery' | 'deliveryDone' | 'log'>): Middleware<AnyMiddlewareArgs> =>
  async (args) => {
    const key = deliveryKey(args.body as Record<string, unknown>);
    if (key === null) return args.next();
    const markDone = () =>
      deps
        .deliveryDone(key)
        .catch((error: unknown) =>
          deps.log.warn({ key, err: String(error) }, 'could not mark the delivery handled'),
        );
    if (acksFirst(args.body as Record<string, unknown>)) {
      const pending: PendingDelivery = { key, claimed: false };
      args.context[DELIVERY] = pending;
      await args.next();
      if (pending.claimed) await markDone();
      return;
    }
    if (await deps.claimDelivery(key)) {
      await args.next();
      await markDone();
      return;
    }
    deps.log.info({ key, retry: args.context.retryNum }, 'repeated delivery ignored');
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };

/**
 * Acks, then claims the delivery `oncePerDelivery` left pending: false when an earlier copy of it was taken,
 * and the listener should stop there. When the claim cannot be taken (Redis away) the listener goes on: the
 * command handler refuses a repeat by itself, and the person then hears why the command failed.
 */
export const ackThenClaim = async (
  deps: Pick<BotDeps, 'claimDelivery' | 'log'>,
  args: { ack: () => Promise<void>; context: Record<string, unknown> },
): Promise<boolean> => {
  await args.ack();
  const pending = args.context[DELIVERY] as PendingDelivery | undefined;
  if (pending === undefined) return true;
  try {
    pending.claimed = await deps.claimDelivery(pending.key);
  } catch (error) {
    deps.log.warn({ key: pending.key, err: String(error) }, 'could not claim the delivery; handling it');
    return true;
  }
  if (!pending.claimed) deps.log.info({ key: pending.key }, 'repeated delivery ignored');
  return pending.claimed;
};
