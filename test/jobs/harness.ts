import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { readEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import type { Plan } from '../../src/domain/hotfix/plan.ts';
import type { HotfixState, StepState } from '../../src/domain/hotfix/state.ts';
import type { Engine, EngineSettings } from '../../src/main/engine.ts';
import { createEngine } from '../../src/main/engine.ts';
import type { CommandHandler } from '../../src/service/handler.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';
import { TEST_AUDIT_KEY, uniquePrefix } from '../helpers/redis.ts';

const slack = (id: string, name: string): Person => ({ platform: 'slack', id, name });
export const team = {
  tech1: slack('U0TECH1', 'Tara'),
  tech2: slack('U0TECH2', 'Theo'),
  manager: slack('U0MGR1', 'Mia'),
  biz: slack('U0BIZ1', 'Bea'),
};

export const plan: Plan = {
  issueId: 'INC-7',
  version: '1.0; rm -rf /',
  previousVersion: '0.9',
  summary: 'Fix the checkout',
  severity: 'high',
  services: ['api'],
  changes: { code: ['pr/1'], database: [], config: [] },
  dependencies: { systems: [], services: [], databases: [], external: [] },
  timeline: {},
  resources: { technical: [], support: [], business: [], management: [] },
};

/** The pipeline tests' hotfix.yml: every run step logs to $STEP_LOG through step.sh. */
export const pipelineConfig = (healthUrl: string, onFailure = 'execute') => `
timezone: UTC
people:
  technical: { slack: [U0TECH1, U0TECH2] }
  management: { slack: [U0MGR1] }
  business: { slack: [U0BIZ1] }
policy:
  approvals: { technical: 1, management: 1 }
  signoffs: [technical, business]
  verification_period: 3s
  rollback:
    on_failure: ${onFailure}
    vote: { eligible: [technical, management], quorum: 1, require: [], expires_after: 1m }
checklists:
  code_readiness: [Tests passed]
  environment_readiness: [Tool access]
services:
  api:
    deploy:
      preparation:
        - { name: backup, run: [test/fixtures/pipeline/step.sh, backup], secret_env: [STEP_LOG, STEP_FAIL] }
      execution:
        - { name: deploy, run: [test/fixtures/pipeline/step.sh, deploy, '0', '{{plan.version}}'], secret_env: [STEP_LOG, STEP_FAIL] }
        - { name: slow, run: [test/fixtures/pipeline/step.sh, slow, '2'], secret_env: [STEP_LOG, STEP_FAIL] }
        - { name: soak, wait: 1s }
      verification:
        - { name: smoke, run: [test/fixtures/pipeline/step.sh, smoke], secret_env: [STEP_LOG, STEP_FAIL] }
        - { name: confirm, manual: Check a test order, roles: [business] }
    rollback:
      execution:
        - { name: revert, run: [test/fixtures/pipeline/step.sh, revert], secret_env: [STEP_LOG, STEP_FAIL] }
    monitor:
      - { name: health, check: { url: '${healthUrl}' }, every: 1s }
# The plan's version '1.0; rm -rf /' shows templates never reach a shell: let it past the default pattern.
plan_fields: { version: { pattern: '^(?!-)' } }
`;

/** Starts a hotfix on `api`, approves it, ticks its checklists and requests deploy, as a team would. */
export const approveAndDeploy = async (
  h: Pick<CommandHandler, 'start' | 'handle'>,
  requestKey?: string,
): Promise<string> => {
  const { hotfixId, state } = await h.start(plan, team.tech1, requestKey);
  await h.handle(hotfixId, {
    type: 'ApprovePlan',
    role: 'technical',
    planHash: state.planHash,
    by: team.tech2,
  });
  await h.handle(hotfixId, {
    type: 'ApprovePlan',
    role: 'management',
    planHash: state.planHash,
    by: team.manager,
  });
  await h.handle(hotfixId, {
    type: 'TickChecklistItem',
    checklist: 'code_readiness',
    item: 'Tests passed',
    by: team.tech1,
  });
  await h.handle(hotfixId, {
    type: 'TickChecklistItem',
    checklist: 'environment_readiness',
    item: 'Tool access',
    by: team.tech1,
  });
  await h.handle(hotfixId, { type: 'RequestDeploy', by: team.tech1 });
  return hotfixId;
};

import { waitFor } from '../helpers/wait.ts';

export { waitFor };

export interface Harness {
  readonly dir: string;
  readonly stepLog: string;
  readonly failFile: string;
  readonly configFile: string;
  readonly env: Record<string, string>;
  /** The suite's Redis key prefix. */
  readonly prefix: string;
  /** What the health endpoint answers; while `held` is set, it answers only once that settles (a hung probe). */
  readonly health: { status: number; held: Promise<void> | null };
  engine: Engine;
  /** Lines of the step log, e.g. `slow 1 start 1234 1200`. */
  log(): Promise<string[]>;
  approveAndDeploy(): Promise<string>;
  /** Waits until the named step of the hotfix's latest run is running. */
  stepRunning(hotfixId: string, name: string): Promise<StepState>;
  /** Waits for the manual `confirm` step, then confirms (or fails) it as `by`. */
  confirm(hotfixId: string, outcome?: 'confirmed' | 'failed', by?: Person): Promise<void>;
  state(hotfixId: string): Promise<HotfixState>;
  /** A `hotfix worker` process with the same settings. */
  spawnWorker(): ChildProcess;
  close(): Promise<void>;
}

/** An engine (handler, effects, optionally workers) on the suite's Redis, a health server and a step log. */
export const createHarness = async (
  redisUrl: string,
  {
    workers = true,
    onFailure = 'execute',
    config = pipelineConfig,
    env: moreEnv = {},
    wrapStore,
  }: {
    workers?: boolean;
    onFailure?: string;
    /** The hotfix.yml to use instead of pipelineConfig's (given the same arguments). */
    config?: typeof pipelineConfig;
    /** More environment, or other values (HOTFIX_JOB_LOCK…). */
    env?: Readonly<Record<string, string>>;
    /** See EngineSettings.wrapStore. */
    wrapStore?: EngineSettings['wrapStore'];
  } = {},
): Promise<Harness> => {
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-pipeline-'));
  const stepLog = join(dir, 'steps.log');
  const failFile = join(dir, 'fail');
  await writeFile(stepLog, '');
  const health: Harness['health'] = { status: 200, held: null };
  const server: Server = createServer(
    (_req, res) => void Promise.resolve(health.held).then(() => res.writeHead(health.status).end('ok')),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const healthUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const configFile = join(dir, 'hotfix.yml');
  const text = config(healthUrl, onFailure);
  await writeFile(configFile, text);
  const parsed = parseConfig(text, configFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const prefix = uniquePrefix('pipe');
  const env = {
    REDIS_URL: redisUrl,
    HOTFIX_REDIS_PREFIX: prefix,
    HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
    HOTFIX_CONFIG: configFile,
    HOTFIX_JOB_LOCK: '1s',
    HOTFIX_SHUTDOWN_GRACE: '5s',
    HOTFIX_WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'silent',
    STEP_LOG: stepLog,
    STEP_FAIL: failFile,
    ...moreEnv,
  };
  const engine = await createEngine({
    env: readEnv(env),
    config: parsed.config,
    policy: parsed.policy,
    processEnv: { ...process.env, ...env },
    log: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    ...(wrapStore === undefined ? {} : { wrapStore }),
  });
  if (workers) engine.startWorkers();
  const children: ChildProcess[] = [];

  const harness: Harness = {
    dir,
    stepLog,
    failFile,
    configFile,
    env,
    prefix,
    health,
    engine,
    log: async () => (await readFile(stepLog, 'utf8')).split('\n').filter(Boolean),
    state: (hotfixId) => engine.handler.state(hotfixId),
    approveAndDeploy: () => approveAndDeploy(engine.handler),
    stepRunning: (hotfixId, name) =>
      waitFor(
        `${name} to run`,
        async () =>
          (await engine.handler.state(hotfixId)).runs
            .at(-1)
            ?.steps.find((s) => s.name === name && s.status === 'running'),
        30_000,
      ),
    async confirm(hotfixId, outcome = 'confirmed', by = team.biz) {
      const step = await harness.stepRunning(hotfixId, 'confirm');
      const runId = (await engine.handler.state(hotfixId)).runs.at(-1)?.id ?? 'deploy-1';
      await engine.handler.handle(hotfixId, {
        type: 'ConfirmManualStep',
        runId,
        step: step.key,
        outcome,
        by,
      });
    },
    spawnWorker() {
      const child = spawn(process.execPath, [...HOTFIX_CLI, 'worker'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return child;
    },
    async close() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await engine.close();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
};
