import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundOptions, RunningPlayground } from '../../src/main/playground.ts';
import { startPlayground } from '../../src/main/playground.ts';
import type { StandInMessage } from '../../src/slack-stand-in/index.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { rawStatusLine } from '../helpers/raw-http.ts';
import { TEST_AUDIT_KEY, freePort, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const redisServer = useRedisServer();
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-playground-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A team's own hotfix.yml: its deploy step would create `marker`. */
const teamConfig = async (name: string, marker: string): Promise<string> => {
  const file = join(dir, `${name}.yml`);
  await writeFile(
    file,
    [
      `people: { technical: { slack: [${ALICE}, ${BOB}] } }`,
      'policy: { approvals: { technical: 1 } }',
      'services:',
      `  api: { deploy: { execution: [{ name: deploy, run: [touch, ${JSON.stringify(marker)}] }] }, rollback: { execution: [{ name: revert, run: ['true'] }] } }`,
    ].join('\n'),
  );
  return file;
};

const started: RunningPlayground[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.close()));
});

/** `hotfix playground` in this process, on a free port, its state (audit key) in the test's directory. */
const playground = async (options: PlaygroundOptions, env: Record<string, string> = {}) => {
  const prefix = uniquePrefix('pg');
  const running = await startPlayground(
    { stateDir: join(dir, 'state'), ...options },
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(await freePort()),
        REDIS_URL: redisServer().url,
        HOTFIX_REDIS_PREFIX: prefix,
        HOTFIX_SHUTDOWN_GRACE: '2s',
        LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
        ...env,
      },
      version: 'test',
      stdout: () => undefined,
      stderr: () => undefined,
      setExitCode: () => undefined,
    },
  );
  started.push(running);
  return { running, prefix };
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with headers fetch would not let us set (Host), to 127.0.0.1 whatever the Host says. */
const send = (
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });

type Block = {
  block_id?: string;
  elements?: { type?: string; action_id?: string; text?: { text?: string } }[];
};

/** Plays a hotfix to its deploy through the stand-in: Alice plans, Bob approves, Alice deploys. */
const deployOnce = async (running: RunningPlayground): Promise<string> => {
  const { standIn, delivery } = running;
  const channel = running.settings.config.slack?.incident_channel ?? '';
  const card = () =>
    standIn
      .messages(channel)
      .find((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && /HF-\d+ ·/.test(m.text));
  const press = async (user: string, label: RegExp) => {
    const { message, blockId, actionId } = await waitFor(`“${label.source}” on the card`, () => {
      const message: StandInMessage | undefined = card();
      for (const block of (message?.blocks ?? []) as unknown as Block[])
        for (const element of block.elements ?? [])
          if (
            message &&
            element.type === 'button' &&
            label.test(element.text?.text ?? '') &&
            element.action_id
          )
            return { message, blockId: block.block_id, actionId: element.action_id };
      return undefined;
    });
    await delivery.act({ user, channel, ts: message.ts, actionId, ...(blockId ? { blockId } : {}) });
  };
  await delivery.command({ user: ALICE, channel, text: 'start INC-1' });
  const modal = await waitFor('the plan form', () => standIn.views.top(ALICE));
  const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
  const answer = await delivery.submitView({
    user: ALICE,
    viewId: modal.view.id,
    values: {
      plan_version: input('2.4.1'),
      plan_previous_version: input('2.4.0'),
      plan_summary: input('Round totals half-up'),
      plan_severity: { value: { type: 'static_select', selected_option: { value: 'high' } } },
      plan_services: { value: { type: 'multi_static_select', selected_options: [{ value: 'api' }] } },
      plan_code_changes: input('PR #1'),
    },
  });
  expect(answer.errors).toBeUndefined();
  const id = /HF-\d+/.exec((await waitFor('the card', card)).text)?.[0] ?? '';
  await press(BOB, /^Approve as Technical$/);
  await press(ALICE, /Deploy/);
  return id;
};

/** The deploy step's recorded outcome, read from the stream under the playground's keys. */
const deployStep = async (running: RunningPlayground, hotfixId: string) => {
  const redis = redisServer().connect();
  try {
    const store = createRedisEventStore({
      redis,
      prefix: running.settings.env.HOTFIX_REDIS_PREFIX,
      auditKey: running.settings.env.HOTFIX_AUDIT_KEY,
    });
    return await waitFor('the deploy step to end', async () => {
      const { events } = await store.load(hotfixId);
      return events.map((e) => e.event).find((e) => e.type === 'StepSucceeded' || e.type === 'StepFailed');
    });
  } finally {
    redis.disconnect();
  }
};

describe('hotfix playground', () => {
  let running: RunningPlayground;
  let origin = '';
  let token = '';
  beforeAll(async () => {
    // A real tenant's Teams credentials in the environment: the playground must not use them.
    ({ running } = await playground(
      {},
      {
        MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
        MicrosoftAppPassword: 'a-real-secret',
        MicrosoftAppTenantId: '66666666-7777-4888-8999-000000000000',
        HOTFIX_TEAMS_SERVICE_URL: 'https://smba.trafficmanager.net/emea/',
      },
    ));
    const url = new URL(running.url);
    origin = url.origin;
    token = url.searchParams.get('token') ?? '';
  }, 60_000);

  it('listens on 127.0.0.1 and prints a URL there with a token of at least 128 random bits', () => {
    expect(running.address).toBe('127.0.0.1');
    expect(origin).toBe(`http://127.0.0.1:${running.port}`);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('answers a request target no URL parser takes with 400 and keeps serving', async () => {
    expect(await rawStatusLine(running.port, 'GET //[ HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  });

  it('keeps its Slack stand-in to loopback names too: a rebound Host or a malformed target gets 400', async () => {
    const standIn = new URL(running.settings.env.SLACK_API_URL ?? '');
    const port = Number(standIn.port);
    expect(await rawStatusLine(port, 'GET /api/auth.test HTTP/1.1', `rebound.attacker.example:${port}`)).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(await rawStatusLine(port, 'GET //[ HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatusLine(port, 'GET /api/auth.test HTTP/1.1')).toBe('HTTP/1.1 200 OK');
  });

  it('refuses a request for another Host (DNS rebinding), even with the token', async () => {
    const answer = await send(running.port, `/playground?token=${token}`, {
      host: `rebound.attacker.example:${running.port}`,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(
      `hotfix playground: refused: Host "rebound.attacker.example:${running.port}" is not this playground's address (127.0.0.1:${running.port})\n`,
    );
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('refuses the page, its state, its stream and its actions without the token', async () => {
    const host = `127.0.0.1:${running.port}`;
    for (const path of ['/playground', '/playground/api/state?as=U0ALICE', '/playground/events', '/']) {
      const answer = await send(running.port, path, { host });
      expect(answer.status, path).toBe(401);
      expect(answer.body).toBe(
        'hotfix playground: open the URL hotfix playground printed at start-up (it carries the access token)\n',
      );
    }
    const act = await send(
      running.port,
      '/playground/api/command',
      { host, 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ as: ALICE, text: '/hotfix start' }),
    );
    expect(act.status).toBe(401);
    const wrong = await send(running.port, '/playground?token=guessed', { host });
    expect(wrong.status).toBe(403);
    expect(running.standIn.messages(running.settings.config.slack?.incident_channel ?? '')).toEqual([]);
  });

  it('lets the printed URL in: a cookie for the page, then the page and its API with it, as localhost too', async () => {
    const first = await send(running.port, `/playground?token=${token}&as=${BOB}`, {
      host: `127.0.0.1:${running.port}`,
    });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`/playground?as=${BOB}`);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const pair = cookie.split(';')[0] ?? '';

    for (const host of [`127.0.0.1:${running.port}`, `localhost:${running.port}`]) {
      const page = await send(running.port, `/playground?as=${BOB}`, { host, cookie: pair });
      expect(page.status).toBe(200);
      expect(page.body).toContain('hotfix playground');
    }
    const state = await send(running.port, '/playground/api/state?as=U0ALICE', {
      host: `localhost:${running.port}`,
      cookie: pair,
      origin: `http://localhost:${running.port}`,
    });
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject({ as: { id: ALICE } });
  });

  it("refuses another site's page, even when the browser sends the cookie along", async () => {
    const first = await send(running.port, `/playground?token=${token}`, {
      host: `127.0.0.1:${running.port}`,
    });
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    const answer = await send(
      running.port,
      '/playground/api/command',
      {
        host: `127.0.0.1:${running.port}`,
        cookie,
        origin: 'https://evil.example',
        'content-type': 'application/json',
      },
      'POST',
      JSON.stringify({ as: ALICE, text: '/hotfix start' }),
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(
      `hotfix playground: refused: a page from "https://evil.example" may not call this playground (http://127.0.0.1:${running.port})\n`,
    );
  });

  it('serves Teams from the same bot against its own Bot Connector stand-in, in the local mode, whatever Teams credentials the environment holds', async () => {
    const { env, config } = running.settings;
    expect(env.MicrosoftAppId).toBeUndefined();
    expect(env.MicrosoftAppPassword).toBeUndefined();
    expect(env.MicrosoftAppTenantId).toBeUndefined();
    expect(env.HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED).toBe(true);
    expect(env.HOTFIX_TEAMS_SERVICE_URL).toBe(running.teams.standIn.serviceUrl);
    expect(new URL(env.HOTFIX_TEAMS_SERVICE_URL).hostname).toBe('127.0.0.1');
    const channel = config.teams?.incident_channel ?? '';
    expect(channel).toMatch(/^19:.+@thread\.tacv2$/);
    const [someone] = running.teams.standIn.tenant.users;
    if (someone === undefined) throw new Error('the bundled config gives nobody a Teams id');
    const asked = await running.teams.delivery.mention({ user: someone.aadObjectId, text: 'help', channel });
    expect(asked.status).toBe(200);
    const answer = await waitFor('the answer to @hotfix help in its thread', () =>
      running.teams.standIn.thread(channel, String(asked.activity.id)).find((a) => a.author === 'bot'),
    );
    expect(JSON.stringify(answer.activity)).toContain('@hotfix');
  });

  it("keeps the app's Teams endpoint behind the playground's token: only its own delivery reaches it", async () => {
    const host = `127.0.0.1:${running.port}`;
    const channel = running.settings.config.teams?.incident_channel ?? '';
    const [someone] = running.teams.standIn.tenant.users;
    const activity = JSON.stringify({
      type: 'message',
      id: '1',
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/evil/',
      from: { id: '29:1x', aadObjectId: someone?.aadObjectId },
      recipient: { id: '28:bot' },
      conversation: { id: channel, conversationType: 'channel' },
      text: '<at>hotfix</at> start INC-666',
    });
    const json = { host, 'content-type': 'application/json' };
    const without = await send(running.port, '/api/messages', json, 'POST', activity);
    expect(without.status).toBe(401);
    const guessed = await send(running.port, '/api/messages?token=guessed', json, 'POST', activity);
    expect(guessed.status).toBe(403);
    const fromAPage = await send(
      running.port,
      `/api/messages?token=${token}`,
      { ...json, origin: 'https://evil.example' },
      'POST',
      activity,
    );
    expect(fromAPage.status).toBe(403);
    const viewAct = await send(
      running.port,
      '/playground/api/teams/send',
      json,
      'POST',
      JSON.stringify({ as: ALICE, text: '@hotfix start INC-666' }),
    );
    expect(viewAct.status).toBe(401);
    expect(
      running.teams.standIn.activities(channel).filter((a) => JSON.stringify(a.activity).includes('INC-666')),
    ).toEqual([]);
  });

  it('keeps /healthz open, and its Slack endpoint takes only signed deliveries', async () => {
    const host = `127.0.0.1:${running.port}`;
    expect((await send(running.port, '/healthz', { host })).status).toBe(200);
    const forged = await send(
      running.port,
      '/slack/events',
      { host, 'content-type': 'application/x-www-form-urlencoded' },
      'POST',
      'command=%2Fhotfix&text=start&user_id=U0ALICE',
    );
    expect(forged.status).toBe(401);
  });
});

describe('hotfix playground with a team’s own hotfix.yml', () => {
  it('shows its run steps instead of running them, and keeps its keys under hotfix-playground:', async () => {
    const marker = join(dir, 'dry-deployed');
    const { running, prefix } = await playground({}, { HOTFIX_CONFIG: await teamConfig('dry', marker) });
    expect(running.dryRun).toBe(true);

    const step = await deployStep(running, await deployOnce(running));

    // Recorded as a dry run, so no record can claim the step ran.
    expect(step).toMatchObject({ type: 'StepSucceeded', dryRun: true });
    expect(step && 'output' in step ? step.output : '').toContain(
      `dry run: not executed\nwould run: "touch" ${JSON.stringify(marker)}`,
    );
    expect(existsSync(marker)).toBe(false);
    // The thread shows it too, under the step's line.
    const shown = JSON.stringify(`would run: "touch" ${JSON.stringify(marker)}`).slice(1, -1);
    const channel = running.settings.config.slack?.incident_channel ?? '';
    await waitFor('the dry run in the thread', () =>
      running.standIn.messages(channel).some((m) => JSON.stringify(m.blocks ?? []).includes(shown)),
    );
    // The suite's private redis-server holds nothing but what its playgrounds wrote.
    const keys = await redisServer().connect().keys('*');
    expect(keys.filter((key) => key.startsWith(`hotfix-playground:${prefix}`)).length).toBeGreaterThan(0);
    expect(keys.filter((key) => !key.startsWith('hotfix-playground:'))).toEqual([]);
  }, 90_000);

  it('runs them with --live', async () => {
    const marker = join(dir, 'live-deployed');
    const { running } = await playground({ live: true }, { HOTFIX_CONFIG: await teamConfig('live', marker) });
    expect(running.dryRun).toBe(false);

    const step = await deployStep(running, await deployOnce(running));

    expect(step).toMatchObject({ type: 'StepSucceeded' });
    expect(step).not.toHaveProperty('dryRun');
    expect(existsSync(marker)).toBe(true);
  }, 90_000);
});

describe("the playground's audit key", () => {
  it('is made once, readable by its owner only, kept outside Redis and used again on the next start', async () => {
    const stateDir = join(dir, 'own-state');
    const first = await playground({ stateDir });
    const file = join(stateDir, 'audit-key');
    const key = (await readFile(file, 'utf8')).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.running.settings.env.HOTFIX_AUDIT_KEY).toBe(key);

    const second = await playground({ stateDir });
    expect(second.running.settings.env.HOTFIX_AUDIT_KEY).toBe(key);
    expect(await readFile(file, 'utf8')).toBe(`${key}\n`);
  }, 60_000);
});

describe('hotfix playground on the command line', () => {
  const cli = (args: readonly string[], env: Record<string, string>) => {
    const child = spawn(process.execPath, [...HOTFIX_CLI, 'playground', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: redisServer().url,
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        LOG_LEVEL: 'warn',
        ...env,
      },
      // Its .hotfix/ (the state file the record command reads) goes in the test's directory.
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return { child, stdout: () => stdout, stderr: () => stderr };
  };

  it('says it runs a team config dry, and warns when --host puts it beyond loopback, whose Host it then holds to', async () => {
    const port = await freePort();
    const config = await teamConfig('cli', join(dir, 'cli-deployed'));
    const run = cli(['--host', '127.0.0.2'], { PORT: String(port), HOTFIX_CONFIG: config });
    try {
      await waitFor('the banner', () => run.stdout().includes('open http'), 30_000);
      const url = /open (\S+)/.exec(run.stdout())?.[1] ?? '';
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.2:${port}/playground\\?token=`));
      expect(run.stdout()).toContain(
        `dry run: the run and http steps of ${config} are shown, not run; --live runs them`,
      );
      expect(run.stdout()).toContain(
        'warning: listening on 127.0.0.2: anyone who can reach that address and has the URL can act as anyone in the config',
      );
      expect(run.stdout()).toContain(
        'a deployment record, from this directory while the playground runs: npx hotfix record HF-1 --playground\n',
      );
      const answer = await new Promise<number>((resolve, reject) => {
        request(
          {
            host: '127.0.0.2',
            port,
            path: new URL(url).pathname + new URL(url).search,
            headers: { host: `127.0.0.1:${port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end();
      });
      expect(answer).toBe(403);
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    } finally {
      run.child.kill('SIGTERM');
      await once(run.child, 'exit');
    }
    expect(run.child.exitCode).toBe(0);
  }, 60_000);

  it('refuses a wildcard --host with one line', async () => {
    const run = cli(['--host', '0.0.0.0'], {});
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(run.stderr().trim()).toBe(
      "hotfix: --host 0.0.0.0 listens everywhere, but the playground answers only requests for the address it prints: give this machine's address or name instead",
    );
  });
});

describe('hotfix record --playground', () => {
  /** `hotfix <args>` as a person runs it beside the playground: none of its settings in the environment. */
  const hotfix = async (args: readonly string[]) => {
    const child = spawn(process.execPath, [...HOTFIX_CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  };

  it("reads a running playground's hotfix from its private Redis, in its config's time zone, and says when none runs", async () => {
    const stateDir = join(dir, 'record-state');
    const config = join(dir, 'kolkata.yml');
    await writeFile(
      config,
      `timezone: Asia/Kolkata\n${await readFile(await teamConfig('tz', join(dir, 'tz')), 'utf8')}`,
    );
    // Nothing answers at REDIS_URL: the playground starts its private redis-server, on a port of the day.
    const { running } = await playground(
      { stateDir },
      { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, HOTFIX_CONFIG: config, HOTFIX_AUDIT_KEY: '' },
    );
    expect(running.settings.env.REDIS_URL).not.toBe(redisServer().url);
    const id = await deployOnce(running);

    const record = await hotfix(['record', id, '--playground', stateDir]);
    expect(record).toMatchObject({ code: 0, stderr: '' });
    expect(record.stdout).toContain(`Hotfix \`${id}\``);
    expect(record.stdout).toContain('Times are in Asia/Kolkata.');
    expect(record.stdout).toContain('**Issue:** INC-1');
    // Its own audit key, from the state directory: the chain checks as keyed.
    const verify = await hotfix(['verify', id, '--playground', stateDir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('hash chain intact');
    expect(verify.stdout).toContain('keyed with HOTFIX_AUDIT_KEY');

    await running.close();
    started.splice(started.indexOf(running), 1);
    const after = await hotfix(['record', id, '--playground', stateDir]);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe(
      `hotfix: no playground is running here (there is no ${join(stateDir, 'playground.json')}): start it with \`npm start\` (hotfix playground) in the directory you run this from\n`,
    );
  }, 120_000);
});
