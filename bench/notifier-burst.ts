/**
 * Notifier burst (issue 4): 500 step events over 20 hotfixes through the real notifier and the real Slack
 * surface, against a Slack stand-in that enforces Slack's rate limits.
 *
 *   node --import tsx bench/notifier-burst.ts [--hotfixes 20] [--steps 13] [--wait 110]
 *
 * Wiring: createEngine (no workers) and startSlack from src/main/slack.ts, exactly as `hotfix serve` builds
 * them (the notifier's WebClient has rejectRateLimitedCalls: true), with SLACK_API_URL pointing at an
 * in-process stand-in limiting chat.postMessage to 60/min per channel (about 1/s per channel, bursts
 * tolerated), chat.update to 50/min and conversations.invite to 50/min (Tier 3), conversations.create to
 * 20/min (Tier 2) — PLATFORM.md. hotfix.yml has `channel_per_hotfix: true` (as the example config): each
 * hotfix's card and thread live in a channel of their own.
 *
 * Set-up (before the notifier starts, then drained): 20 hotfixes, each on its own service of 13 run steps,
 * approved, both checklists ticked, deploy requested. The burst: for every hotfix at once, GrantLock with an
 * owner (LockGranted, PipelineStarted, StepStarted s1), then SucceedStep s(i) and StartStep s(i+1) for
 * i = 1…12, through the command handler, as the pipeline worker records them: 25 step events per hotfix
 * (13 StepStarted, 12 StepSucceeded), 500 in all, plus 40 LockGranted/PipelineStarted. Measured: Slack calls by
 * method and answer, 429s, the highest number of successful edits of one card in any 1 s window, and the
 * time from the last event appended until each card shows its final state (its latest chat.update equals
 * renderCard of the hotfix's final state).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { renderCard } from '../src/bot/slack/blocks/card.ts';
import { readEnv } from '../src/config/env.ts';
import { parseConfig } from '../src/config/load.ts';
import { currentRun } from '../src/domain/hotfix/queries.ts';
import type { HotfixState } from '../src/domain/hotfix/state.ts';
import { createEngine } from '../src/main/engine.ts';
import { startSlack } from '../src/main/slack.ts';
import type { RecordedCall } from '../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../src/slack-stand-in/index.ts';
import { TEST_AUDIT_KEY, startRedisServer } from '../test/helpers/redis.ts';
import { Cleanup, machineFacts, ms, planFor, runBench, serviceName, stats } from './lib.ts';
import {
  APPROVERS,
  BOT_TOKEN,
  MANAGER,
  REQUESTER,
  SIGNING_SECRET,
  slackBenchConfig,
  slackWorkspace,
} from './slack-lib.ts';

const { values: args } = parseArgs({
  options: {
    hotfixes: { type: 'string', default: '20' },
    steps: { type: 'string', default: '13' },
    wait: { type: 'string', default: '110' },
  },
});
const HOTFIXES = Number(args.hotfixes);
const STEPS = Number(args.steps);
const WAIT_MS = Number(args.wait) * 1000;
const cleanup = new Cleanup(WAIT_MS + 60_000);
const WORKER = { platform: 'system', id: 'bench-worker' } as const;

interface Call {
  readonly at: number;
  readonly method: string;
  readonly status: number;
  readonly error: string | undefined;
  readonly args: RecordedCall['args'];
  readonly time: Date;
}

await runBench(cleanup, async () => {
  const redisServer = await startRedisServer();
  cleanup.add('stop redis-server', () => redisServer.stop());
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-bench-notifier-'));
  cleanup.dir(dir);
  const configFile = join(dir, 'hotfix.yml');
  const configText = slackBenchConfig({ services: HOTFIXES, steps: STEPS, channelPerHotfix: true });
  await writeFile(configFile, configText);
  const parsed = parseConfig(configText, configFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const { config, policy } = parsed;
  const probe = redisServer.connect();
  const facts = await machineFacts(probe);

  const standIn = createSlackStandIn({
    workspace: slackWorkspace(),
    botToken: BOT_TOKEN,
    maxRecordedCalls: 100,
    rateLimits: {
      'chat.postMessage': { perMinute: 60, perChannel: true },
      'chat.update': { perMinute: 50 },
      'conversations.invite': { perMinute: 50 },
      'conversations.create': { perMinute: 20 },
    },
  });
  const calls: Call[] = [];
  standIn.on('call', (call) =>
    calls.push({
      at: performance.now(),
      method: call.kind === 'api' ? call.method : call.kind,
      status: call.status,
      error: call.response.ok === false ? String(call.response.error) : undefined,
      args: call.args,
      time: call.time,
    }),
  );
  await standIn.start();
  cleanup.add('stop the stand-in', () => standIn.stop());

  const env = readEnv({
    REDIS_URL: redisServer.url,
    HOTFIX_CONFIG: configFile,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.url,
  });
  const log = pino({ level: 'silent' });
  const engine = await createEngine({ env, config, policy, processEnv: process.env, log });
  cleanup.add('close engine', () => engine.close());
  const { handler } = engine;

  // Set-up: ready hotfixes with deploy requested, each on its own service.
  const ids: string[] = [];
  for (let i = 0; i < HOTFIXES; i++) {
    const { hotfixId, state } = await handler.start(planFor(serviceName(i + 1)), REQUESTER);
    const by = (id: string) => ({ platform: 'slack', id }) as const;
    await handler.handle(hotfixId, {
      type: 'ApprovePlan',
      role: 'technical',
      planHash: state.planHash,
      by: by(APPROVERS[0] as string),
    });
    await handler.handle(hotfixId, {
      type: 'ApprovePlan',
      role: 'management',
      planHash: state.planHash,
      by: by(MANAGER),
    });
    for (const [checklist, item] of [
      ['code_readiness', 'Tests passed'],
      ['code_readiness', 'Reviewed'],
      ['environment_readiness', 'Tool access'],
    ] as const)
      await handler.handle(hotfixId, { type: 'TickChecklistItem', checklist, item, by: REQUESTER });
    await handler.handle(hotfixId, { type: 'RequestDeploy', by: REQUESTER });
    ids.push(hotfixId);
  }
  const slack = await startSlack({ env, config, policy }, engine, log, BOT_TOKEN);
  cleanup.add('close the Slack side', () => slack.close());
  const progressKey = (id: string) => `{hotfix}:notify:slack:progress:${id}`;
  const caughtUp = async () => {
    for (const id of ids) {
      const [posted, shown] = await probe.hmget(progressKey(id), 'posted', 'shown');
      const { version } = await handler.state(id);
      if (Number(posted) < version || Number(shown) < version) return false;
    }
    return true;
  };
  const setupStarted = performance.now();
  while (!(await caughtUp())) {
    if (performance.now() - setupStarted > 60_000) throw new Error('the set-up did not reach Slack in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await slack.idle();
  const setupCalls = calls.length;
  const cards = new Map<string, { channel: string; ts: string }>();
  for (const id of ids)
    cards.set(
      id,
      JSON.parse((await probe.hget(progressKey(id), 'ref')) ?? '{}') as { channel: string; ts: string },
    );

  // The burst.
  const burstStarted = performance.now();
  await Promise.all(
    ids.map(async (hotfixId) => {
      const owner = `bench:${hotfixId}`;
      const { lock } = await handler.state(hotfixId);
      const runId = (lock.status === 'requested' ? lock.runId : undefined) ?? '';
      const { state } = await handler.handle(hotfixId, { type: 'GrantLock', runId, owner, by: WORKER });
      const keys = (currentRun(state)?.steps ?? []).map((s) => s.key);
      for (let i = 0; i + 1 < keys.length; i++) {
        await handler.handle(hotfixId, {
          type: 'SucceedStep',
          runId,
          step: keys[i] as string,
          attempt: 1,
          durationMs: 5,
          output: `step ${i + 1} done`,
          by: WORKER,
        });
        await handler.handle(hotfixId, {
          type: 'StartStep',
          runId,
          step: keys[i + 1] as string,
          attempt: 1,
          owner,
          by: WORKER,
        });
      }
    }),
  );
  const lastAppended = performance.now();
  const finals = new Map<string, HotfixState>();
  for (const id of ids) finals.set(id, await handler.state(id));

  // Until every card's latest successful edit shows its final state (or the wait runs out).
  const finalAt = new Map<string, number>();
  const expected = async (id: string, now: Date) => {
    const state = finals.get(id) as HotfixState;
    const lockHolders: Record<string, { hotfixId: string; since: string }> = {};
    for (const service of state.plan.services) {
      const holder = await engine.locks.holder(service);
      if (holder) lockHolders[service] = { hotfixId: holder.hotfixId, since: holder.since };
    }
    return renderCard(state, { policy, timezone: config.timezone, now, lockHolders });
  };
  // The running step's "running 826ms" depends on the moment of rendering: equal up to that.
  const sameCard = (a: unknown, b: unknown) => {
    const clockless = (blocks: unknown) =>
      JSON.stringify(blocks).replace(/running [0-9][0-9.]*\s?(ms|s|min|m|h)\b/g, 'running …');
    return clockless(a) === clockless(b);
  };
  let checked = setupCalls;
  while (finalAt.size < ids.length && performance.now() - lastAppended < WAIT_MS) {
    for (; checked < calls.length; checked++) {
      const call = calls[checked] as Call;
      if (call.method !== 'chat.update' || call.status !== 200 || call.error !== undefined) continue;
      const id = ids.find(
        (h) => cards.get(h)?.channel === call.args.channel && cards.get(h)?.ts === call.args.ts,
      );
      if (id === undefined) continue;
      const card = await expected(id, call.time);
      const shown = call.args.text === card.text && sameCard(call.args.blocks, card.blocks);
      if (shown) finalAt.set(id, call.at);
      else finalAt.delete(id);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ended = performance.now();

  const burstCalls = calls.slice(setupCalls);
  const byMethod = new Map<string, number>();
  for (const call of burstCalls) {
    const key = `${call.method} ${call.status}${call.error ? ` ${call.error}` : ''}`;
    byMethod.set(key, (byMethod.get(key) ?? 0) + 1);
  }
  const rateLimited = burstCalls.filter((c) => c.status === 429).length;
  let highest = { rate: 0, id: '' };
  for (const id of ids) {
    const card = cards.get(id);
    const edits = burstCalls
      .filter((c) => c.method === 'chat.update' && c.status === 200)
      .filter((c) => c.args.channel === card?.channel && c.args.ts === card?.ts)
      .map((c) => c.at);
    for (let i = 0; i < edits.length; i++) {
      const inWindow = edits.filter(
        (t) => t >= (edits[i] as number) && t < (edits[i] as number) + 1000,
      ).length;
      if (inWindow > highest.rate) highest = { rate: inWindow, id };
    }
  }
  const lags = [...finalAt.values()].map((at) => at - lastAppended);
  const events = [...finals.values()].reduce((n, s) => n + s.version, 0);

  const out: string[] = [];
  out.push(`## notifier-burst (${facts.date})`, '');
  out.push(
    `node ${facts.node}, redis ${facts.redis}, nproc ${facts.nproc}, ${facts.cpu}, load average at start ${facts.load}`,
  );
  out.push(
    `${HOTFIXES} hotfixes, burst of ${HOTFIXES * (2 * STEPS - 1)} step events (+${HOTFIXES * 2} LockGranted/PipelineStarted); ` +
      `appended in ${ms(lastAppended - burstStarted, 0)} ms; streams now hold ${events} events in all`,
    '',
  );
  out.push(
    `Slack calls during and after the burst (method status [error]): ${[...byMethod].map(([k, n]) => `${k}: ${n}`).join(', ')}`,
  );
  out.push(`429s received: ${rateLimited}`);
  out.push(`highest edit rate of one card: ${highest.rate} successful chat.update in 1 s (${highest.id})`);
  if (finalAt.size === ids.length) {
    const s = stats(lags);
    out.push(
      `last event appended → every card shows its final state: ${ms(s.max, 0)} ms ` +
        `(per card: p50 ${ms(s.p50, 0)} ms, min ${ms(s.min, 0)} ms)`,
    );
  } else
    out.push(
      `after ${ms((ended - lastAppended) / 1000, 1)} s only ${finalAt.size} of ${ids.length} cards show their final state`,
    );
  process.stdout.write(`${out.join('\n')}\n`);
});
