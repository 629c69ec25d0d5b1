/**
 * Runs N whole hotfixes against a running `hotfix serve`, for `startup.ts`: started, approved, checklists ticked,
 * deployed (serve's workers run the pipelines), verified, signed off and closed, `--concurrency` at a time.
 * It loads the product from `--root` (a checkout of any revision: the bench's "before" is a git worktree), so
 * the events it writes are the ones that revision's serve reads.
 *
 *   node --import tsx bench/startup-driver.ts --root DIR --config FILE --count 100 [--concurrency 10]
 *
 * REDIS_URL, HOTFIX_REDIS_PREFIX and HOTFIX_AUDIT_KEY come from the environment, as serve's do. Prints one JSON
 * line: `{ "closed": N, "ms": … }`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values: args } = parseArgs({
  options: {
    root: { type: 'string' },
    config: { type: 'string' },
    count: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '10' },
  },
});
if (!args.root || !args.config) throw new Error('--root and --config are required');
const root = args.root;
const load = (path: string) => import(pathToFileURL(join(root, 'src', path)).href);

// The product's own modules, from the revision under test (their APIs are the same in every revision benched).
const { readEnv } = await load('config/env.ts');
const { parseConfig } = await load('config/load.ts');
const { createEngine } = await load('main/engine.ts');

const configText = await readFile(args.config, 'utf8');
const parsed = parseConfig(configText, args.config);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const env = readEnv(process.env);
const engine = await createEngine({
  env,
  config: parsed.config,
  policy: parsed.policy,
  processEnv: process.env,
  log: pino({ level: 'warn' }),
});

const person = (id: string) => ({ platform: 'slack', id });
const tech1 = person('U0TECH1');
const tech2 = person('U0TECH2');
const manager = person('U0MGR1');
const services = Object.keys(parsed.config.services);

/** One hotfix from start to close; the pipeline runs in serve's workers. */
const wholeHotfix = async (i: number, service: string): Promise<void> => {
  const plan = {
    issueId: `BENCH-${i}`,
    version: '1.0.1',
    previousVersion: '1.0.0',
    summary: 'Startup bench hotfix',
    severity: 'high',
    services: [service],
    changes: { code: ['pr/1'], database: [], config: [] },
    dependencies: { systems: [], services: [], databases: [], external: [] },
    timeline: {},
    resources: { technical: [], support: [], business: [], management: [] },
  };
  const { handler } = engine;
  const { hotfixId, state } = await handler.start(plan, tech1);
  const planHash = state.planHash;
  await handler.handle(hotfixId, { type: 'ApprovePlan', role: 'technical', planHash, by: tech2 });
  await handler.handle(hotfixId, { type: 'ApprovePlan', role: 'management', planHash, by: manager });
  for (const [checklist, item] of [
    ['code_readiness', 'Tests passed'],
    ['environment_readiness', 'Tool access'],
  ])
    await handler.handle(hotfixId, { type: 'TickChecklistItem', checklist, item, by: tech1 });
  await handler.handle(hotfixId, { type: 'RequestDeploy', planHash, by: tech1 });
  for (;;) {
    const now = await handler.state(hotfixId);
    if (now.phase === 'verified') break;
    if (!['deploy_requested', 'deploying', 'monitoring'].includes(now.phase))
      throw new Error(`${hotfixId} ended up ${now.phase}`);
    await sleep(100);
  }
  await handler.handle(hotfixId, { type: 'SignOff', role: 'technical', by: tech2 });
  await handler.handle(hotfixId, { type: 'CloseHotfix', by: tech1 });
};

const started = performance.now();
const count = Number(args.count);
let next = 0;
let closed = 0;
// One service per lane: hotfixes of one lane deploy one after the other, so none is refused the deploy lock.
const lanes = Math.min(Number(args.concurrency), services.length);
await Promise.all(
  Array.from({ length: lanes }, async (_, lane) => {
    while (next < count) {
      await wholeHotfix(next++, services[lane] ?? '');
      closed++;
    }
  }),
);
await engine.close();
process.stdout.write(`${JSON.stringify({ closed, ms: Math.round(performance.now() - started) })}\n`);
