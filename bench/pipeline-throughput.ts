/**
 * Pipeline throughput (issue 3): 100 hotfixes × 10 `run: [true]` steps through 2 `hotfix worker` processes.
 *
 *   node --import tsx bench/pipeline-throughput.ts [--hotfixes 100] [--steps 10] [--workers 2]
 *     [--worker-node-arg=--cpu-prof --worker-node-arg=--cpu-prof-dir=/tmp/prof]   (profile the workers)
 *
 * A private redis-server and a generated hotfix.yml with one service per hotfix (svc-1…svc-100: the deploy
 * lock is per service, so hotfixes on one shared service would run one after another), each with 10
 * execution steps `run: ['true']`, no verification steps, no monitors, verification_period 1ms (the schema's
 * minimum: it must be > 0). Two `node bin/hotfix.js worker` processes (default concurrency) do all the job
 * work; this process only issues the chat-side commands through engine.handler (no workers of its own) and
 * tails the global feed. Once every hotfix is approved and ready and the queues are idle, all deploys are
 * requested at once.
 *
 * Reported: steps/s = steps / (first deploy request → last StepSucceeded seen on the feed); how long each
 * pipeline took; the gap between one step succeeding and the next starting; CPU per process; and Redis memory
 * per finished hotfix (used_memory after all windows closed minus before any hotfix, / hotfixes), with
 * MEMORY USAGE of each kind of key.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { readEnv } from '../src/config/env.ts';
import { parseConfig } from '../src/config/load.ts';
import { bullPrefix, PIPELINE_QUEUE, TIMER_QUEUE } from '../src/jobs/queues.ts';
import { createEngine } from '../src/main/engine.ts';
import { storeKeys } from '../src/store/keys.ts';
import { TEST_AUDIT_KEY, startRedisServer } from '../test/helpers/redis.ts';
import type { FeedArrival } from './lib.ts';
import {
  benchConfig,
  Cleanup,
  FeedTail,
  machineFacts,
  ms,
  quiesce,
  readyHotfix,
  runBench,
  serviceName,
  stats,
  team,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    hotfixes: { type: 'string', default: '100' },
    steps: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    /** Hotfixes deployed (on services of their own) before measuring, so the workers are warm. */
    warmup: { type: 'string', default: '2' },
    /** Extra node flags for the worker processes, e.g. --worker-node-arg=--cpu-prof (profiling). */
    'worker-node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const HOTFIXES = Number(args.hotfixes);
const STEPS = Number(args.steps);
const WORKERS = Number(args.workers);
const WARMUP = Number(args.warmup);
const DEADLINE_MS = 170_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = 'thr:';

const cleanup = new Cleanup(DEADLINE_MS);

/** INFO memory: used_memory (everything the allocator holds for Redis) and used_memory_dataset (data only). */
const usedMemory = async (redis: Redis): Promise<{ used: number; dataset: number }> => {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { used: field('used_memory'), dataset: field('used_memory_dataset') };
};

const memoryUsage = async (redis: Redis, key: string): Promise<number> =>
  Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);

/** Keys matching `pattern`, with their total MEMORY USAGE. */
const keysOf = async (redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> => {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys += batch.length;
    for (const key of batch) bytes += await memoryUsage(redis, key);
  } while (cursor !== '0');
  return { keys, bytes };
};

/** User + system CPU seconds of a process so far (Linux /proc; clock ticks of 1/100 s). */
const cpuSeconds = (pid: number | undefined): number => {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
};

const redisCpu = async (redis: Redis): Promise<number> => {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const spawnWorker = (
  n: number,
  env: Record<string, string>,
): { child: ChildProcess; stderr: () => string } => {
  const child = spawn(process.execPath, [...args['worker-node-arg'], 'bin/hotfix.js', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  cleanup.child(`worker ${n}`, child);
  return { child, stderr: () => stderr };
};

await runBench(cleanup, async () => {
  const redisServer = await startRedisServer();
  cleanup.add('stop redis-server', () => redisServer.stop());
  const admin = redisServer.connect();
  const facts = await machineFacts(admin);
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-bench-throughput-'));
  cleanup.dir(dir);
  const configFile = join(dir, 'hotfix.yml');
  const configText = benchConfig({ services: HOTFIXES + WARMUP, steps: STEPS });
  await writeFile(configFile, configText);
  const parsed = parseConfig(configText, configFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const env = {
    REDIS_URL: redisServer.url,
    HOTFIX_CONFIG: configFile,
    HOTFIX_REDIS_PREFIX: PREFIX,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    LOG_LEVEL: 'silent',
  };

  const workers = Array.from({ length: WORKERS }, (_, i) => spawnWorker(i + 1, env));
  const connection = { url: redisServer.url, maxRetriesPerRequest: null };
  const queues = [PIPELINE_QUEUE, TIMER_QUEUE].map(
    (name) => new Queue(name, { connection, prefix: bullPrefix(PREFIX) }),
  );
  cleanup.add('close probe queues', async () => {
    await Promise.all(queues.map((q) => q.close()));
  });
  const startDeadline = performance.now() + 60_000;
  for (;;) {
    const counts = await Promise.all(queues.map((q) => q.getWorkersCount()));
    if (counts.every((n) => n >= WORKERS)) break;
    const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (dead) throw new Error(`a worker exited during start-up:\n${dead.stderr()}`);
    if (performance.now() > startDeadline)
      throw new Error(`workers not ready after 60 s (${counts.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const engine = await createEngine({
    env: readEnv(env),
    config: parsed.config,
    policy: parsed.policy,
    processEnv: process.env,
    log: pino({ level: 'silent' }),
  });
  cleanup.add('close engine', () => engine.close());
  const feed = await FeedTail.open(redisServer.connect(), PREFIX);
  cleanup.add('close feed tail', () => feed.close());

  // Warm-up: a few whole deploys on services of their own (svc-N+1…), so the workers' code paths are hot.
  const warmIds = await Promise.all(
    Array.from({ length: WARMUP }, (_, i) => readyHotfix(engine.handler, serviceName(HOTFIXES + i + 1))),
  );
  const warmClosed = Promise.all(
    warmIds.map((id) =>
      feed.next(
        `${id} warm-up done`,
        (e) => e.hotfixId === id && e.type === 'MonitoringWindowClosed',
        60_000,
      ),
    ),
  );
  await Promise.all(
    warmIds.map((id) => engine.handler.handle(id, { type: 'RequestDeploy', by: team.tech1 })),
  );
  await warmClosed;
  await quiesce(queues);

  const memoryBefore = await usedMemory(admin);

  // Ready hotfixes, ten at a time; their readiness-check timer jobs run on the workers.
  const ids: string[] = [];
  for (let i = 0; i < HOTFIXES; i += 10) {
    const batch = Array.from({ length: Math.min(10, HOTFIXES - i) }, (_, j) => serviceName(i + j + 1));
    ids.push(...(await Promise.all(batch.map((service) => readyHotfix(engine.handler, service)))));
  }
  await quiesce(queues);

  const expectedSteps = HOTFIXES * STEPS;
  const mine = new Set(ids);
  const perHotfix = new Map<string, FeedArrival[]>(ids.map((id) => [id, []]));
  let succeeded = 0;
  let closed = 0;
  let lastStepAt = NaN;
  let signalSteps: () => void = () => undefined;
  let signalClosed: () => void = () => undefined;
  const allSteps = new Promise<void>((resolve) => (signalSteps = resolve));
  const allClosed = new Promise<void>((resolve) => (signalClosed = resolve));
  feed.onEntry((entry) => {
    if (!mine.has(entry.hotfixId)) return;
    perHotfix.get(entry.hotfixId)?.push(entry);
    if (entry.type === 'StepSucceeded' && ++succeeded === expectedSteps) {
      lastStepAt = entry.arrivedAt;
      signalSteps();
    }
    if (entry.type === 'MonitoringWindowClosed' && ++closed === HOTFIXES) signalClosed();
  });
  const within = <T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const failed = workers.map((w) => w.stderr()).join('\n');
        reject(new Error(`timed out waiting for ${what} (${succeeded}/${expectedSteps} steps)\n${failed}`));
      }, timeoutMs);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  };

  const serverInfo = await admin.info('server');
  const redisPid = Number(/^process_id:(\d+)/m.exec(serverInfo)?.[1]);
  const cpuBefore = {
    workers: workers.map((w) => cpuSeconds(w.child.pid)),
    redis: await redisCpu(admin),
    bench: process.cpuUsage(),
  };

  const t0 = performance.now();
  await Promise.all(ids.map((id) => engine.handler.handle(id, { type: 'RequestDeploy', by: team.tech1 })));
  const requested = performance.now() - t0;
  await within('every step to succeed', allSteps, 120_000);
  const cpuAfter = {
    workers: workers.map((w) => cpuSeconds(w.child.pid)),
    redis: await redisCpu(admin),
    bench: process.cpuUsage(cpuBefore.bench),
  };
  await within('every monitoring window to close', allClosed, 60_000);
  const finishedAt = performance.now() - t0;
  await quiesce(queues);
  const memoryAfter = await usedMemory(admin);

  const elapsed = (lastStepAt - t0) / 1000;
  // Per hotfix: first step start → last step success, and success of one step → start of the next.
  const pipelines: number[] = [];
  const gaps: number[] = [];
  const firstStarts: number[] = [];
  for (const entries of perHotfix.values()) {
    const starts = entries.filter((e) => e.type === 'StepStarted');
    const successes = entries.filter((e) => e.type === 'StepSucceeded');
    const first = starts[0];
    const last = successes.at(-1);
    if (first && last) pipelines.push(last.arrivedAt - first.arrivedAt);
    if (first) firstStarts.push(first.arrivedAt - t0);
    successes.forEach((s, i) => {
      const next = starts[i + 1];
      if (next) gaps.push(next.arrivedAt - s.arrivedAt);
    });
  }
  const keys = storeKeys(PREFIX);
  const streams = await Promise.all(ids.map((id) => memoryUsage(admin, keys.stream(id))));
  const lengths = await Promise.all(ids.map((id) => admin.xlen(keys.stream(id))));
  const heads = await keysOf(admin, `${PREFIX}{hotfix}:head:*`);
  const feedBytes = await memoryUsage(admin, keys.feed);
  const feedLength = await admin.xlen(keys.feed);
  const openBytes = await memoryUsage(admin, keys.open);
  const jobs = await keysOf(admin, `${bullPrefix(PREFIX)}*`);
  const jobCounts = await Promise.all(queues.map((q) => q.getJobCounts('completed', 'failed')));
  const all = await keysOf(admin, '*');

  const pipelineStats = stats(pipelines);
  const gapStats = stats(gaps);
  const firstStats = stats(firstStarts);
  const streamStats = stats(streams);
  const lengthStats = stats(lengths);
  const workerCpu = cpuAfter.workers.map((after, i) => after - (cpuBefore.workers[i] ?? NaN));
  const perHotfixDelta = (memoryAfter.used - memoryBefore.used) / HOTFIXES;
  const perHotfixDataset = (memoryAfter.dataset - memoryBefore.dataset) / HOTFIXES;
  // Shared keys (feed, index, BullMQ) also hold the warm-up hotfixes: their shares are per hotfix present.
  const present = HOTFIXES + WARMUP;

  const out: string[] = [];
  out.push(`## pipeline-throughput (${facts.date})`, '');
  out.push(
    `node ${facts.node}, redis ${facts.redis}, nproc ${facts.nproc}, ${facts.cpu}, ${facts.memory}, ` +
      `load average at start ${facts.load}`,
  );
  out.push(
    `${HOTFIXES} hotfixes × ${STEPS} steps (one service each; ${WARMUP} more deployed first as warm-up) ` +
      `on ${WORKERS} worker processes ` +
      `(concurrency ${readEnv({}).HOTFIX_WORKER_CONCURRENCY} each), redis pid ${redisPid}`,
    '',
  );
  out.push('| metric | value |', '|---|---|');
  out.push(`| steps | ${succeeded} |`);
  out.push(`| elapsed, first deploy request → last StepSucceeded on feed | ${elapsed.toFixed(2)} s |`);
  out.push(`| **throughput** | **${(succeeded / elapsed).toFixed(1)} steps/s** |`);
  out.push(`| all ${HOTFIXES} RequestDeploy commands returned after | ${ms(requested, 1)} ms |`);
  out.push(`| all monitoring windows closed (verified) after | ${(finishedAt / 1000).toFixed(2)} s |`);
  out.push(
    `| first step start per hotfix, from t0: p50 / p99 / max | ${ms(firstStats.p50, 0)} / ${ms(firstStats.p99, 0)} / ${ms(firstStats.max, 0)} ms |`,
  );
  out.push(
    `| pipeline duration (first start → last success): p50 / p99 | ${ms(pipelineStats.p50, 0)} / ${ms(pipelineStats.p99, 0)} ms |`,
  );
  out.push(`| step success → next step start: p50 / p99 | ${ms(gapStats.p50)} / ${ms(gapStats.p99)} ms |`);
  out.push(
    `| CPU during the steps (user+sys s): workers / redis / bench | ${workerCpu.map((c) => c.toFixed(2)).join(' + ')} / ` +
      `${(cpuAfter.redis - cpuBefore.redis).toFixed(2)} / ${((cpuAfter.bench.user + cpuAfter.bench.system) / 1e6).toFixed(2)} |`,
  );
  out.push(`| Redis used_memory before → after | ${kib(memoryBefore.used)} → ${kib(memoryAfter.used)} |`);
  out.push(
    `| **Redis memory per finished hotfix** (used_memory delta / ${HOTFIXES}) | **${kib(perHotfixDelta)}** |`,
  );
  out.push(
    `| the same from used_memory_dataset (data without server overheads) | ${kib(perHotfixDataset)} |`,
  );
  out.push(`| events per hotfix (XLEN of its stream): p50 / max | ${lengthStats.p50} / ${lengthStats.max} |`);
  out.push(
    `| its event stream (MEMORY USAGE … SAMPLES 0): p50 / max | ${kib(streamStats.p50)} / ${kib(streamStats.max)} |`,
  );
  out.push(`| its head hash | ${kib(heads.bytes / Math.max(1, heads.keys))} |`);
  out.push(
    `| its share of the global feed (${feedLength} entries, ${kib(feedBytes)}) | ${kib(feedBytes / present)} |`,
  );
  out.push(`| its share of the open-hotfix index | ${kib(openBytes / present)} |`);
  out.push(
    `| its share of BullMQ keys (${jobs.keys} keys, ${kib(jobs.bytes)}; jobs kept: ` +
      `${jobCounts.map((c) => `${c.completed ?? 0} completed, ${c.failed ?? 0} failed`).join(' / ')}) | ${kib(jobs.bytes / present)} |`,
  );
  out.push(
    `| all keys (${all.keys}), MEMORY USAGE sum / ${present} hotfixes present | ${kib(all.bytes / present)} |`,
  );
  if (succeeded !== expectedSteps) out.push('', `WARNING: ${succeeded} of ${expectedSteps} steps seen`);
  process.stdout.write(`${out.join('\n')}\n`);
});
