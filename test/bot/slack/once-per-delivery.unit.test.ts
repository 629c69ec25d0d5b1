import type { ReceiverEvent } from '@slack/bolt';
import { App, LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ackThenClaim, oncePerDelivery } from '../../../src/bot/slack/once-per-delivery.ts';

/** A Bolt app with our middleware, a command, a button and a modal listener, and a trace of what happened. */
const setup = (options: { claimFails?: boolean } = {}) => {
  const trace: string[] = [];
  const claims = new Map<string, string>();
  const deps = {
    claimDelivery: async (key: string) => {
      trace.push(`claim ${key}`);
      if (options.claimFails) throw new Error('Redis away');
      if (claims.has(key)) return false;
      claims.set(key, 'claimed');
      return true;
    },
    deliveryDone: async (key: string) => {
      trace.push(`done ${key}`);
      claims.set(key, 'done');
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const app = new App({
    // Given the bot's ids, Bolt never calls auth.test: nothing here leaves the process.
    token: 'xoxb-test',
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    signingSecret: 'secret',
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });
  app.use(oncePerDelivery(deps));
  app.command('/hotfix', async ({ ack, context }) => {
    if (!(await ackThenClaim(deps, { ack, context }))) return;
    trace.push('command handled');
  });
  app.action('hotfix_approve', async ({ ack, context }) => {
    if (!(await ackThenClaim(deps, { ack, context }))) return;
    trace.push('click handled');
  });
  app.view('hotfix_plan', async ({ ack }) => {
    trace.push('submission handled');
    await ack();
  });
  const deliver = async (body: Record<string, unknown>) => {
    const event: ReceiverEvent = {
      body,
      ack: async () => {
        trace.push('acked');
      },
    };
    await app.processEvent(event);
  };
  return { trace, deliver };
};

const command = (triggerId: string) => ({
  command: '/hotfix',
  text: 'help',
  user_id: 'U1',
  channel_id: 'C1',
  team_id: 'T1',
  trigger_id: triggerId,
});
const click = (triggerId: string) => ({
  type: 'block_actions',
  trigger_id: triggerId,
  user: { id: 'U1' },
  team: { id: 'T1' },
  actions: [{ type: 'button', action_id: 'hotfix_approve', block_id: 'b', value: '{}' }],
});
const submission = (triggerId: string) => ({
  type: 'view_submission',
  trigger_id: triggerId,
  user: { id: 'U1' },
  team: { id: 'T1' },
  view: { id: 'V1', callback_id: 'hotfix_plan', state: { values: {} } },
});

describe('oncePerDelivery and ackThenClaim', () => {
  it('acks a command or a click before claiming it, and handles a redelivered one once', async () => {
    const { trace, deliver } = setup();
    await deliver(command('t1'));
    await deliver(command('t1'));
    await deliver(click('t2'));
    await deliver(click('t2'));
    expect(trace).toEqual([
      'acked',
      'claim t1',
      'command handled',
      'done t1',
      'acked',
      'claim t1',
      'acked',
      'claim t2',
      'click handled',
      'done t2',
      'acked',
      'claim t2',
    ]);
  });

  it('claims a modal submission before its listener, which decides before acking', async () => {
    const { trace, deliver } = setup();
    await deliver(submission('t3'));
    await deliver(submission('t3'));
    expect(trace).toEqual(['claim t3', 'submission handled', 'acked', 'done t3', 'claim t3', 'acked']);
  });

  it('handles a click when the claim cannot be taken: the command handler refuses repeats itself', async () => {
    const { trace, deliver } = setup({ claimFails: true });
    await deliver(click('t4'));
    expect(trace).toEqual(['acked', 'claim t4', 'click handled']);
  });
});
