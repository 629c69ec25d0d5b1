import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import { runStep } from '../../../src/jobs/steps/run-step.ts';
import type { TestServer } from './helpers.ts';
import { checkStepOf, httpStepOf, runStepOf, startServer, testContext } from './helpers.ts';

let dir = '';
let server: TestServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-dry-run-'));
  server = await startServer();
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a dry run', () => {
  it('shows the rendered argv and working directory of a run step and does not run it; a live run does', async () => {
    const file = join(dir, 'deployed {{plan.issue_id}}');
    const step = runStepOf(['touch', file], { env: { STAGE: 'prod' }, secret_env: ['DEPLOY_TOKEN'] });

    const dry = await runStep(step, testContext({ dryRun: true }));

    const rendered = join(dir, 'deployed INC-42');
    expect(dry).toMatchObject({ ok: true, detail: 'dry run: touch not executed' });
    expect(dry.output).toBe(
      [
        'dry run: not executed',
        `would run: "touch" ${JSON.stringify(rendered)}`,
        `in: ${JSON.stringify(resolve('test/fixtures'))}`,
        "with env: STAGE, DEPLOY_TOKEN (secret, from the worker's environment)",
      ].join('\n'),
    );
    expect(existsSync(rendered)).toBe(false);

    const live = await runStep({ ...step, secret_env: [] }, testContext());
    expect(live).toMatchObject({ ok: true, detail: 'touch exited 0' });
    expect(existsSync(rendered)).toBe(true);
  });

  it('fails a run step whose template cannot be rendered, as a real run would', async () => {
    const outcome = await runStep(runStepOf(['echo', '{{plan.version}}']), {
      ...testContext({ dryRun: true }),
      vars: {} as never,
    });
    expect(outcome).toMatchObject({ ok: false, error: 'no value for template variable "{{plan.version}}"' });
  });

  it('shows the method and URL of an http step, masked, and what would go with them, without sending it', async () => {
    const step = httpStepOf({
      url: server.url('/deploy?token=tok-123456&version={{plan.version}}'),
      headers: { authorization: 'Bearer tok-123456' },
      body: { version: '{{plan.version}}' },
    });
    const masker = createMasker({ values: ['tok-123456'], patterns: [] });

    const outcome = await runStep(step, testContext({ dryRun: true, masker }));

    const url = server.url('/deploy?token=***&version=1.0; rm -rf /');
    expect(outcome).toMatchObject({ ok: true, detail: `dry run: POST ${url} not sent` });
    expect(outcome.output).toBe(
      [
        'dry run: not sent',
        `would send: POST ${JSON.stringify(url)}`,
        'with headers: authorization, content-type (values not shown)',
        'with a body of 27 bytes (not shown)',
      ].join('\n'),
    );
    expect(server.received).toEqual([]);
  });

  it('still runs check steps: they only read', async () => {
    const outcome = await runStep(checkStepOf({ url: server.url('/health') }), testContext({ dryRun: true }));
    expect(outcome.ok).toBe(true);
    expect(server.received.map((r) => r.url)).toEqual(['/health']);
  });
});
