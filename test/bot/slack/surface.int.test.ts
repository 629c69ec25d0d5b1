import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackSurface, hotfixChannelName } from '../../../src/bot/slack/surface.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { RateLimited } from '../../../src/notify/notifier.ts';
import type { SlackStandIn } from '../../../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../../../src/slack-stand-in/index.ts';
import { people, plan } from '../../domain/fixtures/policy.ts';
import { cmd } from '../../domain/scenarios.ts';
import { play } from '../../domain/given.ts';

const TOKEN = 'xoxb-surface';
const INCIDENTS = 'C0INCIDENTS';
let standIn: SlackStandIn;

const config = (perHotfix: boolean) => {
  const parsed = parseConfig(
    `
slack: { incident_channel: ${INCIDENTS}, channel_per_hotfix: ${perHotfix} }
people:
  technical: { slack: [U0TECH1, U0TECH2] }
  business: { slack: [U0BIZ1] }
policy: { approvals: { technical: 1 } }
services:
  api:
    deploy: { execution: [{ name: deploy, run: ['true'] }] }
    rollback: { execution: [{ name: revert, run: ['true'] }] }
`,
    'hotfix.yml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed;
};

const surfaceFor = (
  perHotfix: boolean,
  client = new WebClient(TOKEN, {
    slackApiUrl: standIn.url,
    logLevel: LogLevel.ERROR,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  }),
) => {
  const { config: c, policy } = config(perHotfix);
  const refs = new Map<string, string>();
  return createSlackSurface({
    client,
    config: () => c,
    policy: () => policy,
    clock: { now: () => new Date() },
    lockHolders: async () => ({}),
    store: {
      load: async () => ({ events: [], version: 0 }),
      listOpen: async () => [],
      verify: async () => ({ ok: true, count: 0, head: '', keyed: true }),
    },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    refs: {
      get: async (h, k) => refs.get(`${h}:${k}`) ?? null,
      set: async (h, k, v) => void refs.set(`${h}:${k}`, v),
    },
  });
};

beforeAll(async () => {
  standIn = createSlackStandIn({
    workspace: {
      teamId: 'T0SURFACE',
      users: ['U0DEV', 'U0TECH1', 'U0TECH2', 'U0BIZ1'].map((id) => ({
        id,
        name: id.toLowerCase(),
        real_name: id,
      })),
      channels: [{ id: INCIDENTS, name: 'incidents' }],
    },
    botToken: TOKEN,
  });
  await standIn.start();
});
afterAll(async () => standIn.stop());

describe('the Slack chat surface', () => {
  const started = () =>
    play([
      [
        cmd.start(people.requester, {
          ...plan,
          resources: { technical: [people.tech1], support: [], business: [people.biz], management: [] },
        }),
      ],
    ]).state;

  it('posts the card in the incident channel by default', async () => {
    const ref = await surfaceFor(false).openCard(started());
    expect(ref.channel).toBe(INCIDENTS);
    expect(standIn.message(INCIDENTS, ref.ts ?? '')?.text).toContain('HF-1 ·');
  });

  it('with channel_per_hotfix, opens #hotfix-hf-1, invites the plan’s people and points to it from the incident channel', async () => {
    const surface = surfaceFor(true);
    const state = started();
    const ref = await surface.openCard(state);
    const channel = standIn.channel(ref.channel ?? '');
    expect(channel?.name).toBe(hotfixChannelName('HF-1'));
    expect(channel?.name).toBe('hotfix-hf-1');
    expect(standIn.callsTo('conversations.invite')[0]?.args.users).toBe('U0DEV,U0TECH1,U0BIZ1');
    expect(channel?.members).toEqual(expect.arrayContaining(['U0DEV', 'U0TECH1', 'U0BIZ1']));
    expect(standIn.messages(INCIDENTS).some((m) => m.text.includes(`<#${ref.channel}>`))).toBe(true);
    // Opening again (a retried sync) reuses the channel instead of failing on its taken name.
    const again = await surface.openCard(state);
    expect(again.channel).toBe(ref.channel);
  });

  it('with channel_per_hotfix, a taken name (another installation, an old channel) gets the next free suffix', async () => {
    const start = { ...cmd.start(people.requester, plan), id: 'HF-9' } as const;
    const state = play([[start]]).state;
    // Another installation's surface on the same workspace already opened #hotfix-hf-9 and #hotfix-hf-9-2.
    await surfaceFor(true).openCard(state);
    await surfaceFor(true).openCard(state);
    const ref = await surfaceFor(true).openCard(state);
    expect(standIn.channel(ref.channel ?? '')?.name).toBe('hotfix-hf-9-3');
    expect(standIn.message(ref.channel ?? '', ref.ts ?? '')?.text).toContain('HF-9 ·');
  });

  it('with channel_per_hotfix, the pointer in the incident channel pings nobody and fakes no link', async () => {
    const summary = '<!channel> <!here> @here see <https://evil.example|Open the runbook> \u202Eevil';
    const start = { ...cmd.start(people.requester, { ...plan, summary }), id: 'HF-7' } as const;
    const state = play([[start]]).state;
    const ref = await surfaceFor(true).openCard(state);
    const pointer = standIn.messages(INCIDENTS).find((m) => m.text.includes(`<#${ref.channel}>`));
    expect(pointer?.text).toContain(
      '&lt;!channel&gt; &lt;!here&gt; @\u2060here see &lt;https://evil.example|Open the runbook&gt; \uFFFDevil',
    );
    expect(pointer?.text.replace(`<#${ref.channel}>`, '')).not.toContain('<');
  });

  it('turns Slack’s 429 into RateLimited with its Retry-After', async () => {
    const surface = surfaceFor(false);
    const ref = await surface.openCard(started());
    standIn.failNext('chat.update', { status: 429, retryAfter: 7 });
    await expect(surface.updateCard(ref, started())).rejects.toEqual(new RateLimited(7000));
  });
});
