import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { createPipelineProcessor } from '../../src/jobs/pipeline.ts';
import { createQueues, jobIds } from '../../src/jobs/queues.ts';
import { maskerFor } from '../../src/jobs/steps/mask.ts';
import { WORKER } from '../../src/jobs/system.ts';
import { createCommandHandler } from '../../src/service/handler.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, useRedisServer } from '../helpers/redis.ts';
import type { Harness } from './harness.ts';
import { createHarness, pipelineConfig, waitFor } from './harness.ts';

const redisServer = useRedisServer();
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const lineMatching = (h: Harness, pattern: RegExp) =>
  waitFor(`a step log line ${pattern}`, async () => (await h.log()).find((l) => pattern.test(l)), 30_000);

const starts = async (h: Harness) =>
  (await h.log()).filter((l) => l.split(' ')[2] === 'start').map((l) => l.split(' ').slice(0, 2).join(' '));

/** A step logs its $PPID: its step guard, whose parent is the worker running it. */
const workerOf = async (guardPid: string): Promise<number> => {
  const stat = await readFile(`/proc/${guardPid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

describe('crash safety', () => {
  it('a worker killed with SIGKILL mid-step: another worker resumes the run at that step, next attempt', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false }));
    h.spawnWorker();
    h.spawnWorker();
    const hotfixId = await h.approveAndDeploy();
    const line = await lineMatching(h, /^slow 1 start /);
    const [, , , stepPid = '', guardPid = ''] = line.split(' ');
    // The machine dies: the worker and the step it was running.
    process.kill(await workerOf(guardPid), 'SIGKILL');
    try {
      process.kill(-Number(stepPid), 'SIGKILL');
    } catch {
      // Its guard may have ended the step already.
    }
    await h.stepRunning(hotfixId, 'confirm');
    expect(await starts(h)).toEqual(['backup 1', 'deploy 1', 'slow 1', 'slow 2', 'smoke 1']);
    const store = createRedisEventStore({
      redis: h.engine.redis,
      prefix: h.prefix,
      auditKey: TEST_AUDIT_KEY,
    });
    const slow = (await store.load(hotfixId)).events
      .map((e) => e.event)
      .filter((e) => 'step' in e && e.step === 'execution.api.1')
      .map((e) => `${e.type}#${'attempt' in e ? e.attempt : ''}`);
    expect(slow).toEqual(['StepStarted#1', 'StepInterrupted#1', 'StepStarted#2', 'StepSucceeded#2']);
    const state = await h.state(hotfixId);
    expect(state.lock.status).toBe('granted');
    expect(await h.engine.redis.hget(`${h.prefix}{hotfix}:lock:api`, 'hotfixId')).toBe(hotfixId);
  });

  it('a worker killed with SIGKILL mid-step takes its step along: the resumed attempt never runs beside it', async () => {
    const h = (harness = await createHarness(redisServer().url, {
      workers: false,
      // The slow step (5 s) logs, as it starts, every earlier attempt of itself still running.
      config: (...args) => {
        const text = pipelineConfig(...args);
        const slow = "test/fixtures/pipeline/step.sh, slow, '2'";
        if (!text.includes(slow)) throw new Error('the pipeline config has no slow step');
        return text.replace(slow, "test/fixtures/scripts/alone-step.sh, slow, '5'");
      },
    }));
    const first = h.spawnWorker();
    const hotfixId = await h.approveAndDeploy();
    await lineMatching(h, /^slow 1 start /);
    // Only the worker dies (OOM killer): its step is left to the step guard.
    first.kill('SIGKILL');
    h.spawnWorker();
    await h.stepRunning(hotfixId, 'confirm');
    const log = await h.log();
    expect(await starts(h)).toEqual(['backup 1', 'deploy 1', 'slow 1', 'slow 2', 'smoke 1']);
    expect(log.filter((l) => l.includes(' overlaps '))).toEqual([]);
    expect(log.filter((l) => l.startsWith('slow 1 '))).toEqual([expect.stringMatching(/^slow 1 start /)]);
  });

  it("a job handed out again reads the stream, not a cache from before its first delivery's progress", async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false }));
    const parsed = parseConfig(await readFile(h.configFile, 'utf8'), h.configFile);
    if (!parsed.ok) throw new Error('config');
    const hotfixId = await h.approveAndDeploy();
    const atVersion = (
      await createRedisEventStore({ redis: h.engine.redis, prefix: h.prefix, auditKey: TEST_AUDIT_KEY }).load(
        hotfixId,
      )
    ).version;
    const runId = 'deploy-1';
    const owner = jobIds.pipelineStart(hotfixId, runId);
    // The first delivery, in one worker process: the lock, the first step, then the second started.
    const first = h.engine.handler;
    const locks = { services: ['api'], runId, since: new Date().toISOString() };
    await first.handle(hotfixId, { type: 'GrantLock', runId, owner, by: WORKER }, { locks });
    // Another worker process looked at the hotfix then (its reconcile sweep does), and cached it.
    const other = createCommandHandler({
      store: createRedisEventStore({ redis: h.engine.redis, prefix: h.prefix, auditKey: TEST_AUDIT_KEY }),
      clock: { now: () => new Date() },
      policy: () => parsed.policy,
      effects: { run: async () => {} },
    });
    const [backup, deploy] = (await other.state(hotfixId)).runs[0]?.steps ?? [];
    if (!backup || !deploy) throw new Error('steps');
    const done = { runId, attempt: 1, durationMs: 1, output: '', by: WORKER };
    await first.handle(hotfixId, { type: 'SucceedStep', step: backup.key, ...done });
    await first.handle(hotfixId, {
      type: 'StartStep',
      runId,
      step: deploy.key,
      attempt: 1,
      owner,
      by: WORKER,
    });
    // That worker died; the job is handed to the other process, whose cache is behind its progress.
    const queues = createQueues({ url: redisServer().url }, h.prefix);
    const processor = createPipelineProcessor({
      handler: other,
      queues,
      clock: { now: () => new Date() },
      config: () => parsed.config,
      stepContext: () => ({
        masker: maskerFor(parsed.config, process.env),
        env: { ...process.env, ...h.env },
        defaults: { runTimeoutMs: 30_000, httpTimeoutMs: 30_000, killGraceMs: 1_000 },
      }),
      log: pino({ level: 'silent' }),
    });
    const job = {
      id: owner,
      data: { hotfixId, runId, kind: 'deploy', atVersion },
      attemptsStarted: 2,
      attemptsMade: 0,
      stalledCounter: 1,
    } as unknown as Job;

    try {
      expect(await processor(job)).toBe('paused at soak');
    } finally {
      await queues.close();
    }
    expect(await starts(h)).toEqual(['deploy 2', 'slow 1']);
  });

  it('SIGTERM: the worker finishes the running step, hands the rest back and exits 0', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false }));
    const worker = h.spawnWorker();
    const hotfixId = await h.approveAndDeploy();
    await lineMatching(h, /^slow 1 start /);
    worker.kill('SIGTERM');
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect((await h.log()).some((l) => l.startsWith('slow 1 end'))).toBe(true);
    const afterStop = await h.state(hotfixId);
    expect(afterStop.runs[0]?.steps.find((s) => s.name === 'slow')?.status).toBe('succeeded');
    expect(afterStop.runs[0]?.steps.find((s) => s.name === 'smoke')?.status).toBe('pending');
    // Another worker takes the handed-over run on from the next step.
    h.spawnWorker();
    await h.stepRunning(hotfixId, 'confirm');
    expect(await starts(h)).toEqual(['backup 1', 'deploy 1', 'slow 1', 'smoke 1']);
  });

  it('Redis restarts while a step runs: workers reconnect and the pipeline completes', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const hotfixId = await h.approveAndDeploy();
    await lineMatching(h, /^slow 1 start /);
    await redisServer().restart();
    await h.confirm(hotfixId);
    await waitFor('verified', async () => (await h.state(hotfixId)).phase === 'verified', 30_000);
    expect(await starts(h)).toEqual(['backup 1', 'deploy 1', 'slow 1', 'smoke 1']);
  });
});

describe('monitoring window', () => {
  it('a breach applies the rollback policy; the window survives as delayed jobs', async () => {
    const h = (harness = await createHarness(redisServer().url, {
      // The breach must come before the window closes, however late the test turns the health check red; the
      // rollback ends the window, so the test never waits it out.
      config: (...args) => {
        const text = pipelineConfig(...args);
        if (!text.includes('verification_period: 3s'))
          throw new Error('the pipeline config has no 3s window');
        return text.replace('verification_period: 3s', 'verification_period: 10m');
      },
    }));
    const hotfixId = await h.approveAndDeploy();
    await h.confirm(hotfixId);
    await waitFor(
      'monitoring',
      async () => (await h.state(hotfixId)).monitoring?.checks['api/health']?.passes,
    );
    h.health.status = 503;
    const rolledBack = await waitFor('rolled back', async () => {
      const state = await h.state(hotfixId);
      return state.phase === 'rolled_back' && state;
    });
    expect(rolledBack.monitoring?.checks['api/health']?.breaches).toBeGreaterThan(0);
    expect(rolledBack.monitoring?.checks['api/health']?.last?.detail).toMatch(/503/);
    expect(rolledBack.runs.map((r) => r.id)).toEqual(['deploy-1', 'rollback-1']);
  });
});
