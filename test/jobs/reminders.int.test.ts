import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load.ts';
import { jobIds } from '../../src/jobs/queues.ts';
import type { Engine } from '../../src/main/engine.ts';
import { createEngine } from '../../src/main/engine.ts';
import { useRedisServer } from '../helpers/redis.ts';
import type { Harness } from './harness.ts';
import { createHarness, pipelineConfig, plan, team, waitFor } from './harness.ts';

const redisServer = useRedisServer();
let harness: Harness | undefined;
let restarted: Engine | undefined;
afterEach(async () => {
  await restarted?.close();
  await harness?.close();
  harness = restarted = undefined;
});

/** A process on the harness's Redis and key prefix, with its config (workers only when started). */
const processOf = async (h: Harness): Promise<Engine> => {
  const parsed = parseConfig(await readFile(h.configFile, 'utf8'), h.configFile);
  if (!parsed.ok) throw new Error('config');
  return createEngine({
    env: readEnv(h.env),
    config: parsed.config,
    policy: parsed.policy,
    processEnv: { ...process.env, ...h.env },
    log: pino({ level: 'silent' }),
  });
};

/** The pipeline tests' config, reminding approvers after a second and escalating to management. */
const reminding: typeof pipelineConfig = (healthUrl, onFailure) =>
  pipelineConfig(healthUrl, onFailure).replace(
    'policy:\n',
    'policy:\n  reminders: { approval: 1s, escalate_to: management }\n',
  );

describe('reminders are BullMQ timers', () => {
  it('a reminder scheduled before a restart fires after it; one no longer needed sends nothing', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false, config: reminding }));
    // A process without workers records the commands and schedules their reminders, then stops.
    const before = await processOf(h);
    const waiting = await before.handler.start(plan, team.tech1);
    const approved = await before.handler.start({ ...plan, summary: 'Another fix' }, team.tech1);
    for (const [role, by] of [
      ['technical', team.tech2],
      ['management', team.manager],
    ] as const)
      await before.handler.handle(approved.hotfixId, {
        type: 'ApprovePlan',
        role,
        planHash: approved.state.planHash,
        by,
      });
    const reminderJob = (hotfixId: string, planHash: string, round: 1 | 2) =>
      jobIds.reminder(hotfixId, 'approval', planHash, round);
    const job = await before.queues.timers.getJob(reminderJob(waiting.hotfixId, waiting.state.planHash, 1));
    expect(await job?.isDelayed()).toBe(true);
    await before.close();

    // Another process starts its workers on the same Redis: the timers it never scheduled fire there.
    const after = (restarted = await processOf(h));
    after.startWorkers();
    const state = (hotfixId: string) => after.handler.state(hotfixId);

    const first = await waitFor(
      'the first reminder',
      async () => (await state(waiting.hotfixId)).reminders.find((r) => r.round === 1),
      20_000,
    );
    expect(first.about).toBe('approval');
    expect(first.missing.map((p) => p.id).sort()).toEqual(['U0MGR1', 'U0TECH2']);
    // Round 2 follows round 1 and calls on management as well.
    const second = await waitFor(
      'the second reminder',
      async () => (await state(waiting.hotfixId)).reminders.find((r) => r.round === 2),
      20_000,
    );
    expect(second.escalatedTo).toBe('management');

    // The approved hotfix's timer ran too, and recorded nothing.
    const done = await waitFor(
      'the approved hotfix’s timer to run',
      async () => {
        const job = await after.queues.timers.getJob(
          reminderJob(approved.hotfixId, approved.state.planHash, 1),
        );
        return job && (await job.isCompleted()) ? job : undefined;
      },
      20_000,
    );
    expect(done.returnvalue).toBe('not needed');
    expect((await state(approved.hotfixId)).reminders).toEqual([]);
    // A redelivered effect adds no second job: the id is taken.
    await after.queues.addTimer(
      reminderJob(waiting.hotfixId, waiting.state.planHash, 1),
      {
        type: 'send-reminder',
        hotfixId: waiting.hotfixId,
        about: 'approval',
        subject: waiting.state.planHash,
        round: 1,
      },
      0,
    );
    expect((await state(waiting.hotfixId)).reminders.filter((r) => r.round === 1)).toHaveLength(1);
  }, 60_000);
});
