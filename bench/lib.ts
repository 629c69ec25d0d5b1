/**
 * Shared pieces of the pipeline benchmarks: a generated hotfix.yml, a hotfix made ready to deploy through the
 * command handler, a reader of the store's global feed, statistics, machine facts, and clean-up that runs on
 * success, error, Ctrl-C and a hard deadline alike.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Person } from '../src/domain/hotfix/people.ts';
import type { Plan } from '../src/domain/hotfix/plan.ts';
import type { CommandHandler } from '../src/service/handler.ts';
import { storeKeys } from '../src/store/keys.ts';

const slack = (id: string, name: string): Person => ({ platform: 'slack', id, name });

export const team = {
  tech1: slack('U0TECH1', 'Tara'),
  tech2: slack('U0TECH2', 'Theo'),
  manager: slack('U0MGR1', 'Mia'),
};

export const planFor = (service: string): Plan => ({
  issueId: 'BENCH-1',
  version: '1.0.0',
  previousVersion: '0.9.0',
  summary: 'Benchmark hotfix',
  severity: 'high',
  services: [service],
  changes: { code: ['pr/1'], database: [], config: [] },
  dependencies: { systems: [], services: [], databases: [], external: [] },
  timeline: {},
  resources: { technical: [], support: [], business: [], management: [] },
});

export const serviceName = (i: number): string => `svc-${i}`;

/**
 * A hotfix.yml with `services` services (svc-1…svc-N), each deploying `steps` execution steps `run: [true]`,
 * no preparation, verification or monitor (and a one-step rollback the config rules require), and the shortest verification period the schema allows.
 */
/** The `services:` entries of the bench configs: svc-1…svc-N, each `steps` execution steps `run: [true]`. */
export const serviceBlocksOf = (services: number, steps: number): string[] => {
  const stepLines = Array.from({ length: steps }, (_, i) => `          - { name: s${i + 1}, run: ['true'] }`);
  return Array.from({ length: services }, (_, i) =>
    [
      `  ${serviceName(i + 1)}:`,
      '    deploy:',
      '      execution:',
      ...stepLines,
      // Required by the config rules; never runs here (no step fails, on_failure is off).
      '    rollback:',
      "      execution: [{ name: revert, run: ['true'] }]",
    ].join('\n'),
  );
};

export const benchConfig = ({ services, steps }: { services: number; steps: number }): string => {
  const serviceBlocks = serviceBlocksOf(services, steps);
  return [
    'timezone: UTC',
    'people:',
    '  technical: { slack: [U0TECH1, U0TECH2] }',
    '  management: { slack: [U0MGR1] }',
    'policy:',
    '  approvals: { technical: 1, management: 1 }',
    '  signoffs: [technical]',
    // Must be > 0 (schema): 1ms makes the monitoring window close as soon as its timer job runs.
    '  verification_period: 1ms',
    '  rollback:',
    '    on_failure: off',
    'checklists:',
    '  code_readiness: [Tests passed]',
    '  environment_readiness: [Tool access]',
    'services:',
    ...serviceBlocks,
    '',
  ].join('\n');
};

/** Starts a hotfix on `service`, approves it (technical + management) and ticks both checklists. */
export const readyHotfix = async (handler: CommandHandler, service: string): Promise<string> => {
  const { hotfixId, state } = await handler.start(planFor(service), team.tech1);
  const planHash = state.planHash;
  await handler.handle(hotfixId, { type: 'ApprovePlan', role: 'technical', planHash, by: team.tech2 });
  await handler.handle(hotfixId, { type: 'ApprovePlan', role: 'management', planHash, by: team.manager });
  await handler.handle(hotfixId, {
    type: 'TickChecklistItem',
    checklist: 'code_readiness',
    item: 'Tests passed',
    by: team.tech1,
  });
  await handler.handle(hotfixId, {
    type: 'TickChecklistItem',
    checklist: 'environment_readiness',
    item: 'Tool access',
    by: team.tech1,
  });
  return hotfixId;
};

/** One entry of the global feed as the benches need it, with the moment (performance.now) it reached us. */
export interface FeedArrival {
  readonly hotfixId: string;
  readonly type: string;
  readonly arrivedAt: number;
}

interface Waiter {
  readonly match: (entry: FeedArrival) => boolean;
  readonly resolve: (entry: FeedArrival) => void;
  readonly reject: (error: unknown) => void;
}

/** Hands arriving feed entries to whoever waits for them. */
abstract class FeedReader {
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(entry: FeedArrival) => void>();
  protected running = true;

  protected deliver(entry: FeedArrival): void {
    for (const listener of this.listeners) listener(entry);
    for (const waiter of this.waiters)
      if (waiter.match(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
  }

  /** A failed read ends the tail: every waiter hears of it rather than timing out. */
  protected fail(error: unknown): void {
    this.running = false;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }

  /** Resolves with the first entry (arriving after this call) that matches; rejects after `timeoutMs`. */
  next(what: string, match: (entry: FeedArrival) => boolean, timeoutMs = 30_000): Promise<FeedArrival> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on the feed`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      if (!this.running) waiter.reject(new Error('the feed tail has stopped'));
      else this.waiters.add(waiter);
    });
  }

  /** Called with every entry that arrives from now on. */
  onEntry(listener: (entry: FeedArrival) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The feed entry's hotfix and event type, from an XREAD reply's field list. */
const arrival = (fields: string[], arrivedAt: number): FeedArrival => {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  const stored = JSON.parse(map.get('stored') ?? '{}') as { event?: { type?: string } };
  return { hotfixId: map.get('hotfixId') ?? '', type: stored.event?.type ?? '', arrivedAt };
};

/**
 * Tails the store's global feed with XREAD BLOCK on a connection of its own, so there is always a read
 * outstanding: an entry is seen one Redis notification after the append script wrote it. That delivery hop
 * is included in every latency measured with it (conservative), and so is any wait for this process's event
 * loop (in the latency bench, the workers share it and a `run` step's spawn blocks it).
 */
export class FeedTail extends FeedReader {
  private readonly done: Promise<void>;

  private constructor(
    private readonly redis: Redis,
    private readonly feed: string,
    start: string,
  ) {
    super();
    this.done = this.loop(start).catch((error: unknown) => this.fail(error));
  }

  /** `redis` must be a fresh connection used by nothing else (XREAD BLOCK holds it). */
  static async open(redis: Redis, prefix: string): Promise<FeedTail> {
    const feed = storeKeys(prefix).feed;
    const last = (await redis.xrevrange(feed, '+', '-', 'COUNT', 1))[0];
    return new FeedTail(redis, feed, last?.[0] ?? '0-0');
  }

  private async loop(start: string): Promise<void> {
    let cursor = start;
    while (this.running) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.redis.xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', this.feed, cursor)) as
          [string, [string, string[]][]][] | null;
      } catch (error) {
        if (!this.running) return;
        throw error;
      }
      const arrivedAt = performance.now();
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        cursor = id;
        this.deliver(arrival(fields, arrivedAt));
      }
    }
  }

  async close(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.done;
  }
}

/**
 * The reader of FeedTail run in a worker thread: its event loop is never held up by this process's work
 * (the workers' spawns, their Redis replies), so the moments it sees entries are only the feed's delivery
 * after each append. Arrival times are on this thread's `performance.now()` scale. Plain JavaScript, so
 * the thread needs no TypeScript loader.
 */
const THREAD_READER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Redis } = require('ioredis');
const { url, feed } = workerData;
const redis = new Redis(url);
let running = true;
parentPort.on('message', () => {
  running = false;
  redis.disconnect();
});
(async () => {
  const last = await redis.xrevrange(feed, '+', '-', 'COUNT', 1);
  let cursor = last[0] ? last[0][0] : '0-0';
  parentPort.postMessage({ ready: true });
  while (running) {
    let reply;
    try {
      reply = await redis.xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', feed, cursor);
    } catch (error) {
      if (running) parentPort.postMessage({ error: String(error) });
      return;
    }
    const at = performance.timeOrigin + performance.now();
    const entries = ((reply && reply[0] && reply[0][1]) || []).map(([id, fields]) => {
      cursor = id;
      return { fields, at };
    });
    if (entries.length > 0) parentPort.postMessage({ entries });
  }
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

type ThreadMessage = { ready: true } | { error: string } | { entries: { fields: string[]; at: number }[] };

export class ThreadFeedTail extends FeedReader {
  private constructor(private readonly thread: Worker) {
    super();
    thread.on('message', (message: ThreadMessage) => {
      if ('error' in message) this.fail(new Error(`feed reader thread: ${message.error}`));
      if ('entries' in message)
        for (const { fields, at } of message.entries)
          this.deliver(arrival(fields, at - performance.timeOrigin));
    });
    thread.on('error', (error) => this.fail(error));
  }

  static async open(url: string, prefix: string): Promise<ThreadFeedTail> {
    const thread = new Worker(THREAD_READER, {
      eval: true,
      workerData: { url, feed: storeKeys(prefix).feed },
    });
    const [first] = (await once(thread, 'message')) as [ThreadMessage];
    if (!('ready' in first)) {
      await thread.terminate();
      throw new Error(`feed reader thread: ${'error' in first ? first.error : 'did not start'}`);
    }
    return new ThreadFeedTail(thread);
  }

  async close(): Promise<void> {
    this.running = false;
    this.thread.postMessage('stop');
    await this.thread.terminate();
  }
}

/** Waits until no job of these queues is waiting, active or delayed (bounded). */
export const quiesce = async (queues: readonly Queue[], timeoutMs = 30_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let busy = 0;
    for (const queue of queues) {
      const counts = await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'waiting-children');
      busy += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    if (busy === 0) return;
    if (performance.now() > deadline) throw new Error(`queues still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

export interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentiles (p99 of 200 samples is the 198th smallest). */
export const stats = (samples: readonly number[]): Stats => {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new Error('no samples');
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] ?? NaN;
  return {
    n,
    p50: rank(50),
    p90: rank(90),
    p99: rank(99),
    mean: sorted.reduce((a, b) => a + b, 0) / n,
    min: sorted[0] ?? NaN,
    max: sorted[n - 1] ?? NaN,
  };
};

export const ms = (value: number, digits = 2): string => value.toFixed(digits);

/** Node, Redis, CPU facts for RESULTS.md. */
export const machineFacts = async (redis: Redis): Promise<Record<string, string>> => {
  const info = await redis.info('server');
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  return {
    date: new Date().toISOString(),
    node: process.version,
    redis: `${field('redis_version')} (${field('os')})`,
    nproc: String(availableParallelism()),
    cpu: cpus()[0]?.model ?? '?',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    // Others may share the machine (the repository's test suites): a busy machine shows here.
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
};

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/**
 * Clean-up actions run once, newest first, whether the bench ends normally, throws, is interrupted or hits
 * its deadline. Synchronous leftovers (temp dirs) are also removed from the process 'exit' hook.
 */
export class Cleanup {
  private readonly actions: { what: string; run: () => Promise<void> | void }[] = [];
  private readonly dirs = new Set<string>();
  private readonly children = new Set<ChildProcess>();
  private ran: Promise<void> | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(deadlineMs: number) {
    process.once('exit', () => {
      for (const child of this.children) if (running(child)) child.kill('SIGKILL');
      for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        process.stderr.write(`\n${signal}: cleaning up\n`);
        void this.run().finally(() => process.exit(130));
      });
    this.deadline = setTimeout(() => {
      process.stderr.write(`bench deadline of ${deadlineMs / 1000}s reached: cleaning up\n`);
      void this.run().finally(() => process.exit(2));
    }, deadlineMs);
  }

  add(what: string, run: () => Promise<void> | void): void {
    this.actions.push({ what, run });
  }

  dir(path: string): void {
    this.dirs.add(path);
    this.add(`remove ${path}`, () => {
      rmSync(path, { recursive: true, force: true });
      this.dirs.delete(path);
    });
  }

  /** Stops `child` at clean-up: SIGTERM, then SIGKILL after `graceMs`; SIGKILL if this process exits first. */
  child(what: string, child: ChildProcess, graceMs = 10_000): void {
    this.children.add(child);
    this.add(`stop ${what}`, async () => {
      if (running(child)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      this.children.delete(child);
    });
  }

  run(): Promise<void> {
    clearTimeout(this.deadline);
    this.ran ??= (async () => {
      for (const action of this.actions.reverse()) {
        try {
          await action.run();
        } catch (error) {
          process.stderr.write(`clean-up "${action.what}" failed: ${String(error)}\n`);
        }
      }
    })();
    return this.ran;
  }
}

/** Runs `main`, then the clean-up; exits 1 (after cleaning up) when `main` throws. */
export const runBench = async (cleanup: Cleanup, main: () => Promise<void>): Promise<void> => {
  try {
    await main();
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  } finally {
    await cleanup.run();
  }
};
