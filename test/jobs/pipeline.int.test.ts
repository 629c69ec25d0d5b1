import { readFile, writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import { holdsLock } from '../../src/domain/hotfix/queries.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { readEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createEngine } from '../../src/main/engine.ts';
import type { StepSpec } from '../../src/domain/hotfix/policy.ts';
import type { Run, StepState } from '../../src/domain/hotfix/state.ts';
import { stepToRun } from '../../src/jobs/pipeline.ts';
import { jobIds } from '../../src/jobs/queues.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, useRedisServer } from '../helpers/redis.ts';
import type { Harness } from './harness.ts';
import { createHarness, pipelineConfig, plan, team, waitFor } from './harness.ts';

const redisServer = useRedisServer();
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const events = async (h: Harness, hotfixId: string): Promise<HotfixEvent[]> => {
  const store = createRedisEventStore({ redis: h.engine.redis, prefix: h.prefix, auditKey: TEST_AUDIT_KEY });
  return (await store.load(hotfixId)).events.map((e) => e.event);
};

describe('deploy pipeline on BullMQ', () => {
  it('runs every stage in order, pauses for the manual step, monitors, and ends verified', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const hotfixId = await h.approveAndDeploy();
    const confirm = await h.stepRunning(hotfixId, 'confirm');
    // No worker is held while the manual step waits; the wrong role is refused.
    await expect(
      h.engine.handler.handle(hotfixId, {
        type: 'ConfirmManualStep',
        runId: 'deploy-1',
        step: confirm.key,
        outcome: 'confirmed',
        by: team.tech1,
      }),
    ).rejects.toMatchObject({ code: 'not_in_role' });
    await h.confirm(hotfixId);
    const verified = await waitFor('verified', async () => {
      const state = await h.state(hotfixId);
      return state.phase === 'verified' && state;
    });
    expect((await h.log()).filter((l) => l.includes(' end ')).map((l) => l.split(' ')[0])).toEqual([
      'backup',
      'deploy',
      'slow',
      'smoke',
    ]);
    const history = await events(h, hotfixId);
    // Each step's start and outcome are recorded before the next step starts.
    const stepEvents = history.filter(
      (e) => e.type === 'StepStarted' || e.type === 'StepSucceeded' || e.type === 'ManualStepConfirmed',
    );
    expect(
      stepEvents.map(
        (e) => `${e.type}:${'step' in e ? e.step.split('.')[0] + '.' + e.step.split('.')[2] : ''}`,
      ),
    ).toEqual([
      'StepStarted:preparation.0',
      'StepSucceeded:preparation.0',
      'StepStarted:execution.0',
      'StepSucceeded:execution.0',
      'StepStarted:execution.1',
      'StepSucceeded:execution.1',
      'StepStarted:execution.2',
      'StepSucceeded:execution.2',
      'StepStarted:verification.0',
      'StepSucceeded:verification.0',
      'StepStarted:verification.1',
      'ManualStepConfirmed:verification.1',
    ]);
    expect(verified.monitoring?.checks['api/health']?.passes).toBeGreaterThan(0);
    expect(holdsLock(verified)).toBe(false);
    expect(await h.engine.redis.exists(`${h.prefix}{hotfix}:lock:api`)).toBe(0);
    // The plan's version reached the script as one literal argument, shell characters and all.
    const deployed = history.find((e) => e.type === 'StepSucceeded' && e.step === 'execution.api.0');
    expect(deployed?.type === 'StepSucceeded' && deployed.output).toContain('arg: <1.0; rm -rf />');
  });

  it('a probe that hangs past the window: the window closes not clean, naming the check, and its late round records nothing', async () => {
    const h = (harness = await createHarness(redisServer().url));
    let answer = () => {};
    h.health.held = new Promise((resolve) => (answer = resolve));
    const hotfixId = await h.approveAndDeploy();
    await h.confirm(hotfixId);
    const review = await waitFor('the window closed', async () => {
      const state = await h.state(hotfixId);
      return state.monitoring?.closed && state;
    });
    expect(review.phase).toBe('breach_review');
    expect((await events(h, hotfixId)).at(-1)).toMatchObject({
      type: 'MonitoringWindowClosed',
      clean: false,
      unobserved: ['api/health'],
    });
    // The hung probe answers at last: its round finds the window closed and records nothing.
    answer();
    const round = jobIds.monitorRound(hotfixId, 'api/health', 1);
    await waitFor('the late round done', async () =>
      (await h.engine.queues.timers.getJob(round))?.isCompleted(),
    );
    const history = await events(h, hotfixId);
    expect(
      history.filter((e) => e.type === 'MonitorCheckPassed' || e.type === 'MonitorCheckBreached'),
    ).toEqual([]);
    expect((await h.state(hotfixId)).phase).toBe('breach_review');
  });

  it('a second hotfix on a locked service is refused with who holds it; the lock frees on rollback', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const first = await h.approveAndDeploy();
    await h.stepRunning(first, 'confirm');
    const second = await h.approveAndDeploy();
    const refused = await waitFor('lock refusal', async () => {
      const state = await h.state(second);
      return state.lock.status === 'refused' && state;
    });
    expect(refused.lock.refusal).toMatchObject({ service: 'api', heldBy: first });
    expect(refused.phase).toBe('planned');
    // The first hotfix fails verification by hand: on_failure execute rolls it back and frees the lock.
    await h.confirm(first, 'failed');
    await waitFor('rolled back', async () => (await h.state(first)).phase === 'rolled_back');
    expect((await h.log()).some((l) => l.startsWith('revert 1 end'))).toBe(true);
    await h.engine.handler.handle(second, { type: 'RequestDeploy', by: team.tech1 });
    await waitFor('second deploy running', async () => (await h.state(second)).runs.length === 1);
    expect((await h.state(second)).runs[0]?.id).toBe('deploy-2');
  });

  it('two hotfixes on one service deployed at the same moment: one is granted the lock, the other refused', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const [a, b] = await Promise.all([h.approveAndDeploy(), h.approveAndDeploy()]);
    const settled = await waitFor('both lock decisions', async () => {
      const states = [await h.state(a), await h.state(b)];
      return states.every((s) => s.lock.status === 'granted' || s.lock.status === 'refused') && states;
    });
    const winner = settled.findIndex((s) => s.lock.status === 'granted');
    const [won, lost] = winner === 0 ? [a, b] : [b, a];
    expect(settled.map((s) => s.lock.status).sort()).toEqual(['granted', 'refused']);
    expect((await h.state(lost)).lock.refusal).toMatchObject({ service: 'api', heldBy: won });
    expect((await events(h, lost)).some((e) => e.type === 'LockGranted')).toBe(false);
    expect(await h.engine.redis.hget(`${h.prefix}{hotfix}:lock:api`, 'hotfixId')).toBe(won);
  });

  it('a failed step stops the pipeline and rolls back (policy execute)', async () => {
    const h = (harness = await createHarness(redisServer().url));
    await writeFile(h.failFile, 'smoke\n');
    const hotfixId = await h.approveAndDeploy();
    const rolledBack = await waitFor('rolled back', async () => {
      const state = await h.state(hotfixId);
      return state.phase === 'rolled_back' && state;
    });
    expect(rolledBack.runs.map((r) => `${r.id}:${r.status}`)).toEqual([
      'deploy-1:failed',
      'rollback-1:succeeded',
    ]);
    const failed = rolledBack.runs[0]!.steps.find((s) => s.name === 'smoke')!;
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('exit code 3') });
    expect(failed.output).toContain('smoke failed on purpose');
    expect(rolledBack.runs[0]!.steps.find((s) => s.name === 'confirm')?.status).toBe('pending');
  });

  it('on_failure off: a failed step stops the run and keeps the lock; a retry runs it again, next attempt', async () => {
    const h = (harness = await createHarness(redisServer().url, { onFailure: 'off' }));
    await writeFile(h.failFile, 'smoke\n');
    const hotfixId = await h.approveAndDeploy();
    const failed = await waitFor('deploy failed', async () => {
      const state = await h.state(hotfixId);
      return state.phase === 'deploy_failed' && state;
    });
    expect(holdsLock(failed)).toBe(true);
    await writeFile(h.failFile, '');
    const smoke = failed.runs[0]!.steps.find((s) => s.name === 'smoke')!;
    await h.engine.handler.handle(hotfixId, {
      type: 'RetryStep',
      runId: 'deploy-1',
      step: smoke.key,
      reason: 'fixture fixed',
      by: team.tech1,
    });
    await h.stepRunning(hotfixId, 'confirm');
    expect((await h.log()).filter((l) => l.startsWith('smoke'))).toEqual([
      expect.stringMatching(/^smoke 1 start/),
      expect.stringMatching(/^smoke 1 failed/),
      expect.stringMatching(/^smoke 2 start/),
      expect.stringMatching(/^smoke 2 end/),
    ]);
  });

  it('aborting a run stops its running step at once and starts no other', async () => {
    const h = (harness = await createHarness(redisServer().url, { onFailure: 'off' }));
    const hotfixId = await h.approveAndDeploy();
    await waitFor('slow to start', async () => (await h.log()).some((l) => l.startsWith('slow 1 start')));
    await h.engine.handler.handle(hotfixId, {
      type: 'AbortPipeline',
      runId: 'deploy-1',
      reason: 'wrong build',
      by: team.tech1,
    });
    const aborted = await waitFor('the slow step to be stopped', async () => {
      const state = await h.state(hotfixId);
      const slow = state.runs[0]?.steps.find((s) => s.name === 'slow');
      return state.runs[0]?.status === 'aborted' && slow?.status === 'running' && state;
    });
    expect(aborted.phase).toBe('deploy_failed');
    // The step's process was killed (it never logged its end), and nothing after it ran.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await h.log()).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'backup 1 start',
      'backup 1 end',
      'deploy 1 start',
      'deploy 1 end',
      'slow 1 start',
    ]);
  });

  it('a second deploy request for the same run is a no-op', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const hotfixId = await h.approveAndDeploy();
    await h.engine.handler.handle(hotfixId, { type: 'RequestDeploy', by: team.tech2 });
    await h.stepRunning(hotfixId, 'confirm');
    const backups = (await h.log()).filter((l) => l.startsWith('backup'));
    expect(backups).toEqual([
      expect.stringMatching(/^backup 1 start/),
      expect.stringMatching(/^backup 1 end/),
    ]);
  });

  it('a bad job payload fails at once, without retries', async () => {
    const h = (harness = await createHarness(redisServer().url));
    const { Queue } = await import('bullmq');
    const queue = new Queue('hotfix-pipeline', {
      connection: { url: redisServer().url },
      prefix: `${h.prefix}{hotfix-jobs}`,
    });
    const job = await queue.add('run', { hotfixId: 'HF-1', runId: 'nonsense' }, { attempts: 5 });
    // Read the job after it is seen failed: a job object fetched earlier does not show the reason yet.
    await waitFor('job failed', async () => (await queue.getJob(job.id!))?.isFailed());
    const failed = (await queue.getJob(job.id!))!;
    // Failed on its first run: UnrecoverableError skips the 5 attempts the job was given.
    expect(failed.attemptsMade).toBeLessThanOrEqual(1);
    expect(failed.failedReason).toMatch(/bad pipeline job/);
    await queue.close();
    void plan;
  });
});

describe('a run executes what it recorded', () => {
  it('a hotfix.yml changed mid-run (and the worker restarted with it) changes nothing in the run: the recorded step runs', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false, onFailure: 'off' }));
    const before = h.engine.startWorkers();
    await writeFile(h.failFile, 'smoke\n');
    const hotfixId = await h.approveAndDeploy();
    const failed = await waitFor('deploy failed', async () => {
      const state = await h.state(hotfixId);
      return state.phase === 'deploy_failed' && state;
    });
    await before.close(5_000);

    // The team edits hotfix.yml, and the bot restarts with it: smoke runs another script, confirm asks
    // something else. The run started before, so it must keep doing what its record names.
    const edited = (await readFile(h.configFile, 'utf8'))
      .replace('[test/fixtures/pipeline/step.sh, smoke]', '[test/fixtures/pipeline/step.sh, tampered]')
      .replace('manual: Check a test order', 'manual: Something else entirely');
    const parsed = parseConfig(edited, h.configFile);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
    const restarted = await createEngine({
      env: readEnv(h.env),
      config: parsed.config,
      policy: parsed.policy,
      processEnv: { ...process.env, ...h.env },
      log: pino({ level: 'silent' }),
    });
    const after = restarted.startWorkers();
    try {
      await writeFile(h.failFile, '');
      const smoke = failed.runs[0]!.steps.find((s) => s.name === 'smoke')!;
      await restarted.handler.handle(hotfixId, {
        type: 'RetryStep',
        runId: 'deploy-1',
        step: smoke.key,
        reason: 'fixture fixed',
        by: team.tech1,
      });
      const waiting = await waitFor('confirm to run', async () => {
        const state = await restarted.handler.state(hotfixId);
        return state.runs[0]?.steps.some((s) => s.name === 'confirm' && s.status === 'running') && state;
      });
      expect(
        (await h.log())
          .filter((l) => / (start|end|failed) /.test(l))
          .map((l) => l.split(' ').slice(0, 3).join(' ')),
      ).toEqual([
        'backup 1 start',
        'backup 1 end',
        'deploy 1 start',
        'deploy 1 end',
        'slow 1 start',
        'slow 1 end',
        'smoke 1 start',
        'smoke 1 failed',
        'smoke 2 start',
        'smoke 2 end',
      ]);
      const confirm = waiting.runs[0]!.steps.find((s) => s.name === 'confirm')!;
      expect(confirm.spec).toMatchObject({ kind: 'manual', manual: 'Check a test order' });
      const record = renderRecordMarkdown(buildRecord(await events(h, hotfixId), { timezone: 'UTC' }));
      expect(record).toContain('`test/fixtures/pipeline/step.sh smoke`');
      expect(record).not.toContain('tampered');
    } finally {
      await after.close(5_000);
      await restarted.close();
    }
  });

  it('a resumed step says in its record that the attempt before it was interrupted, and how it ended', async () => {
    const h = (harness = await createHarness(redisServer().url, { workers: false }));
    const doomed = h.spawnWorker();
    const hotfixId = await h.approveAndDeploy();
    const slow = await h.stepRunning(hotfixId, 'slow');
    doomed.kill('SIGKILL');
    const survivor = h.engine.startWorkers();
    try {
      const resumed = await waitFor('slow to finish on attempt 2', async () => {
        const state = await h.state(hotfixId);
        const step = state.runs[0]?.steps.find((s) => s.key === slow.key);
        return step?.status === 'succeeded' && step;
      });
      expect(resumed.attempt).toBe(2);
      expect(resumed.interruptions).toEqual([
        {
          attempt: 1,
          owner: slow.owner,
          reason: `its worker stopped mid-step (owner ${slow.owner}); the step's processes were ended with it`,
          at: expect.any(String),
        },
      ]);
      const history = await events(h, hotfixId);
      expect(
        history
          .filter((e) => 'step' in e && e.step === slow.key)
          .map((e) => `${e.type}#${'attempt' in e ? e.attempt : ''}`),
      ).toEqual(['StepStarted#1', 'StepInterrupted#1', 'StepStarted#2', 'StepSucceeded#2']);
      const record = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
      expect(record).toMatch(
        /\| execution \| slow \| api \| run \| succeeded \| 2 \| .* \| attempt 1 interrupted: its worker stopped mid-step/,
      );
    } finally {
      await survivor.close(5_000);
    }
  });
});

describe('stepToRun', () => {
  const run = { kind: 'deploy' } as Run;
  /** The pipeline tests' hotfix.yml, its manual step asking `manual`. */
  const config = (manual: string) => {
    const text = pipelineConfig('http://127.0.0.1:9/health').replace('Check a test order', manual);
    const parsed = parseConfig(text, 'hotfix.yml');
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
    return parsed.config;
  };
  const planned = (spec: StepState['spec'], name = 'confirm'): StepState => ({
    key: 'verification.api.1',
    stage: 'verification',
    service: 'api',
    index: 1,
    name,
    kind: 'manual',
    roles: ['business'],
    spec,
    status: 'running',
    attempt: 1,
  });

  it('runs the recorded spec whatever the config says now', () => {
    const recorded: StepSpec = {
      name: 'confirm',
      kind: 'manual',
      manual: 'As recorded',
      attempts: 1,
      roles: ['business'],
      tags: [],
    };
    expect(stepToRun(config('Changed since'), run, planned(recorded))).toEqual(recorded);
  });

  it('for a run recorded without specs (schema v1), takes the configured step only while it is the same step', () => {
    expect(stepToRun(config('As configured'), run, planned(null))).toMatchObject({ manual: 'As configured' });
    expect(stepToRun(config('As configured'), run, planned(null, 'renamed since'))).toBeUndefined();
  });
});
