import { randomBytes } from 'node:crypto';
import type { SlackDelivery, SlackStandIn, StandInMessage } from '../slack-stand-in/index.ts';
import type { CliDeps } from './commands/command.ts';
import type { ConfigEdit } from './playground.ts';
import { freePort } from './local-redis.ts';
import { startPlayground } from './playground.ts';

/** The bundled playground config with its waits shortened, so the demo plays in well under a minute. */
const DEMO_EDITS: ConfigEdit = [
  [['policy', 'verification_period'], '6s'],
  [['services', 'payments-api', 'monitor', 0, 'every'], '2s'],
  [['services', 'ledger-worker', 'monitor', 0, 'every'], '2s'],
];

const STEP_TIMEOUT_MS = 60_000;

type Block = {
  readonly type?: string;
  readonly block_id?: string;
  readonly elements?: readonly Element[];
  readonly accessory?: Element;
};
type Element = {
  readonly type?: string;
  readonly action_id?: string;
  readonly text?: { readonly text?: string };
  readonly options?: readonly { readonly value?: string }[];
};

const input = (value: string) => ({ value: { type: 'plain_text_input', value } });

/**
 * Plays a team through the playground, as people would click in Slack: every command, click and submit is a
 * signed request into the real bot, every step runs in the real workers.
 */
const createDriver = (standIn: SlackStandIn, slack: SlackDelivery, channel: string) => {
  const waitFor = async <T>(what: string, probe: () => T | undefined | null | false): Promise<T> => {
    const deadline = performance.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (performance.now() > deadline) throw new Error(`the demo gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const card = (id: string) =>
    standIn
      .messages(channel)
      .find((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.includes(`${id} ·`));
  const thread = (id: string) => {
    const root = card(id);
    return root ? standIn.thread(channel, root.ts).slice(1) : [];
  };
  const buttonOn = (message: StandInMessage, label: RegExp) => {
    for (const block of (message.blocks ?? []) as Block[])
      for (const element of block.elements ?? [])
        if (element.type === 'button' && label.test(element.text?.text ?? '') && element.action_id)
          return { actionId: element.action_id, blockId: block.block_id };
    return undefined;
  };
  const press = async (id: string, user: string, label: RegExp, where: 'card' | 'thread' = 'card') => {
    const { message, button } = await waitFor(`“${label.source}” on ${id}`, () => {
      const messages = where === 'card' ? [card(id)] : thread(id);
      for (const m of messages) {
        const b = m && buttonOn(m, label);
        if (m && b) return { message: m, button: b };
      }
      return undefined;
    });
    await slack.act({
      user,
      channel,
      ts: message.ts,
      actionId: button.actionId,
      ...(button.blockId ? { blockId: button.blockId } : {}),
    });
  };
  return {
    waitFor,
    card,
    thread,
    press,
    async start(user: string, issueId: string, summary: string): Promise<string> {
      const before = new Set(standIn.messages(channel).map((m) => m.ts));
      await slack.command({ user, channel, text: `start ${issueId}` });
      const modal = await waitFor('the plan form', () => standIn.views.top(user));
      const answer = await slack.submitView({
        user,
        viewId: modal.view.id,
        values: {
          plan_version: input('2.4.1'),
          plan_previous_version: input('2.4.0'),
          plan_summary: input(summary),
          plan_severity: { value: { type: 'static_select', selected_option: { value: 'high' } } },
          plan_services: {
            value: { type: 'multi_static_select', selected_options: [{ value: 'payments-api' }] },
          },
          plan_code_changes: input('PR #1841: round checkout totals half-up'),
        },
      });
      if (answer.errors) throw new Error(`the plan form was refused: ${JSON.stringify(answer.errors)}`);
      const posted = await waitFor('the hotfix card', () =>
        standIn.messages(channel).find((m) => !before.has(m.ts) && /HF-\d+ ·/.test(m.text)),
      );
      return /HF-\d+/.exec(posted.text)?.[0] ?? '';
    },
    /** Ticks every box of the card's checklists (readiness by default; the automatic checks tick theirs). */
    async tickAll(id: string, user: string, blockPrefix = 'hotfix_checklist:') {
      const root = await waitFor(`${id}'s card`, () => card(id));
      for (const block of (root.blocks ?? []) as Block[]) {
        if (!block.block_id?.startsWith(blockPrefix)) continue;
        const boxes = block.elements?.find((e) => e.type === 'checkboxes');
        if (!boxes?.action_id) continue;
        await slack.act({
          user,
          channel,
          ts: root.ts,
          actionId: boxes.action_id,
          blockId: block.block_id,
          selected: (boxes.options ?? []).map((o) => o.value ?? ''),
        });
      }
    },
  };
};

/** `hotfix demo`: a scripted hotfix and a rollback drill through the real stack, headless; exit 0 when both end well. */
export const demo = async (deps: CliDeps): Promise<void> => {
  const say = (line: string) => deps.stdout(`${line}\n`);
  const prefix = `hotfix-demo-${randomBytes(4).toString('hex')}:`;
  const env = {
    ...deps.env,
    PORT: deps.env.PORT ?? String(await freePort()),
    LOG_LEVEL: deps.env.LOG_LEVEL ?? 'error',
    HOTFIX_REDIS_PREFIX: prefix,
  };
  const server = await startPlayground({ editConfig: DEMO_EDITS }, { ...deps, env });
  const { standIn, delivery } = server;
  const keys = server.settings.env.HOTFIX_REDIS_PREFIX;
  const channel = server.settings.config.slack?.incident_channel ?? '';
  const names = new Map(standIn.workspace.users.map((u) => [u.id, u.name]));
  const people = (text: string) => text.replace(/<@(\w+)>/g, (_, id: string) => `@${names.get(id) ?? id}`);
  const off = standIn.on('message', (change) => {
    if (change.kind === 'ephemeral_posted') {
      const who = names.get(change.ephemeral.user) ?? change.ephemeral.user;
      say(`   ┆ (only ${who} sees) ${people(change.ephemeral.text).split('\n')[0]?.slice(0, 160) ?? ''}`);
      return;
    }
    if (change.kind !== 'posted' || change.message.thread_ts === undefined) return;
    if (change.message.thread_ts === change.message.ts) return;
    // A command's lines come as one message, one line each.
    for (const line of people(change.message.text).split('\n')) say(`   │ ${line.slice(0, 160)}`);
  });
  const d = createDriver(standIn, delivery, channel);
  const [alice, bob, carol, dave, erin] = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE', 'U0ERIN'];
  try {
    say(`hotfix demo: the real bot and workers, Slack played locally (Redis keys under ${keys})\n`);
    say('1. A hotfix from plan to signed record');
    const id = await d.start(alice!, 'INC-1001', 'Checkout totals are rounded down; round half-up');
    say(` ▸ alice planned ${id}; she ticks the readiness checklists`);
    await d.tickAll(id, alice!);
    say(' ▸ alice tries to approve her own plan (refused), then bob and erin approve');
    await d.press(id, alice!, /^Approve as Technical$/);
    await d.press(id, bob!, /^Approve as Technical$/);
    await d.press(id, erin!, /^Approve as Management$/);
    await d.press(id, alice!, /Deploy/);
    say(' ▸ alice deploys; carol confirms the manual step when it asks');
    await d.press(id, carol!, /^Confirm$/, 'thread');
    await d.waitFor('the monitoring window to close', () => d.card(id)?.text.includes('Verified'));
    say(
      ' ▸ verified after a clean monitoring window; bob ticks the documentation updates and notes a lesson',
    );
    await d.tickAll(id, bob!, 'hotfix_docs:');
    await d.press(id, bob!, /Lessons learned/);
    const lessons = await d.waitFor('the lessons form', () => standIn.views.top(bob!));
    await delivery.submitView({
      user: bob!,
      viewId: lessons.view.id,
      values: { lessons_text: input('Round money in one place, with tests for half-cents') },
    });
    say(' ▸ technical, business and support sign off');
    await d.press(id, bob!, /^Sign off as Technical$/);
    await d.press(id, carol!, /^Sign off as Business$/);
    await d.press(id, dave!, /^Sign off as Support$/);
    await d.press(id, alice!, /Close hotfix/);
    const file = await d.waitFor('the deployment record', () =>
      standIn.files().find((f) => f.name.startsWith(id) && f.content.length > 0),
    );
    say(`\n── ${file.name} ──\n${file.content.toString()}──\n`);

    say('2. A rollback drill: verification fails, the team votes to roll back');
    const drill = await d.start(alice!, 'INC-1002', 'Rollback drill: fail-verify');
    await d.tickAll(drill, alice!);
    await d.press(drill, bob!, /^Approve as Technical$/);
    await d.press(drill, erin!, /^Approve as Management$/);
    await d.press(drill, alice!, /Deploy/);
    say(' ▸ the function test fails; the rollback vote opens in the thread; erin and bob vote for it');
    await d.press(drill, erin!, /^For rollback$/, 'thread');
    await d.press(drill, bob!, /^For rollback$/, 'thread');
    await d.waitFor('the rollback to finish', () => d.card(drill)?.text.includes('Rolled back'));
    say(`\nhotfix demo: ${id} deployed and closed with its record; ${drill} rolled back by vote. All good.`);
  } finally {
    off();
    await server.close();
    await deleteKeys(server.settings.env.REDIS_URL, keys).catch(() => undefined);
  }
};

/** The demo leaves nothing behind in a shared Redis (one server, Sentinel or Cluster). */
const deleteKeys = async (url: string, prefix: string) => {
  const { connectRedis } = await import('./redis-connection.ts');
  const { scanKeys } = await import('../store/scan-keys.ts');
  const redis = await connectRedis(url);
  try {
    // One key per DEL: on a cluster, one DEL may only name keys of a single slot.
    await scanKeys(redis, `${prefix}*`, async (keys, node) => {
      await Promise.all(keys.map((key) => node.del(key)));
    });
  } finally {
    redis.disconnect();
  }
};
