import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import { runChecklistProbe, runStep } from '../../../src/jobs/steps/run-step.ts';
import { isRunning, runStepOf, testContext } from './helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-steps-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Polls for a file a script writes once it is running; the test's own timeout bounds the wait. */
const pidFrom = async (file: string): Promise<number> => {
  for (;;) {
    if (existsSync(file)) {
      const text = (await readFile(file, 'utf8')).trim();
      if (text !== '') return Number(text);
    }
    await sleep(10);
  }
};

describe('run steps', () => {
  it('passes each rendered template as one literal argument, never through a shell', async () => {
    const step = runStepOf([
      './scripts/echo-args.sh',
      '{{plan.version}}',
      '--previous={{plan.previous_version}}',
      '{{plan.summary}}',
      '*',
    ]);
    const outcome = await runStep(step, testContext());
    expect(outcome).toMatchObject({ ok: true, detail: './scripts/echo-args.sh exited 0' });
    expect(outcome.output.split('\n')).toEqual([
      'argc=4',
      '1.0; rm -rf /',
      '--previous=0.9 $(touch /tmp/pwned)',
      'Fix "double" charge & refunds',
      '*',
    ]);
  });

  it('runs in cwd, relative to the worker, with the program relative to it', async () => {
    const outcome = await runStep(runStepOf(['./pwd.sh'], { cwd: 'test/fixtures/scripts' }), testContext());
    expect(outcome).toMatchObject({ ok: true, output: resolve('test/fixtures/scripts') });
  });

  it('exports the HOTFIX_* variables, literal env and secret_env, and nothing else of the worker', async () => {
    const names = [
      'HOTFIX_HOTFIX_ID',
      'HOTFIX_RUN_ID',
      'HOTFIX_RUN_KIND',
      'HOTFIX_SERVICE',
      'HOTFIX_STEP_NAME',
      'HOTFIX_STEP_ATTEMPT',
      'HOTFIX_STEP_TRY',
      'HOTFIX_PLAN_ISSUE_ID',
      'HOTFIX_PLAN_VERSION',
      'HOTFIX_PLAN_PREVIOUS_VERSION',
      'DEPLOY_ENV',
      'DEPLOY_TOKEN',
      'UNRELATED_WORKER_VAR',
    ];
    const step = runStepOf(['./scripts/print-env.sh', ...names], {
      name: 'Code deployment',
      env: { DEPLOY_ENV: 'production', HOTFIX_STEP_ATTEMPT: 'overridden?' },
      secret_env: ['DEPLOY_TOKEN'],
    });
    const ctx = testContext({
      env: { PATH: process.env.PATH, DEPLOY_TOKEN: 'tok-123456', UNRELATED_WORKER_VAR: 'x' },
    });
    const outcome = await runStep(step, ctx);
    expect(outcome.ok).toBe(true);
    expect(outcome.output.split('\n')).toEqual([
      'HOTFIX_HOTFIX_ID=HF-7',
      'HOTFIX_RUN_ID=deploy-1',
      'HOTFIX_RUN_KIND=deploy',
      'HOTFIX_SERVICE=payments-api',
      'HOTFIX_STEP_NAME=Code deployment',
      'HOTFIX_STEP_ATTEMPT=2',
      'HOTFIX_STEP_TRY=1',
      'HOTFIX_PLAN_ISSUE_ID=INC-42',
      'HOTFIX_PLAN_VERSION=1.0; rm -rf /',
      'HOTFIX_PLAN_PREVIOUS_VERSION=0.9 $(touch /tmp/pwned)',
      'DEPLOY_ENV=production',
      'DEPLOY_TOKEN=tok-123456',
      'UNRELATED_WORKER_VAR=<unset>',
    ]);
  });

  it('fails before spawning when a secret_env variable is missing from the worker', async () => {
    const tries = join(dir, 'tries');
    const step = runStepOf(['./scripts/count-tries.sh'], {
      env: { TRIES_FILE: tries },
      secret_env: ['DEPLOY_TOKEN', 'DB_PASSWORD'],
    });
    const outcome = await runStep(step, testContext({ env: { PATH: process.env.PATH, DB_PASSWORD: 'x' } }));
    expect(outcome).toMatchObject({
      ok: false,
      error: "secret_env DEPLOY_TOKEN is not set in the worker's environment",
    });
    expect(existsSync(tries)).toBe(false);
  });

  it('fails with the exit code, output from stdout and stderr', async () => {
    const outcome = await runStep(runStepOf(['./scripts/exit-with.sh', '3']), testContext());
    expect(outcome).toMatchObject({ ok: false, error: 'exit code 3' });
    expect(outcome.output.split('\n').sort()).toEqual(['something went wrong', 'starting']);
  });

  it('reports a program that does not exist, or cannot be executed, without crashing', async () => {
    expect(await runStep(runStepOf(['./scripts/missing.sh']), testContext())).toMatchObject({
      ok: false,
      error: './scripts/missing.sh: not found',
    });
    expect(await runStep(runStepOf(['no-such-program-hotfix']), testContext())).toMatchObject({
      ok: false,
      error: 'no-such-program-hotfix: not found',
    });
    expect(await runStep(runStepOf(['./scripts/not-executable.sh']), testContext())).toMatchObject({
      ok: false,
      error: './scripts/not-executable.sh: permission denied (is it executable?)',
    });
    expect(await runStep(runStepOf(['./x.sh'], { cwd: 'no/such/dir' }), testContext())).toMatchObject({
      ok: false,
      error: 'cwd no/such/dir: no such directory',
    });
  });

  it('masks secret values (from secret_env) and pattern matches in the output', async () => {
    const step = runStepOf(['./scripts/echo-args.sh', 'password=hunter22', 'xoxb-123-abc'], {
      secret_env: ['DEPLOY_TOKEN'],
    });
    const ctx = testContext({
      env: { PATH: process.env.PATH, DEPLOY_TOKEN: 'tok-123456' },
      masker: createMasker({ values: ['tok-123456'], patterns: [/password=\S+/, /xox[abpr]-[A-Za-z0-9-]+/] }),
    });
    const printed = await runStep(
      runStepOf(['./scripts/print-env.sh', 'DEPLOY_TOKEN'], { secret_env: ['DEPLOY_TOKEN'] }),
      ctx,
    );
    expect(printed.output).toBe('DEPLOY_TOKEN=***');
    expect((await runStep(step, ctx)).output).toBe('argc=2\n***\n***');
  });

  it('keeps the last 20 lines of a long output after a marker', async () => {
    const outcome = await runStep(runStepOf(['./scripts/print-lines.sh', '100']), testContext());
    const lines = outcome.output.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('… 80 earlier lines');
    expect(lines[1]).toBe('line 81');
    expect(lines[20]).toBe('line 100');
  });

  it('keeps at most 2000 characters of output', async () => {
    const outcome = await runStep(runStepOf(['./scripts/print-lines.sh', '10', '500']), testContext());
    const [marker, ...kept] = outcome.output.split('\n');
    expect(marker).toBe('… 6 earlier lines');
    expect(kept.join('\n').length).toBeLessThanOrEqual(2000);
    expect(kept.at(-1)?.trimEnd()).toBe('line 10');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'pid');
    const step = runStepOf(['./scripts/sleep-with-child.sh'], { timeout: 1_000, env: { PID_FILE: pidFile } });
    const outcome = await runStep(step, testContext());
    expect(outcome).toMatchObject({ ok: false, error: 'timed out after 1s (killed)' });
    expect(outcome.output).toMatch(/^child \d+ started$/);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('sends SIGKILL after the grace when the group ignores SIGTERM', async () => {
    const pidFile = join(dir, 'pid');
    // Time for the script to ignore SIGTERM and write its child's pid first, however loaded the machine.
    const step = runStepOf(['./scripts/ignore-term.sh'], { timeout: 3_000, env: { PID_FILE: pidFile } });
    const outcome = await runStep(
      step,
      testContext({ defaults: { runTimeoutMs: 1, httpTimeoutMs: 1, killGraceMs: 200 } }),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'timed out after 3s (killed)' });
    expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('uses the default run timeout when the step has none', async () => {
    const pidFile = join(dir, 'pid');
    const step = runStepOf(['./scripts/sleep-with-child.sh'], { env: { PID_FILE: pidFile } });
    const outcome = await runStep(
      step,
      testContext({ defaults: { runTimeoutMs: 500, httpTimeoutMs: 1, killGraceMs: 200 } }),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'timed out after 500ms (killed)' });
  });

  it('stops at once on abort and kills the process group', async () => {
    const pidFile = join(dir, 'pid');
    const controller = new AbortController();
    const step = runStepOf(['./scripts/sleep-with-child.sh'], { env: { PID_FILE: pidFile }, attempts: 3 });
    const running = runStep(step, testContext({ signal: controller.signal }));
    const grandchild = await pidFrom(pidFile);
    controller.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: false, error: 'aborted (try 1 of 3)' });
    expect(isRunning(grandchild)).toBe(false);
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const tries = join(dir, 'tries');
    const step = runStepOf(['./scripts/count-tries.sh'], { env: { TRIES_FILE: tries } });
    expect(await runStep(step, testContext({ signal: controller.signal }))).toMatchObject({
      ok: false,
      error: 'aborted',
    });
    expect(existsSync(tries)).toBe(false);
  });

  it('ends children the command left running when it exited', async () => {
    const pidFile = join(dir, 'pid');
    const step = runStepOf(['./scripts/leave-child.sh'], { env: { PID_FILE: pidFile } });
    const outcome = await runStep(step, testContext());
    expect(outcome).toMatchObject({ ok: true });
    expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('retries with a doubling backoff, exporting HOTFIX_STEP_TRY', async () => {
    const tries = join(dir, 'tries');
    const step = runStepOf(['./scripts/count-tries.sh', '3'], {
      env: { TRIES_FILE: tries },
      attempts: 4,
      backoff: 2_000,
    });
    const ctx = testContext();
    const outcome = await runStep(step, ctx);
    expect(outcome).toMatchObject({ ok: true, detail: './scripts/count-tries.sh exited 0 (try 3 of 4)' });
    expect(outcome.output).toBe('earlier tries: exit code 1; exit code 1\ntry 3 passed');
    expect((await readFile(tries, 'utf8')).trim().split('\n')).toEqual(['1 2', '2 2', '3 2']);
    expect(ctx.sleeps).toEqual([2_000, 4_000]);
  });

  it('fails after its last try, with a fixed interval between tries', async () => {
    const tries = join(dir, 'tries');
    const step = runStepOf(['./scripts/count-tries.sh', '9'], {
      env: { TRIES_FILE: tries },
      attempts: 3,
      interval: 30_000,
    });
    const ctx = testContext();
    expect(await runStep(step, ctx)).toMatchObject({ ok: false, error: 'exit code 1 (try 3 of 3)' });
    expect(ctx.sleeps).toEqual([30_000, 30_000]);
  });
});

describe('checklist run checks', () => {
  it('gives the evidence of a passing command', async () => {
    const outcome = await runChecklistProbe(
      { kind: 'run', run: ['./scripts/exit-with.sh', '0'], cwd: 'test/fixtures', env: {}, secret_env: [] },
      testContext(),
    );
    expect(outcome).toMatchObject({ ok: true, detail: './scripts/exit-with.sh exited 0' });
  });

  it('fails on a non-zero exit', async () => {
    const outcome = await runChecklistProbe(
      { kind: 'run', run: ['./scripts/exit-with.sh', '1'], cwd: 'test/fixtures', env: {}, secret_env: [] },
      testContext(),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'exit code 1' });
  });
});
