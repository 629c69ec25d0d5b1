/**
 * Slack ack latency (issue 4): how fast `hotfix serve` answers Slack's HTTP requests, next to a bare Bolt app.
 *
 *   node --import tsx bench/slack-ack.ts [--requests 200] [--rounds 5] [--concurrency 20]
 *                                        [--server-node-arg=--cpu-prof …]
 *
 * Processes: a private redis-server; the Slack stand-in (bench/slack-stand-in-host.ts) as SLACK_API_URL;
 * ours, the real `node bin/hotfix.js serve` (its main thread acks; its app thread runs the Bolt app, the
 * workers and the notifier on the global feed); the baseline, bench/bare-bolt.ts (`new App({ token, signingSecret,
 * clientOptions: { slackApiUrl } })`, listeners that only ack). This process only sends requests.
 *
 * Before measuring, real hotfixes are created through the command handler (createEngine on the same Redis) and
 * their cards posted by ours' notifier. Three payload kinds, each signed as Slack signs it (v0 HMAC-SHA256),
 * each with a fresh trigger_id:
 * - `/hotfix start` (slash command; ours acks, then opens the plan modal with views.open);
 * - a tick on a card's code_readiness checkboxes (block_actions; ours acks, then ticks or unticks the item:
 *   request j goes to hotfix j mod 100 of the tick pool, alternately ticking and unticking it);
 * - an Approve click for the technical role (block_actions button `hotfix_approve`; ours acks, then records
 *   the approval: request j goes to hotfix j mod P of the approval pool, by approver ⌊j / P⌋, so every click
 *   is a new approval, never a repeat).
 * The bare app gets the same payloads. Each block is `--requests` requests of one kind to one app from
 * `--concurrency` clients (closed loop, keep-alive); measured: request written → response read. Blocks
 * alternate between the apps (ABBA order across rounds), after one warm-up round; after each of ours' blocks the
 * bench waits until its follow-up work (commands, notifier, Web API calls) is done, so the next block of
 * either app starts on a quiet machine.
 */
import type { ChildProcess } from 'node:child_process';
import { fork, spawn, spawnSync } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readEnv } from '../src/config/env.ts';
import { parseConfig } from '../src/config/load.ts';
import type { HotfixState } from '../src/domain/hotfix/state.ts';
import { createEngine } from '../src/main/engine.ts';
import type { ResponseUrlContext } from '../src/slack-stand-in/index.ts';
import { storeKeys } from '../src/store/keys.ts';
import { TEST_AUDIT_KEY, startRedisServer } from '../test/helpers/redis.ts';
import type { Stats } from './lib.ts';
import { Cleanup, machineFacts, ms, planFor, runBench, serviceName, stats } from './lib.ts';
import type { CardMessage, Target } from './slack-lib.ts';
import {
  APPROVERS,
  approveButton,
  blockActionsBody,
  BOT_TOKEN,
  cardMessage,
  checklistElement,
  freePort,
  INCIDENTS,
  newTriggerId,
  post,
  REQUESTER,
  SIGNING_SECRET,
  signedHeaders,
  slackBenchConfig,
  slackWorkspace,
  slashCommandBody,
  target,
} from './slack-lib.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '20' },
    rate: { type: 'string', default: '0' },
    kinds: { type: 'string', default: 'command,tick,approve' },
    'server-node-arg': { type: 'string', multiple: true, default: [] },
    'stand-in-node-arg': { type: 'string', multiple: true, default: [] },
    // `one`: `hotfix serve` with workers and notifier in-process (the default deployment);
    // `split`: `hotfix serve --no-worker --no-notifier` answering Slack, and one `hotfix worker` doing the rest.
    topology: { type: 'string', default: 'one' },
    // CPU priority (nice) for the processes that are not the app under measurement: the Slack stand-in (Slack's
    // servers, which in production do not share our cores) and, in the split topology, `hotfix worker`.
    'nice-stand-in': { type: 'string', default: '0' },
    'nice-worker': { type: 'string', default: '0' },
    // A machine with a core to spare for answering Slack (Linux, taskset): each app's main thread, where its
    // HTTP requests are read and acked, on cpu 0; every other thread (the apps' helpers and background threads,
    // the stand-in, Redis, this load generator) on cpu 1.
    pin: { type: 'boolean', default: false },
    // Experiment: ours behind bench/ack-front.ts, which only checks the signature and acks (see that file).
    front: { type: 'boolean', default: false },
  },
});
const SPLIT = args.topology === 'split';
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
/** Requests per second per client; 0: each client sends its next request as soon as the last is answered. */
const RATE = Number(args.rate);
const WARMUP_ROUNDS = 1;
const TICK_POOL = 100;
/** Approval clicks ours gets in all: each (hotfix, approver) pair is used once. */
const APPROVE_POOL = Math.ceil(((ROUNDS + WARMUP_ROUNDS) * REQUESTS) / APPROVERS.length);
const ALL_KINDS = ['command', 'tick', 'approve'] as const;
type Kind = (typeof ALL_KINDS)[number];
const KINDS = ALL_KINDS.filter((kind) => (args.kinds ?? '').split(',').includes(kind));
const KIND_LABEL: Record<Kind, string> = {
  command: '`/hotfix start` (slash command)',
  tick: 'checklist tick (block_actions checkboxes)',
  approve: 'Approve click (block_actions button)',
};

/** A run that hangs is stopped: set-up, then about 10 s per block (a paced block takes 2.2 s, a settle up to 30). */
const DEADLINE_MS = 120_000 + (ROUNDS + WARMUP_ROUNDS) * KINDS.length * 2 * 10_000;
const cleanup = new Cleanup(DEADLINE_MS);

/** The stand-in process: IPC requests answered by id. */
const standInHost = async (dir: string) => {
  const child = fork(
    join(import.meta.dirname, 'slack-stand-in-host.ts'),
    [JSON.stringify({ workspace: slackWorkspace(), botToken: BOT_TOKEN })],
    {
      execArgv: ['--import', 'tsx', ...(args['stand-in-node-arg'] ?? [])],
      stdio: ['ignore', 'ignore', createLog(dir, 'stand-in'), 'ipc'],
    },
  );
  cleanup.child('slack stand-in', child);
  let serial = 0;
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the stand-in exited (${code}) before it listened`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (typeof message.ready === 'string') return resolve(message.ready);
      waiting.get(message.id as number)?.(message);
      waiting.delete(message.id as number);
    });
  });
  const ask = (request: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++serial;
      waiting.set(id, resolve);
      child.send({ id, ...request });
    });
  return {
    url,
    pid: child.pid,
    responseUrls: async (n: number, context: ResponseUrlContext) =>
      (await ask({ op: 'responseUrls', n, context })).urls as string[],
    calls: async () => (await ask({ op: 'calls' })).calls as Record<string, number>,
  };
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
const cpuSeconds = (pid: number | undefined): number => {
  if (pid === undefined) return 0;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
};
const CLOCK_TICKS = 100;

const threadsOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [pid];
  }
};

/** `--pin`: the main thread of `app` (if given) on cpu 0, all its other threads on cpu 1. */
const pinThreads = (pid: number | undefined, { app }: { app: boolean }) => {
  if (pid === undefined) return;
  for (const tid of threadsOf(pid)) {
    const cpu = app && tid === pid ? '0' : '1';
    const done = spawnSync('taskset', ['-p', '-c', cpu, String(tid)], { stdio: 'ignore' });
    if (done.status !== 0) throw new Error(`taskset could not pin thread ${tid} of ${pid}`);
  }
};

/** Lowers the CPU priority of every thread of a process (setpriority is per thread on Linux). */
const renice = (pid: number | undefined, nice: number) => {
  if (pid === undefined || nice === 0) return;
  let tids: number[] = [pid];
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    // not Linux: the main thread only
  }
  for (const tid of tids) setPriority(tid, nice);
};

/** A file for a child's stdout or stderr in the bench's temp dir (read back when something fails). */
const createLog = (dir: string, name: string): number => openSync(join(dir, `${name}.log`), 'w');

const waitForExitOrLine = async (child: ChildProcess, what: string, line: string) => {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) during start`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(line)) resolve();
    });
  });
};

const httpGet = (port: number, path: string) =>
  new Promise<number>((resolve) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });

const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

interface Block {
  readonly samples: number[];
  readonly errors: Map<number, number>;
  readonly elapsedMs: number;
}

/**
 * The requests from CONCURRENCY clients. Closed loop (RATE 0): each client sends its next request as soon as
 * its last is answered. Paced: each client sends one every 1/RATE s (clients staggered evenly), or at once
 * when its last answer came later than that; never more than CONCURRENCY requests in flight either way.
 */
const runBlock = async (to: Target, requests: { body: string }[]): Promise<Block> => {
  const samples: number[] = [];
  const errors = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  const period = RATE > 0 ? 1000 / RATE : 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      let due = started + (period * client) / CONCURRENCY;
      for (;;) {
        if (period > 0) {
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          due = Math.max(due + period, performance.now());
        }
        const request = requests[next++];
        if (request === undefined) return;
        const answer = await post(to, request.body, signedHeaders(request.body));
        samples.push(answer.ms);
        if (answer.status !== 200) errors.set(answer.status, (errors.get(answer.status) ?? 0) + 1);
      }
    }),
  );
  return { samples, errors, elapsedMs: performance.now() - started };
};

await runBench(cleanup, async () => {
  const redisServer = await startRedisServer();
  cleanup.add('stop redis-server', () => redisServer.stop());
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-bench-slack-ack-'));
  cleanup.dir(dir);
  const configFile = join(dir, 'hotfix.yml');
  const configText = slackBenchConfig({ services: 1, steps: 1, channelPerHotfix: false });
  await writeFile(configFile, configText);
  const parsed = parseConfig(configText, configFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const { policy } = parsed;
  const probe = redisServer.connect();
  const facts = await machineFacts(probe);

  const standIn = await standInHost(dir);
  const [oursPort, barePort] = [await freePort(), await freePort()];
  const slackEnv = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.url,
  };
  const oursEnv = {
    ...process.env,
    ...slackEnv,
    PORT: String(oursPort),
    REDIS_URL: redisServer.url,
    HOTFIX_CONFIG: configFile,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    LOG_LEVEL: 'warn',
  };
  const hotfixBin = join(import.meta.dirname, '..', 'bin', 'hotfix.js');
  const ours = spawn(
    process.execPath,
    [
      ...(args['server-node-arg'] ?? []),
      hotfixBin,
      'serve',
      ...(SPLIT ? ['--no-worker', '--no-notifier'] : []),
    ],
    { env: oursEnv, stdio: ['ignore', createLog(dir, 'ours'), createLog(dir, 'ours.err')] },
  );
  // SIGTERM: serve closes its server, the notifier and the workers (and writes a --cpu-prof profile).
  cleanup.child('hotfix serve', ours);
  const worker = SPLIT
    ? spawn(process.execPath, [hotfixBin, 'worker'], {
        env: oursEnv,
        stdio: ['ignore', createLog(dir, 'worker'), createLog(dir, 'worker.err')],
      })
    : undefined;
  if (worker) cleanup.child('hotfix worker', worker);
  const bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-bolt.ts')], {
    env: { ...process.env, ...slackEnv, PORT: String(barePort) },
    stdio: ['ignore', 'pipe', createLog(dir, 'bare.err')],
  });
  cleanup.child('bare Bolt app', bare);
  await waitForExitOrLine(bare, 'the bare Bolt app', 'ready');
  renice(standIn.pid, Number(args['nice-stand-in']));
  renice(worker?.pid, Number(args['nice-worker']));
  const oursUp = performance.now();
  while ((await httpGet(oursPort, '/readyz')) !== 200) {
    if (ours.exitCode !== null || performance.now() - oursUp > 30_000) {
      const log = await readFile(join(dir, 'ours.err.log'), 'utf8').catch(() => '');
      throw new Error(`hotfix serve did not get ready:\n${log.slice(-2000)}`);
    }
    await sleep(50);
  }
  const frontPort = await freePort();
  const front = args.front
    ? spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ack-front.ts')], {
        env: { ...process.env, ...slackEnv, PORT: String(frontPort), BACKEND_PORT: String(oursPort) },
        stdio: ['ignore', 'pipe', createLog(dir, 'front.err')],
      })
    : undefined;
  if (front) {
    cleanup.child('ack front', front);
    await waitForExitOrLine(front, 'the ack front', 'ready');
  }
  if (args.pin) {
    const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    for (const pid of [front ? front.pid : ours.pid, bare.pid]) pinThreads(pid, { app: true });
    for (const pid of [front ? ours.pid : undefined, worker?.pid, standIn.pid, redisPid, process.pid])
      pinThreads(pid, { app: false });
  }

  // Real hotfixes, created as the product does (command handler over the Redis event store).
  const engine = await createEngine({
    env: readEnv({
      REDIS_URL: redisServer.url,
      HOTFIX_CONFIG: configFile,
      HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      LOG_LEVEL: 'silent',
    }),
    config: parsed.config,
    policy,
    processEnv: process.env,
    log: pino({ level: 'silent' }),
  });
  cleanup.add('close the set-up engine', () => engine.close());
  const create = async (n: number): Promise<HotfixState[]> => {
    const states: HotfixState[] = [];
    for (let i = 0; i < n; i++)
      states.push((await engine.handler.start(planFor(serviceName(1)), REQUESTER)).state);
    return states;
  };
  const tickPool = await create(TICK_POOL);
  const approvePool = await create(APPROVE_POOL);
  // Wait for ours' notifier to post every card, and take where each one is.
  const progress = (id: string) => `{hotfix}:notify:slack:progress:${id}`;
  const cards = new Map<string, CardMessage>();
  const setupStarted = performance.now();
  for (const state of [...tickPool, ...approvePool]) {
    for (;;) {
      const ref = await probe.hget(progress(state.id), 'ref');
      if (ref) {
        const where = JSON.parse(ref) as { channel: string; ts: string };
        cards.set(state.id, cardMessage(state, policy, where));
        break;
      }
      if (performance.now() - setupStarted > 60_000) throw new Error(`no card for ${state.id} after 60 s`);
      await sleep(20);
    }
  }
  const cardOf = (state: HotfixState) => cards.get(state.id) as CardMessage;

  const targets: Record<'bare' | 'ours', Target> = {
    bare: target('bare Bolt', barePort, CONCURRENCY),
    ours: target('hotfix serve', front ? frontPort : oursPort, CONCURRENCY),
  };
  type Side = keyof typeof targets;
  const sent: Record<Side, Record<Kind, number>> = {
    bare: { command: 0, tick: 0, approve: 0 },
    ours: { command: 0, tick: 0, approve: 0 },
  };
  const context: ResponseUrlContext = { channel: INCIDENTS, user: REQUESTER.id };

  /** A copy of the card whose checkboxes in `blockId` show `ticked` as ticked. */
  const showingTicked = (card: CardMessage, blockId: string, ticked: readonly unknown[]): CardMessage => ({
    ...card,
    blocks: card.blocks.map((block) =>
      block.block_id === blockId
        ? {
            ...block,
            elements: (block.elements as Record<string, unknown>[]).map((e) =>
              e.type === 'checkboxes' ? { ...e, initial_options: ticked } : e,
            ),
          }
        : block,
    ),
  });

  /** The j-th request of a kind (per app): the same sequence of payloads for both apps. */
  const payload = (kind: Kind, j: number, responseUrl: string): string => {
    const triggerId = newTriggerId();
    if (kind === 'command')
      return slashCommandBody({ user: REQUESTER.id, text: 'start', responseUrl, triggerId });
    if (kind === 'tick') {
      const card = cardOf(tickPool[j % TICK_POOL] as HotfixState);
      const boxes = checklistElement(card, 'code_readiness');
      const ticked = Math.floor(j / TICK_POOL) % 2 === 0;
      return blockActionsBody({
        // The card as Slack shows it by then: an untick is clicked on a card showing the item ticked.
        card: ticked ? card : showingTicked(card, boxes.blockId, boxes.options.slice(0, 1)),
        user: REQUESTER.id,
        responseUrl,
        triggerId,
        action: {
          type: 'checkboxes',
          action_id: boxes.actionId,
          block_id: boxes.blockId,
          selected_options: ticked ? boxes.options.slice(0, 1) : [],
        },
      });
    }
    const card = cardOf(approvePool[j % APPROVE_POOL] as HotfixState);
    const button = approveButton(card, 'technical');
    return blockActionsBody({
      card,
      user: APPROVERS[Math.floor(j / APPROVE_POOL) % APPROVERS.length] as string,
      responseUrl,
      triggerId,
      action: {
        type: 'button',
        action_id: button.actionId,
        block_id: button.blockId,
        value: button.value,
        text: { type: 'plain_text', text: 'Approve (technical)', emoji: true },
      },
    });
  };

  const feedKey = storeKeys('').feed;
  const totalCalls = async () => Object.values(await standIn.calls()).reduce((a, b) => a + b, 0);
  /** Until ours has appended `events` more events and made no Web API call for 1.1 s (card edits wait 1 s). */
  const settle = async (side: Side, feedBefore: number, events: number) => {
    if (side === 'bare') return sleep(200);
    const started = performance.now();
    while ((await probe.xlen(feedKey)) < feedBefore + events && performance.now() - started < 30_000)
      await sleep(20);
    let calls = await totalCalls();
    for (;;) {
      await sleep(1100);
      const now = await totalCalls();
      if (now === calls || performance.now() - started > 30_000) return;
      calls = now;
    }
  };

  // CPU each process spent per block (its requests and, for ours, the follow-up work until settled).
  const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
  const processes = {
    app: { ours: ours.pid, bare: bare.pid },
    worker: { ours: worker?.pid, bare: undefined },
    'stand-in': { ours: standIn.pid, bare: standIn.pid },
    redis: { ours: redisPid, bare: redisPid },
  } as const;
  type ProcessName = keyof typeof processes | 'bench client';
  const cpuNow = (side: Side): Record<ProcessName, number> => ({
    app: cpuSeconds(processes.app[side]),
    worker: cpuSeconds(processes.worker[side]),
    'stand-in': cpuSeconds(processes['stand-in'][side]),
    redis: cpuSeconds(processes.redis[side]),
    'bench client': (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const cpuSpent: Record<Side, Record<Kind, Map<ProcessName, number>>> = {
    bare: { command: new Map(), tick: new Map(), approve: new Map() },
    ours: { command: new Map(), tick: new Map(), approve: new Map() },
  };

  // Redis commands per block, from INFO commandstats (the bench's own polling included: a few per block).
  const redisCommands = async (): Promise<Map<string, number>> =>
    new Map(
      [...(await probe.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(
        ([, command, calls]) => [command ?? '', Number(calls)],
      ),
    );
  const commandsSent: Record<Side, Record<Kind, Map<string, number>>> = {
    bare: { command: new Map(), tick: new Map(), approve: new Map() },
    ours: { command: new Map(), tick: new Map(), approve: new Map() },
  };

  const results: Record<Side, Record<Kind, number[]>> = {
    bare: { command: [], tick: [], approve: [] },
    ours: { command: [], tick: [], approve: [] },
  };
  const perRound: { round: number; kind: Kind; side: Side; s: Stats; rps: number; errors: string }[] = [];
  const benchStarted = performance.now();
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++)
    for (const [k, kind] of KINDS.entries()) {
      const order: Side[] = (round + k) % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
      for (const side of order) {
        const urls = await standIn.responseUrls(REQUESTS, context);
        const requests = urls.map((url) => ({ body: payload(kind, sent[side][kind]++, url) }));
        const feedBefore = await probe.xlen(feedKey);
        const cpuBefore = cpuNow(side);
        const commandsBefore = await redisCommands();
        // Fresh connections per block: a keep-alive socket idle through a settle may be closed by the server
        // (keepAliveTimeout 5 s) just as the client reuses it (ECONNRESET).
        const block = await runBlock(targets[side], requests);
        targets[side].agent.destroy();
        targets[side] = target(targets[side].name, targets[side].port, CONCURRENCY);
        await settle(side, feedBefore, kind === 'command' ? 0 : REQUESTS);
        if (round < WARMUP_ROUNDS) continue;
        const cpuAfter = cpuNow(side);
        const commandsAfter = await redisCommands();
        for (const [command, calls] of commandsAfter) {
          const counted = commandsSent[side][kind];
          counted.set(command, (counted.get(command) ?? 0) + calls - (commandsBefore.get(command) ?? 0));
        }
        for (const name of Object.keys(cpuAfter) as ProcessName[]) {
          const spent = cpuSpent[side][kind];
          spent.set(name, (spent.get(name) ?? 0) + cpuAfter[name] - cpuBefore[name]);
        }
        results[side][kind].push(...block.samples);
        perRound.push({
          round: round - WARMUP_ROUNDS + 1,
          kind,
          side,
          s: stats(block.samples),
          rps: (block.samples.length / block.elapsedMs) * 1000,
          errors: [...block.errors].map(([status, n]) => `${n}×${status}`).join(' '),
        });
      }
    }
  const elapsed = (performance.now() - benchStarted) / 1000;

  // What ours did after its acks: events appended by type, and the Web API calls it made.
  const recorded = new Map<string, number>();
  for (const [, fields] of await probe.xrange(feedKey, '-', '+')) {
    const stored = fields[fields.indexOf('stored') + 1] ?? '{}';
    const type = (JSON.parse(stored) as { event?: { type?: string } }).event?.type ?? '?';
    recorded.set(type, (recorded.get(type) ?? 0) + 1);
  }
  const calls = await standIn.calls();

  const out: string[] = [];
  out.push(`## slack-ack (${facts.date})`, '');
  out.push(
    `node ${facts.node}, redis ${facts.redis}, nproc ${facts.nproc}, ${facts.cpu}, ${facts.memory}, ` +
      `load average at start ${facts.load}`,
  );
  out.push(
    `${ROUNDS} rounds (after ${WARMUP_ROUNDS} warm-up) × ${KINDS.length} kinds × 2 apps, ${REQUESTS} requests per block from ` +
      `${CONCURRENCY} concurrent clients, ${RATE > 0 ? `each sending ${RATE} requests/s (paced)` : 'closed loop (each sends again as soon as answered)'}; measured part took ${elapsed.toFixed(1)} s`,
    '',
    `topology ${args.topology}; stand-in at nice ${args['nice-stand-in']}${SPLIT ? `, worker at nice ${args['nice-worker']}` : ''}; ` +
      (args.pin ? 'pinned: the apps’ main threads on cpu 0, everything else on cpu 1' : 'not pinned') +
      (args.front ? '; ours behind bench/ack-front.ts (an experiment: signature check and ack only)' : ''),
    '',
  );
  out.push(
    '| payload | bare p50 | bare p99 | ours p50 | ours p99 | ratio p50 | ratio p99 | ours p99 < 50 ms | ours p99 ≤ 1.5× bare |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const kind of KINDS) {
    const b = stats(results.bare[kind]);
    const o = stats(results.ours[kind]);
    out.push(
      `| ${KIND_LABEL[kind]} | ${ms(b.p50)} | ${ms(b.p99)} | ${ms(o.p50)} | ${ms(o.p99)} | ` +
        `${(o.p50 / b.p50).toFixed(2)}× | ${(o.p99 / b.p99).toFixed(2)}× | ${o.p99 < 50 ? 'MET' : 'MISSED'} | ` +
        `${o.p99 <= 1.5 * b.p99 ? 'MET' : 'MISSED'} |`,
    );
  }
  // One run's aggregate p99 moves with where the machine's stalls fall; the middle block's p99 moves less.
  const blockP99 = (side: Side, kind: Kind) =>
    stats(perRound.filter((r) => r.side === side && r.kind === kind).map((r) => r.s.p99)).p50;
  out.push(
    '',
    `median over blocks of each block's p99, ours / bare: ${KINDS.map(
      (kind) => `${kind} ${(blockP99('ours', kind) / blockP99('bare', kind)).toFixed(2)}×`,
    ).join(', ')}`,
  );
  out.push(
    '',
    'CPU per request (ms; user + system, from the start of a block until ours settled; bench client includes its own pacing):',
    '',
  );
  const names = Object.keys(cpuNow('ours')) as ProcessName[];
  out.push(
    `| payload | app | ${names.join(' | ')} | all |`,
    `|---|---|${names.map(() => '---').join('|')}|---|`,
  );
  for (const kind of KINDS)
    for (const side of ['bare', 'ours'] as const) {
      const n = results[side][kind].length || 1;
      const spent = names.map((name) => ((cpuSpent[side][kind].get(name) ?? 0) * 1000) / n);
      out.push(
        `| ${kind} | ${side} | ${spent.map((v) => v.toFixed(2)).join(' | ')} | ${spent.reduce((a, b) => a + b, 0).toFixed(2)} |`,
      );
    }
  out.push('', 'Redis commands per request to ours (from the start of a block until settled):', '');
  for (const kind of KINDS) {
    const n = results.ours[kind].length || 1;
    const counted = [...commandsSent.ours[kind]].filter(([, calls]) => calls > 0).sort((a, b) => b[1] - a[1]);
    const total = counted.reduce((sum, [, calls]) => sum + calls, 0);
    out.push(
      `- ${kind}: ${(total / n).toFixed(1)} (${counted.map(([c, calls]) => `${c} ${(calls / n).toFixed(2)}`).join(', ')})`,
    );
  }
  out.push('', 'per block (ms; rps = requests answered per second in the block):', '');
  out.push(
    '| round | payload | app | n | p50 | p90 | p99 | max | rps | non-200 |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of perRound)
    out.push(
      `| ${r.round} | ${r.kind} | ${r.side} | ${r.s.n} | ${ms(r.s.p50)} | ${ms(r.s.p90)} | ${ms(r.s.p99)} | ` +
        `${ms(r.s.max)} | ${r.rps.toFixed(0)} | ${r.errors || '—'} |`,
    );
  out.push(
    '',
    `events ours recorded (incl. set-up): ${[...recorded].map(([t, n]) => `${t} ${n}`).join(', ')}`,
  );
  out.push(
    `Web API calls ours made (method status [error]): ${Object.entries(calls)
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
});
