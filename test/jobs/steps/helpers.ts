import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Step } from '../../../src/config/schema.ts';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import type { Masker } from '../../../src/jobs/steps/mask.ts';
import type { StepContext } from '../../../src/jobs/steps/types.ts';
import { templateVars } from '../../../src/jobs/steps/vars.ts';

export const plan = {
  issueId: 'INC-42',
  version: '1.0; rm -rf /',
  previousVersion: '0.9 $(touch /tmp/pwned)',
  summary: 'Fix "double" charge & refunds',
  severity: 'critical' as const,
};

export const vars = templateVars({
  hotfixId: 'HF-7',
  hotfixUrl: 'https://chat.example.com/HF-7',
  plan,
  service: 'payments-api',
  runId: 'deploy-1',
  runKind: 'deploy',
  stepName: 'Code deployment',
  attempt: 2,
});

/** A step context whose sleep records the delays asked for and returns at once. */
export const testContext = (
  overrides: Partial<StepContext> = {},
): StepContext & { readonly sleeps: number[] } => {
  const sleeps: number[] = [];
  return {
    vars,
    attempt: 2,
    signal: new AbortController().signal,
    masker: createMasker({ values: [], patterns: [] }),
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    defaults: { runTimeoutMs: 60_000, httpTimeoutMs: 60_000, killGraceMs: 2_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
    sleeps,
  };
};

export const noMasking: Masker = createMasker({ values: [], patterns: [] });

type Common = Pick<Step, 'name' | 'attempts' | 'roles' | 'tags'> &
  Partial<Pick<Step, 'timeout' | 'interval' | 'backoff'>>;
const common = (name: string): Common => ({ name, attempts: 1, roles: [], tags: [] });

export type RunStep = Extract<Step, { kind: 'run' }>;
export type HttpStep = Extract<Step, { kind: 'http' }>;
export type CheckStep = Extract<Step, { kind: 'check' }>;

/** A run step of a script in test/fixtures/scripts, run from test/fixtures like a config's ./scripts/…. */
export const runStepOf = (run: string[], more: Partial<RunStep> = {}): RunStep => ({
  kind: 'run',
  ...common('Run it'),
  run,
  cwd: 'test/fixtures',
  env: {},
  secret_env: [],
  ...more,
});

export const httpStepOf = (
  http: Partial<HttpStep['http']> & { url: string },
  more: Partial<HttpStep> = {},
): HttpStep => ({
  kind: 'http',
  ...common('Notify'),
  http: { method: 'POST', headers: {}, ...http },
  ...more,
});

export const probeOf = (probe: Partial<CheckProbeInput> & { url: string }): CheckStep['check'] => ({
  method: 'GET',
  headers: {},
  attempts: 1,
  interval: 5_000,
  ...probe,
  expect: { json: [], ...probe.expect },
});
type CheckProbeInput = Omit<CheckStep['check'], 'expect'> & { expect: Partial<CheckStep['check']['expect']> };

export const checkStepOf = (
  probe: Partial<CheckProbeInput> & { url: string },
  more: Partial<CheckStep> = {},
): CheckStep => ({ kind: 'check', ...common('System check'), check: probeOf(probe), ...more });

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: Received, response: ServerResponse) => void;

/** A local HTTP server on 127.0.0.1 recording every request; `handle` answers (200 "ok" by default). */
export const startServer = async () => {
  const received: Received[] = [];
  const state: { handle: Handler } = { handle: (_, res) => res.end('ok') };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      state.handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    answer(handle: Handler) {
      state.handle = handle;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/** Alive means running: a zombie nobody has reaped yet (PID 1 in some containers never does) is dead. */
export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/stat')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};
