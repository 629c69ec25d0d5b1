// The guard of one run step, started by runCommand (command.ts) with plain `node`: no tsx, no dependencies,
// so it loads in tens of milliseconds and runs unchanged from src/ or a compiled dist/.
//
// It runs the command in a process group of its own and holds fd 3, a socket to the worker. The worker
// writes the command as one JSON line, then `abort` to stop it; EOF means the worker is gone (SIGKILL, OOM),
// and then nobody watches the step any more: the guard ends the group at once. It also enforces the step's
// timeout itself, so a frozen worker cannot stretch it. It answers with JSON lines: `started`, then
// `failed` (could not spawn) or `exited` once nothing of the group runs any more.
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';

/** Grace between SIGTERM and SIGKILL once the worker is gone: the whole group ends within a second. */
const ORPHAN_GRACE_MS = 400;
const POLL_MS = 50;

const worker = new Socket({ fd: 3, readable: true, writable: true });
// A write to a dead worker fails; EOF (below) already says it is gone.
worker.on('error', () => workerGone());

/** The last message: exits once it is handed to the worker (or could not be). */
const finish = (message) => {
  if (worker.destroyed || !worker.writable) process.exit(0);
  worker.write(`${JSON.stringify(message)}\n`, () => process.exit(0));
};

/** Signals every process in the group; false when none is left. */
const signalGroup = (pgid, signal) => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
};

const procStat = /^\d+ \(.*\) (\S) \d+ (\d+) /s;

// `kill(-pgid, 0)` also counts zombies, and an init that never reaps (PID 1 in many containers) leaves the
// group's orphans as zombies forever; on Linux /proc tells them apart.
const groupRunning = async (pgid) => {
  if (!signalGroup(pgid, 0)) return false;
  let entries;
  try {
    entries = await readdir('/proc');
  } catch {
    return true;
  }
  const states = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map((pid) =>
        readFile(`/proc/${pid}/stat`, 'utf8').then(
          (text) => procStat.exec(text),
          () => null,
        ),
      ),
  );
  return states.some((match) => match !== null && match[2] === String(pgid) && match[1] !== 'Z');
};

let spec;
let pid;
let exited = false;
let orphaned = false;
let reason;
let stopTimer;
let killAt;
let killTimer;

const grace = () => (orphaned ? Math.min(ORPHAN_GRACE_MS, spec.killGraceMs) : spec.killGraceMs);

/** SIGTERM to the group, SIGKILL after the grace; a shorter grace asked later (worker gone) wins. */
const terminate = () => {
  if (pid === undefined) return;
  const at = performance.now() + grace();
  if (killAt === undefined) signalGroup(pid, 'SIGTERM');
  else if (killAt <= at) return;
  killAt = at;
  clearTimeout(killTimer);
  killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), grace());
};

const stop = (why) => {
  if (spec === undefined) process.exit(0);
  // Once the command has exited, a late abort must not change how it ended.
  if (!exited) reason ??= why;
  clearTimeout(stopTimer);
  terminate();
};

function workerGone() {
  if (orphaned) return;
  orphaned = true;
  stop('aborted');
}

const start = () => {
  const command = spawn(spec.program, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  command.once('spawn', () => {
    pid = command.pid;
    worker.write(`${JSON.stringify({ type: 'started', pid })}\n`);
    // An abort or the worker's death before the spawn completed.
    if (reason !== undefined) terminate();
  });
  command.once('error', (error) => {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    finish({ type: 'failed', code: error.code, message: error.message });
  });
  command.once('exit', async (code, signal) => {
    exited = true;
    clearTimeout(stopTimer);
    // Children the command left behind would outlive the step (and keep the output open): end them too.
    if (await groupRunning(pid)) terminate();
    // The kill timer sends SIGKILL at killAt: past that, nothing of the group can still run.
    const giveUpAt = (killAt ?? 0) + POLL_MS * 5;
    while (performance.now() < giveUpAt && (await groupRunning(pid))) await delay(POLL_MS);
    clearTimeout(killTimer);
    finish({ type: 'exited', code, signal, reason: reason ?? null });
  });
  stopTimer = setTimeout(() => stop('timeout'), spec.timeoutMs);
};

let buffered = '';
worker.setEncoding('utf8');
worker.on('data', (chunk) => {
  buffered += chunk;
  for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (spec === undefined) {
      spec = JSON.parse(line);
      start();
    } else if (line === 'abort') stop('aborted');
  }
});
worker.on('end', () => workerGone());
// Signalled directly (a service manager stopping everything): stop the step rather than orphan it.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop('aborted'));
