/**
 * Start-up and memory (issue 14), before and after, side by side in one run:
 *
 *   node --import tsx bench/startup.ts [--before 550fe5c] [--runs 5] [--hotfixes 100]
 *
 * "before" is a git worktree of `--before` (node_modules linked to this checkout's), run as its bin/hotfix.js ran
 * it; "after" is this checkout's bin/hotfix.js. Alternating before/after, `--runs` times each:
 * - `hotfix --help`: wall time from spawn to exit;
 * - `hotfix serve` (Slack over HTTP against the Slack stand-in in a process of its own, a private redis-server,
 *   a key prefix per run): wall time from spawn to the first 200 from /readyz, then its RSS (VmRSS of the serve
 *   process, all threads) and that of its whole process tree after 3 s idle;
 * - in the last run of each: `--hotfixes` whole hotfixes (bench/startup-driver.ts, loading that revision's
 *   product: start, approvals, ticks, deploy run by serve's workers, verified, sign-off, close), then serve's
 *   RSS once its notifier has gone quiet.
 * Prints Markdown tables for bench/RESULTS.md.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startRedisServer, TEST_AUDIT_KEY } from '../test/helpers/redis.ts';
import { Cleanup, machineFacts, ms, runBench, serviceBlocksOf, stats } from './lib.ts';
import { BOT_TOKEN, freePort, INCIDENTS, SIGNING_SECRET, slackWorkspace } from './slack-lib.ts';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string', default: '550fe5c' },
    runs: { type: 'string', default: '5' },
    hotfixes: { type: 'string', default: '100' },
    // Another entry to run as "after" (an experiment), instead of this checkout's bin/hotfix.js.
    'after-bin': { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const HOTFIXES = Number(args.hotfixes);
const HERE = join(import.meta.dirname, '..');
const cleanup = new Cleanup(600_000 + RUNS * 120_000);

const MIB = 1024 * 1024;

/** Resident memory of one process (bytes), all its threads. */
const rssOf = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) * 1024 : 0;
};

/** Resident memory of `pid` and every process below it. */
const treeRssOf = (pid: number): number => {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parents)
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
  }
  let total = 0;
  for (const member of tree) {
    try {
      total += rssOf(member);
    } catch {
      // gone meanwhile
    }
  }
  return total;
};

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

const readyz = (port: number) =>
  new Promise<number>((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });

interface Variant {
  readonly name: 'before' | 'after';
  /** The checkout whose bin/hotfix.js runs. */
  readonly root: string;
  readonly bin?: string | undefined;
}

const config = [
  'timezone: UTC',
  'slack:',
  `  incident_channel: ${INCIDENTS}`,
  // A channel per hotfix: the stand-in's per-channel rate limit then never queues one hotfix behind another.
  '  channel_per_hotfix: true',
  'people:',
  '  technical: { slack: [U0TECH1, U0TECH2] }',
  '  management: { slack: [U0MGR1] }',
  'policy:',
  '  approvals: { technical: 1, management: 1 }',
  '  signoffs: [technical]',
  '  verification_period: 1ms',
  '  rollback:',
  '    on_failure: off',
  'checklists:',
  '  code_readiness: [Tests passed]',
  '  environment_readiness: [Tool access]',
  'services:',
  ...serviceBlocksOf(10, 3),
  '',
].join('\n');

await runBench(cleanup, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-bench-startup-'));
  cleanup.dir(dir);
  const beforeRoot = join(dir, 'before');
  execFileSync('git', ['-C', HERE, 'worktree', 'add', '--detach', '--quiet', beforeRoot, args.before]);
  cleanup.add('remove the before worktree', () => {
    execFileSync('git', ['-C', HERE, 'worktree', 'remove', '--force', beforeRoot]);
  });
  symlinkSync(join(HERE, 'node_modules'), join(beforeRoot, 'node_modules'));
  const variants: Variant[] = [
    { name: 'before', root: beforeRoot },
    { name: 'after', root: HERE, bin: args['after-bin'] },
  ];
  const configFile = join(dir, 'hotfix.yml');
  await writeFile(configFile, config);

  const redisServer = await startRedisServer();
  cleanup.add('stop redis-server', () => redisServer.stop());
  const facts = await machineFacts(redisServer.connect());

  const standIn = fork(
    join(import.meta.dirname, 'slack-stand-in-host.ts'),
    [JSON.stringify({ workspace: slackWorkspace(), botToken: BOT_TOKEN })],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  cleanup.child('slack stand-in', standIn);
  const standInUrl = await new Promise<string>((resolve) =>
    standIn.on('message', (m: { ready?: string }) => m.ready && resolve(m.ready)),
  );
  const standInCalls = () =>
    new Promise<number>((resolve) => {
      const id = Math.random();
      const answer = (m: { id?: number; calls?: Record<string, number> }) => {
        if (m.id !== id) return;
        standIn.off('message', answer);
        if (process.env.BENCH_DEBUG) process.stderr.write(`${JSON.stringify(m.calls)}\n`);
        resolve(Object.values(m.calls ?? {}).reduce((a, b) => a + b, 0));
      };
      standIn.on('message', answer);
      standIn.send({ id, op: 'calls' });
    });

  const results = new Map<string, number[]>();
  const record = (variant: Variant, what: string, value: number) => {
    const key = `${variant.name} ${what}`;
    results.set(key, [...(results.get(key) ?? []), value]);
  };

  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 === 1 ? variants : [...variants].reverse();
    for (const variant of order) {
      const bin = variant.bin ?? join(variant.root, 'bin', 'hotfix.js');
      // --help
      const helpStart = performance.now();
      const help = spawn(process.execPath, [bin, '--help'], { stdio: 'ignore', cwd: variant.root });
      if ((await exited(help)) !== 0) throw new Error(`${variant.name}: hotfix --help failed`);
      record(variant, 'help', performance.now() - helpStart);

      // serve: time to ready, idle RSS
      const port = await freePort();
      const env = {
        ...process.env,
        PORT: String(port),
        REDIS_URL: redisServer.url,
        HOTFIX_REDIS_PREFIX: `bench-startup-${variant.name}-${run}:`,
        HOTFIX_CONFIG: configFile,
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standInUrl,
        LOG_LEVEL: 'warn',
      };
      const serveStart = performance.now();
      const serve = spawn(process.execPath, [bin, 'serve'], {
        env,
        cwd: variant.root,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      cleanup.child(`${variant.name} serve ${run}`, serve);
      const gone = exited(serve);
      for (;;) {
        if (serve.exitCode !== null) throw new Error(`${variant.name}: serve exited ${serve.exitCode}`);
        if ((await readyz(port)) === 200) break;
        await sleep(10);
      }
      record(variant, 'ready', performance.now() - serveStart);
      await sleep(3000);
      const pid = serve.pid ?? 0;
      record(variant, 'rss idle', rssOf(pid));
      record(variant, 'tree rss idle', treeRssOf(pid));

      if (run === RUNS) {
        const driver = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            join(import.meta.dirname, 'startup-driver.ts'),
            '--root',
            variant.root,
            '--config',
            configFile,
            '--count',
            String(HOTFIXES),
          ],
          { env, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        driver.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        if ((await exited(driver)) !== 0) throw new Error(`${variant.name}: the driver failed`);
        const driven = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { closed: number; ms: number };
        process.stderr.write(
          `${variant.name}: ${driven.closed} hotfixes closed in ${driven.ms} ms; waiting for the notifier\n`,
        );
        const drained = performance.now();
        // Until the notifier has posted everything: the stand-in's call count stands still for 3 s.
        for (let last = -1, now = await standInCalls(); now !== last;) {
          await sleep(3000);
          last = now;
          now = await standInCalls();
        }
        process.stderr.write(
          `${variant.name}: notifier quiet after ${Math.round(performance.now() - drained)} ms\n`,
        );
        record(variant, `rss after ${driven.closed} hotfixes`, rssOf(pid));
        record(variant, `tree rss after ${driven.closed} hotfixes`, treeRssOf(pid));
        record(variant, 'driver s', driven.ms / 1000);
      }
      serve.kill('SIGTERM');
      await gone;
    }
  }

  const row = (what: string, unit: 'ms' | 'MiB' | 's') => {
    const show = (name: string) => {
      const samples = results.get(`${name} ${what}`) ?? [];
      if (samples.length === 0) return '—';
      const scaled = samples.map((v) => (unit === 'MiB' ? v / MIB : v));
      const s = stats(scaled);
      return samples.length === 1
        ? ms(scaled[0] ?? 0, 1)
        : `${ms(s.p50, 1)} (${ms(s.min, 1)}–${ms(s.max, 1)})`;
    };
    return `| ${what} (${unit}) | ${show('before')} | ${show('after')} |`;
  };
  const lines = [
    `## startup (${new Date().toISOString()})`,
    '',
    `${facts.node}, ${facts.cpu}, load average at start ${facts.load}; before = \`${args.before}\`, after = this checkout; ${RUNS} runs each, alternating; median (min–max)`,
    '',
    '| measure | before | after |',
    '|---|---|---|',
    row('help', 'ms'),
    row('ready', 'ms'),
    row('rss idle', 'MiB'),
    row('tree rss idle', 'MiB'),
    row(`rss after ${HOTFIXES} hotfixes`, 'MiB'),
    row(`tree rss after ${HOTFIXES} hotfixes`, 'MiB'),
    row('driver s', 's'),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
