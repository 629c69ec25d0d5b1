/**
 * Teams ack latency (issue 12): how fast `hotfix serve` answers Teams' HTTP requests, next to a bare botbuilder
 * CloudAdapter app that only answers.
 *
 *   node --import tsx bench/teams-ack.ts [--requests 200] [--rounds 5] [--concurrency 20] [--rate 5]
 *                                        [--kinds mention,execute] [--pool 40] [--ours-node-arg=--cpu-prof …]
 *
 * Processes (this file, forked with TEAMS_BENCH_ROLE, plays each): a private redis-server; T1's Teams stand-in
 * (Bot Connector + OpenID keys, authenticated); ours, startAppServer with Teams credentials as `hotfix serve`
 * runs it (main thread: token check and ack; app thread: router, notifier, workers) with the stand-in as its
 * OpenID metadata and Bot Connector; the bare app, T1's test bot (a CloudAdapter behind node:http with the same
 * auth config and OpenID stand-in) whose logic answers a message with nothing (200) and an
 * `adaptiveCard/action` with a fixed small card. This process only sends requests.
 *
 * Two kinds of delivery, made by T1's createTeamsDelivery in the stand-in process before each block (token
 * signed there, outside the measured window) and replayed byte for byte:
 * - `mention`: `@hotfix help` as a new post in General (ours acks, then replies in its thread with the help);
 * - `execute`: an `Action.Execute` click on a real hotfix card that ours' notifier posted in the incident
 *   channel: the first checklist toggle (code_readiness item 1). Click j goes to hotfix j mod `--pool`, and its
 *   `ticked` (what the card showed) alternates from click to click on a hotfix, so every click changes state:
 *   Tick, Untick, Tick… Ours answers with the card redrawn after the command (a refusal or repeat would put a
 *   notice on top: counted, and it should be 0). An approve would change state once per approver only.
 * Blocks of `--requests` requests of one kind to one app from `--concurrency` clients, each paced at `--rate`
 * requests/s; measured: request written → response read. Blocks alternate between the apps (ABBA across rounds)
 * after one warm-up round; after ours' blocks the bench waits until its follow-up connector calls are done.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readEnv } from '../src/config/env.ts';
import { parseConfig } from '../src/config/load.ts';
import type { HotfixState } from '../src/domain/hotfix/state.ts';
import { createEngine } from '../src/main/engine.ts';
import { freePort } from '../src/main/local-redis.ts';
import { storeKeys } from '../src/store/keys.ts';
import { TEST_AUDIT_KEY, startRedisServer } from '../test/helpers/redis.ts';
import { Cleanup, machineFacts, ms, planFor, runBench, serviceName } from './lib.ts';
import type { Prepared, Ready, StandInReady, StandInRequest, Target } from './teams-lib.ts';
import {
  postActivity,
  REQUESTER,
  runBare,
  runOurs,
  runStandInHost,
  target,
  teamsBenchConfig,
} from './teams-lib.ts';

const KINDS_ALL = ['mention', 'execute'] as const;
type Kind = (typeof KINDS_ALL)[number];
type Side = 'bare' | 'ours';
const KIND_LABEL: Record<Kind, string> = {
  mention: '`@hotfix help` (message, acked)',
  execute: 'Action.Execute checklist toggle (invoke, answered with the card)',
};

/** Nearest-rank percentile (p99 of 200 samples is the 198th smallest). */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}
const summarize = (samples: readonly number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
};
const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
const cpuSeconds = (pid: number | undefined): number => {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
};

const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

const bench = async () => {
  const { values: args } = parseArgs({
    options: {
      requests: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '20' },
      rate: { type: 'string', default: '5' },
      kinds: { type: 'string', default: KINDS_ALL.join(',') },
      pool: { type: 'string', default: '40' },
      'ours-node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  const REQUESTS = Number(args.requests);
  const ROUNDS = Number(args.rounds);
  const CONCURRENCY = Number(args.concurrency);
  const RATE = Number(args.rate);
  const POOL = Number(args.pool);
  const WARMUP_ROUNDS = 1;
  const KINDS = KINDS_ALL.filter((kind) => (args.kinds ?? '').split(',').includes(kind));
  const cleanup = new Cleanup(150_000 + (ROUNDS + WARMUP_ROUNDS) * KINDS.length * 2 * 15_000);

  await runBench(cleanup, async () => {
    const redisServer = await startRedisServer();
    cleanup.add('stop redis-server', () => redisServer.stop());
    const dir = await mkdtemp(join(tmpdir(), 'hotfix-bench-teams-ack-'));
    cleanup.dir(dir);
    const configFile = join(dir, 'hotfix.yml');
    const configText = teamsBenchConfig();
    await writeFile(configFile, configText);
    const parsed = parseConfig(configText, configFile);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    const probe = redisServer.connect();
    const facts = await machineFacts(probe);
    const log = (name: string) => openSync(join(dir, `${name}.log`), 'w');

    /** This file again, as one of the child processes. */
    const child = (role: string, env: Record<string, string>, nodeArgs: readonly string[] = []) =>
      fork(import.meta.filename, [], {
        execArgv: [...nodeArgs, '--import', 'tsx'],
        env: { ...process.env, ...env, TEAMS_BENCH_ROLE: role },
        stdio: ['ignore', log(role), log(`${role}.err`), 'ipc'],
      });
    /** The child's ready message, or its stderr when it exits first. */
    const started = <T extends Ready>(what: string, proc: ChildProcess) =>
      new Promise<T>((resolve, reject) => {
        proc.once('exit', (code) => {
          void readFile(join(dir, `${what}.err.log`), 'utf8')
            .catch(() => '')
            .then((err) => reject(new Error(`${what} exited (${code}) during start:\n${err.slice(-2000)}`)));
        });
        proc.on('message', (message: T) => {
          if (message.ready) resolve(message);
        });
      });

    // The stand-in: deliveries are prepared there, and both apps read its OpenID keys.
    const standInProc = child('stand-in', {});
    cleanup.child('teams stand-in', standInProc);
    const standIn = await started<StandInReady>('stand-in', standInProc);
    let serial = 0;
    const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
    standInProc.on('message', (message: Record<string, unknown>) => {
      if (typeof message.id !== 'number') return;
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    });
    const ask = async (request: StandInRequest): Promise<Record<string, unknown>> => {
      const reply = await new Promise<Record<string, unknown>>((resolve) => {
        const id = ++serial;
        waiting.set(id, resolve);
        standInProc.send({ id, ...request });
      });
      if (typeof reply.error === 'string') throw new Error(`stand-in: ${reply.error}`);
      return reply;
    };

    const oursProc = child(
      'ours',
      {
        PORT: String(await freePort()),
        REDIS_URL: redisServer.url,
        HOTFIX_CONFIG: configFile,
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        HOTFIX_TEAMS_OPENID_METADATA_URL: standIn.openIdMetadataUrl,
        HOTFIX_TEAMS_SERVICE_URL: standIn.serviceUrl,
      },
      args['ours-node-arg'],
    );
    // SIGTERM: ours closes its server, notifier and workers (and writes a --cpu-prof profile).
    cleanup.child('ours', oursProc);
    const bareProc = child('bare', { TEAMS_OPENID_ORIGIN: standIn.origin });
    cleanup.child('bare app', bareProc);
    const [oursPort, barePort] = (
      await Promise.all([started('ours', oursProc), started('bare', bareProc)])
    ).map((ready) => Number(ready.port));

    // Real hotfixes, created as the product does; ours' notifier posts each card in the incident channel.
    const engine = await createEngine({
      env: readEnv({
        REDIS_URL: redisServer.url,
        HOTFIX_CONFIG: configFile,
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        LOG_LEVEL: 'silent',
      }),
      config: parsed.config,
      policy: parsed.policy,
      processEnv: process.env,
      log: pino({ level: 'silent' }),
    });
    cleanup.add('close the set-up engine', () => engine.close());
    const pool: HotfixState[] = [];
    for (let i = 0; i < POOL; i++)
      pool.push((await engine.handler.start(planFor(serviceName(1)), REQUESTER)).state);
    const setupStarted = performance.now();
    const ids = pool.map((state) => state.id);
    // Ours' outbox keeps Teams' windows (8 per 2 s, 60 per 30 s in one channel): 40 cards take ~10 s.
    while (((await ask({ op: 'cards', hotfixIds: ids })).found as number) < POOL) {
      if (performance.now() - setupStarted > 120_000)
        throw new Error('ours did not post every card in 120 s');
      await sleep(250);
    }
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const sent: Record<Side, Record<Kind, number>> = {
      bare: { mention: 0, execute: 0 },
      ours: { mention: 0, execute: 0 },
    };
    /** The next `n` deliveries of a kind for one app: the same sequence for both. */
    const prepare = async (side: Side, kind: Kind, n: number): Promise<Prepared[]> => {
      const first = sent[side][kind];
      sent[side][kind] += n;
      if (kind === 'mention') return (await ask({ op: 'mentions', n, text: 'help' })).prepared as Prepared[];
      const clicks = Array.from({ length: n }, (_, i) => {
        const j = first + i;
        return { hotfixId: ids[j % POOL] as string, ticked: Math.floor(j / POOL) % 2 === 1 };
      });
      return (await ask({ op: 'clicks', clicks })).prepared as Prepared[];
    };

    interface Block {
      readonly samples: number[];
      readonly errors: Map<number, number>;
      /** Invoke answers that were not a plain card (a notice on top, or no card). */
      readonly notices: number;
    }
    /** CONCURRENCY clients, each sending one request every 1/RATE s (staggered); at once when late. */
    const runBlock = async (to: Target, requests: readonly Prepared[], kind: Kind): Promise<Block> => {
      const samples: number[] = [];
      const errors = new Map<number, number>();
      let notices = 0;
      let next = 0;
      const start = performance.now();
      const period = RATE > 0 ? 1000 / RATE : 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, client) => {
          let due = start + (period * client) / CONCURRENCY;
          for (;;) {
            if (period > 0) {
              const wait = due - performance.now();
              if (wait > 0) await sleep(wait);
              due = Math.max(due + period, performance.now());
            }
            const request = requests[next++];
            if (request === undefined) return;
            const answer = await postActivity(to, request);
            samples.push(answer.ms);
            if (answer.status !== 200) errors.set(answer.status, (errors.get(answer.status) ?? 0) + 1);
            else if (
              kind === 'execute' &&
              (!answer.body.includes('application/vnd.microsoft.card.adaptive') ||
                answer.body.includes('"style":"attention"'))
            )
              notices += 1;
          }
        }),
      );
      return { samples, errors, notices };
    };

    const connectorCalls = async () => (await ask({ op: 'calls' })).total as number;
    /** Until ours' connector calls after a block are done: `expected` more, then none for 1.1 s (capped). */
    const settle = async (side: Side, callsBefore: number, expected: number) => {
      if (side === 'bare') return sleep(200);
      const begun = performance.now();
      while ((await connectorCalls()) < callsBefore + expected && performance.now() - begun < 15_000)
        await sleep(50);
      let calls = await connectorCalls();
      for (;;) {
        await sleep(1100);
        const now = await connectorCalls();
        if (now === calls || performance.now() - begun > 20_000) return;
        calls = now;
      }
    };

    const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    const pids = {
      app: { ours: oursProc.pid, bare: bareProc.pid },
      'stand-in': standInProc.pid,
      redis: redisPid,
    };
    const cpuNow = (side: Side) => ({
      app: cpuSeconds(pids.app[side]),
      'stand-in': cpuSeconds(pids['stand-in']),
      redis: cpuSeconds(pids.redis),
    });
    type ProcessName = keyof ReturnType<typeof cpuNow>;
    const cpuSpent: Record<Side, Record<Kind, Record<ProcessName, number>>> = {
      bare: { mention: { app: 0, 'stand-in': 0, redis: 0 }, execute: { app: 0, 'stand-in': 0, redis: 0 } },
      ours: { mention: { app: 0, 'stand-in': 0, redis: 0 }, execute: { app: 0, 'stand-in': 0, redis: 0 } },
    };

    const targets: Record<Side, Target> = {
      bare: target('bare CloudAdapter', barePort ?? 0, CONCURRENCY),
      ours: target('ours', oursPort ?? 0, CONCURRENCY),
    };
    const results: Record<Side, Record<Kind, number[]>> = {
      bare: { mention: [], execute: [] },
      ours: { mention: [], execute: [] },
    };
    const perBlock: { round: number; kind: Kind; side: Side; s: Summary; errors: string; notices: number }[] =
      [];
    const benchStarted = performance.now();
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++)
      for (const [k, kind] of KINDS.entries()) {
        const order: Side[] = (round + k) % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
        for (const side of order) {
          const requests = await prepare(side, kind, REQUESTS);
          const callsBefore = await connectorCalls();
          const cpuBefore = cpuNow(side);
          const block = await runBlock(targets[side], requests, kind);
          // Fresh connections per block: a keep-alive socket idle through a settle may be closed under the client.
          targets[side].agent.destroy();
          targets[side] = target(targets[side].name, targets[side].port, CONCURRENCY);
          await settle(side, callsBefore, kind === 'mention' ? REQUESTS : 0);
          if (round < WARMUP_ROUNDS) continue;
          const cpuAfter = cpuNow(side);
          for (const name of Object.keys(cpuAfter) as ProcessName[])
            cpuSpent[side][kind][name] += cpuAfter[name] - cpuBefore[name];
          results[side][kind].push(...block.samples);
          perBlock.push({
            round: round - WARMUP_ROUNDS + 1,
            kind,
            side,
            s: summarize(block.samples),
            errors: [...block.errors].map(([status, n]) => `${n}×${status}`).join(' '),
            notices: block.notices,
          });
        }
      }
    const elapsed = (performance.now() - benchStarted) / 1000;

    const recorded = new Map<string, number>();
    for (const [, fields] of await probe.xrange(storeKeys('').feed, '-', '+')) {
      const stored = fields[fields.indexOf('stored') + 1] ?? '{}';
      const type = (JSON.parse(stored) as { event?: { type?: string } }).event?.type ?? '?';
      recorded.set(type, (recorded.get(type) ?? 0) + 1);
    }
    const calls = (await ask({ op: 'calls' })).byKind as Record<string, number>;

    const out: string[] = [];
    out.push(`## teams-ack (${facts.date})`, '');
    out.push(
      `node ${facts.node}, redis ${facts.redis}, nproc ${facts.nproc}, ${facts.cpu}, ${facts.memory}, ` +
        `load average at start ${facts.load}`,
      `${ROUNDS} rounds (after ${WARMUP_ROUNDS} warm-up) × ${KINDS.length} kinds × 2 apps, ${REQUESTS} requests per block ` +
        `from ${CONCURRENCY} clients each sending ${RATE} requests/s; ${POOL} hotfix cards (posted in ` +
        `${setupSeconds.toFixed(1)} s); measured part took ${elapsed.toFixed(1)} s`,
      '',
      '| kind | bare p50 / p95 / p99 | ours p50 / p95 / p99 | ratio p50 / p95 / p99 | ours p99 < 100 ms | ours p99 ≤ 1.5× bare |',
      '|---|---|---|---|---|---|',
    );
    for (const kind of KINDS) {
      const b = summarize(results.bare[kind]);
      const o = summarize(results.ours[kind]);
      out.push(
        `| ${KIND_LABEL[kind]} | ${ms(b.p50)} / ${ms(b.p95)} / ${ms(b.p99)} | ${ms(o.p50)} / ${ms(o.p95)} / ${ms(o.p99)} | ` +
          `${(o.p50 / b.p50).toFixed(2)}× / ${(o.p95 / b.p95).toFixed(2)}× / ${(o.p99 / b.p99).toFixed(2)}× | ` +
          `${o.p99 < 100 ? 'MET' : 'MISSED'} | ${o.p99 <= 1.5 * b.p99 ? 'MET' : 'MISSED'} |`,
      );
    }
    // One run's aggregate p99 moves with where the machine's stalls fall; the middle block's p99 moves less.
    const blockP99 = (side: Side, kind: Kind) =>
      median(perBlock.filter((r) => r.side === side && r.kind === kind).map((r) => r.s.p99));
    out.push(
      '',
      `median over blocks of each block's p99, ours / bare: ${KINDS.map(
        (kind) =>
          `${kind} ${ms(blockP99('ours', kind))} / ${ms(blockP99('bare', kind))} ms = ${(blockP99('ours', kind) / blockP99('bare', kind)).toFixed(2)}×`,
      ).join(', ')}`,
      '',
      'CPU per request (ms; user + system, from the start of a block until ours settled):',
      '',
      '| kind | app | app process | stand-in | redis |',
      '|---|---|---|---|---|',
    );
    for (const kind of KINDS)
      for (const side of ['bare', 'ours'] as const) {
        const n = results[side][kind].length || 1;
        const spent = cpuSpent[side][kind];
        out.push(
          `| ${kind} | ${side} | ${((spent.app * 1000) / n).toFixed(2)} | ${((spent['stand-in'] * 1000) / n).toFixed(2)} | ${((spent.redis * 1000) / n).toFixed(2)} |`,
        );
      }
    out.push(
      '',
      'per block (ms):',
      '',
      '| round | kind | app | n | p50 | p95 | p99 | max | non-200 | notices |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of perBlock)
      out.push(
        `| ${r.round} | ${r.kind} | ${r.side} | ${r.s.n} | ${ms(r.s.p50)} | ${ms(r.s.p95)} | ${ms(r.s.p99)} | ` +
          `${ms(r.s.max)} | ${r.errors || '—'} | ${r.kind === 'execute' ? r.notices : '—'} |`,
      );
    out.push(
      '',
      `events ours recorded (incl. set-up): ${[...recorded].map(([t, n]) => `${t} ${n}`).join(', ')}`,
      `connector calls ours made (method path status: n): ${Object.entries(calls)
        .map(([c, n]) => `${c}: ${n}`)
        .join(', ')}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  });
};

const ROLES: Record<string, () => Promise<void>> = {
  'stand-in': runStandInHost,
  ours: runOurs,
  bare: runBare,
};
await (ROLES[process.env.TEAMS_BENCH_ROLE ?? ''] ?? bench)();
