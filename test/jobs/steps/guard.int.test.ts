import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStep } from '../../../src/jobs/steps/run-step.ts';
import { waitFor } from '../../helpers/wait.ts';
import { isRunning, runStepOf, testContext } from './helpers.ts';

let dir: string;
let worker: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-guard-'));
});
afterEach(async () => {
  if (worker?.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGCONT');
    worker.kill('SIGKILL');
  }
  worker = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A separate process standing in for a worker: it runs one command with runCommand and prints the outcome. */
const startWorker = (command: { timeoutMs: number; killGraceMs: number; pidFile: string }) => {
  const { pidFile, ...limits } = command;
  const run = { run: ['./scripts/hang-ignoring-term.sh'], env: { PID_FILE: pidFile }, ...limits };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/scripts/run-command.ts', JSON.stringify(run)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let printed = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (printed += chunk));
  return { child, printed: () => printed };
};

/** The command's own pid and its child's, once both run. */
const pidsFrom = (file: string) =>
  waitFor(`pids in ${file}`, async () => {
    const text = existsSync(file) ? (await readFile(file, 'utf8')).trim() : '';
    return text.includes(' ') && text.split(' ').map(Number);
  });

describe('the step guard', () => {
  it("ends the step's whole process group when its worker is killed, well before the kill grace", async () => {
    const pidFile = join(dir, 'pids');
    worker = startWorker({ pidFile, timeoutMs: 60_000, killGraceMs: 20_000 }).child;
    const pids = await pidsFrom(pidFile);
    worker.kill('SIGKILL');
    // The command ignores SIGTERM and the step's grace is 20 s: gone sooner means SIGKILL came early.
    await waitFor('the step to end with its worker', () => pids.every((pid) => !isRunning(pid)), 10_000);
  });

  it('keeps the timeout while the worker is frozen, and reports it once the worker runs again', async () => {
    const pidFile = join(dir, 'pids');
    // The worker must still be running when it is frozen: a timeout of 1 s could pass first on a loaded machine.
    const started = startWorker({ pidFile, timeoutMs: 5_000, killGraceMs: 500 });
    worker = started.child;
    const pids = await pidsFrom(pidFile);
    worker.kill('SIGSTOP');
    // The step would sleep 30 s, and a stopped worker's own timer cannot fire.
    await waitFor('the step to end at its timeout', () => pids.every((pid) => !isRunning(pid)), 15_000);
    worker.kill('SIGCONT');
    await once(worker, 'exit');
    expect(JSON.parse(started.printed())).toMatchObject({ ok: false, error: 'timed out after 5s (killed)' });
  });

  it('a guard killed on its own: the worker ends the step and says the guard went away', async () => {
    const pidFile = join(dir, 'pids');
    const step = runStepOf(['./scripts/hang-ignoring-term.sh'], { env: { PID_FILE: pidFile } });
    const running = runStep(
      step,
      testContext({ defaults: { runTimeoutMs: 60_000, httpTimeoutMs: 1, killGraceMs: 20_000 } }),
    );
    const pids = await pidsFrom(pidFile);
    const stat = await readFile(`/proc/${pids[0]}/stat`, 'utf8');
    const guard = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    process.kill(guard, 'SIGKILL');
    expect(await running).toMatchObject({ ok: false, error: 'step guard ended without a result' });
    // SIGKILL takes effect a moment after it is sent.
    await waitFor('the step to end', () => pids.every((pid) => !isRunning(pid)), 5_000);
  });
});
