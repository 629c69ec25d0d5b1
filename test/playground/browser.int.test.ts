import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOW_RECORD } from '../../src/bot/teams/cards/record.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

/**
 * The playground in a real browser: `hotfix playground --live` (the real bot, pipelines and workers against
 * the in-process Slack stand-in; --live because the config is a copy, not the bundled file, and its example
 * scripts should run), opened at the URL it prints (with its token) and driven through the page in Debian's
 * headless Chromium as the people of the bundled playground config would, from `/hotfix start` to the
 * deployment record.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLED_CONFIG = join(ROOT, 'examples/playground/hotfix.yml');
/** Debian's package (`.ci/run` installs it); Playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output/playground');

const PEOPLE = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dave: 'U0DAVE', erin: 'U0ERIN' } as const;
type Name = keyof typeof PEOPLE;

/** Generous: the test shares two CPUs with the rest of the suite. */
const STEP_MS = 20_000;
const PIPELINE_MS = 40_000;

const freePort = async (): Promise<number> => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
};

/**
 * The bundled playground config with short waits, its health checks pointed at `port` (hotfix only does that
 * itself for the bundled file, not for HOTFIX_CONFIG). Each replacement must apply: if the bundled config
 * changes, this says so instead of running with 90-second windows.
 */
const shortConfig = (text: string, port: number): string => {
  const replacements: [string | RegExp, string][] = [
    ['http://127.0.0.1:3000/', `http://127.0.0.1:${port}/`],
    [/^ {2}verification_period: 90s$/m, '  verification_period: 3s'],
    [/^( +)every: 15s$/gm, '$1every: 1s'],
  ];
  return replacements.reduce((out, [from, to]) => {
    const next = typeof from === 'string' ? out.replaceAll(from, to) : out.replace(from, to);
    if (next === out) throw new Error(`the bundled playground config has no ${String(from)} any more`);
    return next;
  }, text);
};

interface Served {
  readonly child: ChildProcess;
  /** The URL the playground printed, with its per-start token. */
  readonly url: string;
  /** What the process printed (pino's lines and the playground banner), for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/** `hotfix playground --live` (from its sources) from the repository root, ready once it printed its URL. */
const startPlayground = async (env: NodeJS.ProcessEnv, port: number): Promise<Served> => {
  const child = spawn(process.execPath, [...HOTFIX_CLI, 'playground', '--live'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit');
  const printed = () => /open (http:\/\/\S+)/.exec(output)?.[1];
  const served = {
    child,
    output: () => output,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = performance.now() + STEP_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hotfix playground exited (${child.exitCode}):\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    const url = printed();
    if (ready && url !== undefined) return { ...served, url };
    if (performance.now() > deadline) {
      await served.stop();
      throw new Error(`hotfix playground did not get ready on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const redisServer = useRedisServer();
let dir = '';
let served: Served | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  dir = await mkdtemp(join(tmpdir(), 'hotfix-browser-'));
  await mkdir(OUTPUT, { recursive: true });
  await rm(join(OUTPUT, 'failure.png'), { force: true });
  const port = await freePort();
  const config = join(dir, 'hotfix.yml');
  await writeFile(config, shortConfig(await readFile(BUNDLED_CONFIG, 'utf8'), port));
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SLACK_|HOTFIX_|Microsoft)/.test(name)),
  );
  served = await startPlayground(
    {
      ...env,
      PORT: String(port),
      REDIS_URL: redisServer().url,
      HOTFIX_REDIS_PREFIX: uniquePrefix('browser'),
      HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
      HOTFIX_CONFIG: config,
      HOTFIX_SHUTDOWN_GRACE: '2s',
      LOG_LEVEL: process.env.TEST_LOG ?? 'warn',
    },
    port,
  );
  expect(served.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/playground\\?token=[\\w-]{22,}$`));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 45_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 30_000);

/** The page as one window would use it: who acts is switched with the page's own people buttons. */
const playground = (page: Page, issue = 'INC-7') => {
  const card = page
    .locator('#channel > article.msg:not(.ephemeral)')
    .filter({ has: page.locator('[data-block="hotfix_header"]', { hasText: issue }) });
  const header = card.locator('[data-block="hotfix_header"]');
  const thread = card.locator('details.thread');
  const ephemerals = page.locator('#channel article.ephemeral');
  return {
    card,
    header,
    thread,
    ephemerals,
    /** Waits until the card's header names the phase (the notifier edits it at most once a second). */
    phase: (name: string, timeout = STEP_MS) => header.filter({ hasText: name }).waitFor({ timeout }),
    async actAs(name: Name) {
      await page.locator(`#people [data-as="${PEOPLE[name]}"]`).click();
      // The switcher, the channel and the modal are swapped in together: pressed means the page is theirs.
      await page.locator(`#people [data-as="${PEOPLE[name]}"][aria-pressed="true"]`).waitFor();
    },
    async command(text: string) {
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.locator('#composer').getByRole('button', { name: 'Send' }).click();
    },
    /** Clicks a Block Kit button, and answers its confirm dialog when it has one. */
    async press(button: Locator) {
      const confirms = (await button.getAttribute('data-confirm-title')) !== null;
      await button.click();
      if (confirms) {
        const dialog = page.locator('dialog#confirm');
        await dialog.locator('button[value="ok"]').click();
        await dialog.waitFor({ state: 'hidden' });
      }
    },
    async openThread() {
      if ((await thread.getAttribute('open')) === null) await thread.locator(':scope > summary').click();
    },
    /** The card itself (its blocks, not its thread), as a picture. */
    shoot: (name: string) =>
      card.locator(':scope > .msg-body').screenshot({ path: join(OUTPUT, name), animations: 'disabled' }),
  };
};

/**
 * The Teams view of the same page: the hotfix's thread in the Teams channel (its root card, drawn by the
 * adaptivecards renderer, and the replies), the compose box and the dialog.
 */
const teamsView = (page: Page, issue: string) => {
  const thread = page
    .locator('#teams-channel > section.teams-thread')
    .filter({ has: page.locator('article.teams-msg .teams-card', { hasText: issue }) });
  const root = thread.locator('article.teams-msg').first();
  const dialog = page.locator('#teams-dialog [role="dialog"]');
  return {
    thread,
    root,
    replies: thread.locator('.teams-replies > article.teams-msg'),
    dialog,
    /** Waits until the root card's header names the phase (the notifier edits it in place). */
    phase: (name: string, timeout = STEP_MS) =>
      root
        .locator('.teams-card')
        .filter({ hasText: ` · ${name}` })
        .waitFor({ timeout }),
    button: (name: string | RegExp) => root.getByRole('button', { name, exact: typeof name === 'string' }),
    async post(text: string) {
      await page.getByRole('textbox', { name: 'Post in the Teams channel' }).fill(text);
      await page.locator('#teams-composer').getByRole('button', { name: 'Send' }).click();
    },
  };
};

/**
 * Picks options of a chip multi-select (the playground draws multi-selects as Slack does): each one from the
 * dropdown of those not picked yet, which adds its chip. No list box, no Ctrl-click.
 */
const pick = async (form: Locator, blockId: string, ...values: string[]): Promise<Locator> => {
  const multi = form.locator(`.bk-multi[data-block-id="${blockId}"]`);
  for (const value of values) {
    await multi.locator('select.bk-multi-add').selectOption(value);
    await multi.locator(`.bk-chip[data-value="${value}"]`).waitFor();
  }
  return multi;
};

/** The labels of a chip multi-select's chips, in the order picked. */
const chips = (multi: Locator) => multi.locator('.bk-chip > span').allInnerTexts();

/** What went wrong on the page itself: script errors, failed loads, and API calls the playground refused. */
const watch = (page: Page): string[] => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.url().includes('/playground/api/') && response.status() !== 200)
      problems.push(`${response.request().method()} ${response.url()} → ${response.status()}`);
  });
  return problems;
};

describe('the playground in a headless Chromium', () => {
  it('runs a hotfix from the composer to the deployment record, acting as five people', async () => {
    if (browser === undefined) throw new Error('no browser');
    const started = performance.now();
    const timings: string[] = [];
    const mark = (what: string) =>
      timings.push(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${what}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    const problems = watch(page);
    const pg = playground(page);

    try {
      // Alice opens the URL the playground printed (its token becomes a cookie) and starts a hotfix.
      await page.goto(`${served?.url ?? ''}&as=${PEOPLE.alice}`);
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      await page.locator(`#people [data-as="${PEOPLE.alice}"][aria-pressed="true"]`).waitFor();
      await pg.command('/hotfix start INC-7');
      const modal = page.locator('#modal form.modal[data-callback-id="hotfix_plan"]');
      await modal.waitFor();
      mark('plan modal open');
      expect(await modal.locator('[data-block-id="plan_issue_id"]').inputValue()).toBe('INC-7');
      await modal.locator('[data-block-id="plan_version"]').fill('2.4.1');
      await modal.locator('[data-block-id="plan_summary"]').fill('Fix the checkout total rounding');
      await modal.locator('[data-block-id="plan_severity"]').selectOption('high');
      // The essentials come first; the rest is optional, behind a note that says so.
      const note = modal.locator('.bk-context', { hasText: 'Everything below is optional' });
      expect(await note.innerText()).toContain('/hotfix edit');
      const services = await pick(modal, 'plan_services', 'payments-api');
      expect(await chips(services)).toEqual(['payments-api']);
      // The picked service leaves the dropdown, which is back at its placeholder.
      const addService = services.locator('select.bk-multi-add');
      expect(await addService.inputValue()).toBe('');
      expect(await addService.locator('option[value="payments-api"]').getAttribute('hidden')).not.toBeNull();
      await modal.locator('[data-block-id="plan_previous_version"]').fill('2.4.0');
      await modal.locator('[data-block-id="plan_code_changes"]').fill('PR #981 rounding fix');
      // People: pick two, then take one back with the keyboard (Enter on its ×); focus stays in the picker.
      const technical = await pick(modal, 'plan_res_technical', PEOPLE.alice, PEOPLE.bob);
      expect(await chips(technical)).toEqual(['alice', 'bob']);
      await technical.getByRole('button', { name: 'Remove alice' }).focus();
      await page.keyboard.press('Enter');
      await technical.locator(`.bk-chip[data-value="${PEOPLE.alice}"]`).waitFor({ state: 'detached' });
      expect(await chips(technical)).toEqual(['bob']);
      expect(await technical.locator('.bk-chip-remove:focus').getAttribute('aria-label')).toBe('Remove bob');
      expect(await technical.locator(`option[value="${PEOPLE.alice}"]`).getAttribute('hidden')).toBeNull();
      await pick(modal, 'plan_res_support', PEOPLE.dave);
      // The whole form in one picture: a window tall enough that the modal does not scroll.
      await page.setViewportSize({ width: 1280, height: 3000 });
      await modal.screenshot({ path: join(OUTPUT, '0-plan-form.png'), animations: 'disabled' });
      await page.setViewportSize({ width: 1280, height: 1000 });
      await modal.getByRole('button', { name: 'Start' }).click();
      await page.locator('#modal').waitFor({ state: 'hidden' });
      await pg.card.waitFor();
      const hotfixId = /HF-\d+/.exec(await pg.header.innerText())?.[0] ?? '';
      expect(hotfixId).toMatch(/^HF-\d+$/);
      await expect.poll(() => pg.header.innerText(), { timeout: STEP_MS }).toContain('Planning');
      mark(`${hotfixId} card posted`);

      // The automatic checks tick two items; wait for them, so a tick from the card as first posted does
      // not send a selection without them (the app reads a selection as the whole checklist).
      const readiness = pg.card.locator('[data-block="hotfix_readiness"]');
      await readiness.filter({ hasText: 'Readiness 2/5' }).waitFor();
      let ticked = 2;
      for (const item of ['Code review complete', 'Documentation ready', 'Support coverage']) {
        await pg.card.locator('label.bk-option', { hasText: item }).getByRole('checkbox').check();
        ticked += 1;
        await readiness.filter({ hasText: `Readiness ${ticked}/5` }).waitFor();
      }
      mark('checklists complete');

      // Alice wrote the plan: her approval is refused, privately.
      const approveTechnical = pg.card.getByRole('button', { name: 'Approve as Technical' });
      const approveManagement = pg.card.getByRole('button', { name: 'Approve as Management' });
      const refusal = pg.ephemerals.filter({ hasText: 'You wrote this plan' });
      await pg.press(approveTechnical);
      await refusal.waitFor();
      expect(await refusal.innerText()).toContain('Nothing was changed');
      expect(await refusal.locator('.only-you').count()).toBe(1);

      await pg.actAs('bob');
      expect(await refusal.count()).toBe(0);
      await pg.press(approveTechnical);
      await pg.actAs('erin');
      expect(await refusal.count()).toBe(0);
      await pg.press(approveManagement);
      const approvals = pg.card.locator('[data-block="hotfix_approvals"]');
      await approvals.filter({ hasText: 'approved' }).waitFor();
      expect(await approvals.innerText()).toMatch(/Technical 1\/1 — @bob[\s\S]*Management 1\/1 — @erin/);
      mark('approved by bob and erin');
      const deploy = pg.card.locator('button[data-action-id="hotfix_deploy"]');
      await deploy.waitFor();
      await pg.shoot('1-planned.png');

      // Alice deploys (the button asks first); the card follows the run.
      await pg.actAs('alice');
      await pg.press(deploy);
      await pg.phase('Deploying');
      await pg.shoot('2-deploying.png');
      mark('deploying');

      // The manual step waits in the thread for business or support: Carol confirms it.
      await pg.actAs('carol');
      await pg.openThread();
      const prompt = pg.thread
        .locator('article.msg')
        .filter({ hasText: 'User validation' })
        .filter({ has: page.locator('[data-action-id="hotfix_step_confirm"]') });
      await prompt.waitFor({ timeout: PIPELINE_MS });
      mark('manual step waiting');
      // The card links to the prompt: followed, the link stays on the page, opens the thread and shows it.
      await pg.thread.locator(':scope > summary').click();
      const promptLink = pg.card.locator(':scope > .msg-body a[data-permalink-ts]', {
        hasText: 'open the prompt',
      });
      await promptLink.waitFor();
      await pg.shoot('2b-prompt-linked.png');
      const address = page.url();
      await promptLink.click();
      await expect.poll(() => pg.thread.getAttribute('open'), { timeout: STEP_MS }).not.toBeNull();
      await expect.poll(() => prompt.getAttribute('class'), { timeout: STEP_MS }).toContain('linked');
      expect(page.url()).toBe(address);
      await pg.press(prompt.getByRole('button', { name: 'Confirm' }));

      // Verification passes, the 3-second monitoring window closes clean: verified, sign-offs offered.
      await pg.phase('Verified', PIPELINE_MS);
      mark('verified (monitoring window closed)');
      // A quiet thread: stages, gates, the prompt (edited to say who confirmed) and monitoring; the steps
      // themselves are on the card.
      const thread = (await pg.thread.innerText()).toLowerCase();
      for (const line of [
        'preparation stage passed',
        'deployment gate passed',
        'confirmed',
        'started monitoring',
      ])
        expect(thread).toContain(line);
      for (const line of ['started preparation step', 'code deployment” (payments-api) succeeded'])
        expect(thread).not.toContain(line);
      expect(await pg.card.locator(':scope > .msg-body').innerText()).toContain('Code deployment');

      // Sign-offs: technical, business and support (the config's policy.signoffs).
      const signOff = (role: string) => pg.card.getByRole('button', { name: `Sign off as ${role}` });
      await pg.press(signOff('Business'));
      await signOff('Business').waitFor({ state: 'detached' });
      await pg.actAs('dave');
      await pg.press(signOff('Support'));
      await signOff('Support').waitFor({ state: 'detached' });
      await pg.actAs('bob');
      await pg.press(signOff('Technical'));
      const close = pg.card.getByRole('button', { name: /Close hotfix/ });
      await close.waitFor();
      mark('signed off by carol, dave and bob');
      await pg.press(close);
      await pg.phase('Closed');
      mark('closed');

      // The record: a file in the thread (its link works), and /hotfix record as an ephemeral.
      await pg.openThread();
      const file = pg.thread.locator('ul.files a', { hasText: 'deployment record' });
      await file.waitFor();
      await pg.shoot('3-closed.png');
      // The whole hotfix (six steps and a manual one) in at most 15 thread messages, the record included.
      const posts = await pg.thread.locator('article.msg').count();
      mark(`${posts} thread messages`);
      expect(posts).toBeLessThanOrEqual(15);
      // The whole thread in one picture.
      await page.setViewportSize({ width: 1280, height: 3000 });
      await pg.thread.screenshot({ path: join(OUTPUT, '3b-thread.png'), animations: 'disabled' });
      await page.setViewportSize({ width: 1280, height: 1000 });
      const href = (await file.getAttribute('href')) ?? '';
      const markdown = await (await fetch(href)).text();
      expect(markdown).toContain('# Deployment Documentation');
      expect(markdown).toContain(`Hotfix \`${hotfixId}\``);
      // The people picked through the chips reached the plan.
      expect(markdown).toMatch(/Technical: [^\n]*(bob|U0BOB)/);
      expect(markdown).toMatch(/Support: [^\n]*(dave|U0DAVE)/);

      await pg.command(`/hotfix record ${hotfixId}`);
      const record = pg.ephemerals.filter({ hasText: `Deployment record · ${hotfixId}` });
      await record.waitFor();
      await record.screenshot({ path: join(OUTPUT, '4-record.png'), animations: 'disabled' });
      const shown = await record.innerText();
      for (const line of [
        'Fix the checkout total rounding',
        '✅ Deployed',
        '✅ Technical: bob',
        '✅ Business: carol',
        '✅ Support: dave',
        'hash chain verified',
      ])
        expect(shown).toContain(line);
      mark('record shown');
      expect(problems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(OUTPUT, 'failure.png'), fullPage: true }).catch(() => undefined);
      console.error(
        `browser test failed after:\n${timings.join('\n')}\npage problems: ${problems.join('; ') || 'none'}\n` +
          `hotfix playground said:\n${served?.output().slice(-4000) ?? ''}`,
      );
      throw error;
    } finally {
      await writeFile(join(OUTPUT, 'timings.txt'), `${timings.join('\n')}\n`);
      await context.close();
    }
  }, 90_000);
  it('plays one hotfix from both views: started in Slack, approved in Teams and in Slack, a self-approval across platforms refused, a Teams dialog with a field error, @hotfix in a Teams thread, a rollback vote and sign-offs from both', async () => {
    if (browser === undefined) throw new Error('no browser');
    const started = performance.now();
    const timings: string[] = [];
    const mark = (what: string) =>
      timings.push(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${what}`);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    const problems = watch(page);
    const slack = playground(page, 'INC-8');
    const teams = teamsView(page, 'INC-8');
    /** Both views side by side, each as a picture of its own. */
    const shootBoth = async (name: string) => {
      await page.locator('.slack-view').screenshot({ path: join(OUTPUT, `${name}-slack.png`) });
      await page.locator('#teams').screenshot({ path: join(OUTPUT, `${name}-teams.png`) });
    };

    try {
      // Alice starts the hotfix in Slack; the notifier opens its thread in both incident channels.
      await page.goto(`${served?.url ?? ''}&as=${PEOPLE.alice}`);
      await page.locator(`#people [data-as="${PEOPLE.alice}"][aria-pressed="true"]`).waitFor();
      await page.locator('#teams-channel').waitFor();
      await slack.command('/hotfix start INC-8');
      const modal = page.locator('#modal form.modal[data-callback-id="hotfix_plan"]');
      await modal.waitFor();
      await modal.locator('[data-block-id="plan_version"]').fill('2.5.1');
      await modal.locator('[data-block-id="plan_previous_version"]').fill('2.5.0');
      // fail-verify: the example scripts fail the Function test, so a rollback vote opens.
      await modal.locator('[data-block-id="plan_summary"]').fill('Round refund totals fail-verify');
      await modal.locator('[data-block-id="plan_severity"]').selectOption('high');
      await pick(modal, 'plan_services', 'payments-api');
      await modal.getByRole('button', { name: 'Start' }).click();
      await page.locator('#modal').waitFor({ state: 'hidden' });
      await slack.card.waitFor();
      const hotfixId = /HF-\d+/.exec(await slack.header.innerText())?.[0] ?? '';
      expect(hotfixId).toMatch(/^HF-\d+$/);
      await teams.phase('Planning');
      expect(await teams.root.locator('.teams-card').innerText()).toContain(hotfixId);
      mark(`${hotfixId} started in Slack, its card in both channels`);

      // A Teams dialog: Alice edits the plan with a malformed verification period; the app keeps the dialog
      // open with the error under that field, and nothing changes.
      await teams.button('Edit plan…').click();
      await teams.dialog.waitFor();
      const period = teams.dialog.getByLabel('Verification period');
      await period.fill('soon');
      await teams.dialog.getByRole('button', { name: 'Save plan' }).click();
      const fieldError = teams.dialog.getByText(/⚠️ Expected/);
      await fieldError.waitFor();
      expect(await teams.dialog.getByLabel('Verification period').inputValue()).toBe('soon');
      await fieldError.scrollIntoViewIfNeeded();
      await teams.dialog.screenshot({ path: join(OUTPUT, 'both-1-teams-dialog-error.png') });
      await teams.dialog.locator('[data-teams-close]').click();
      await teams.dialog.waitFor({ state: 'detached' });
      mark('Teams dialog: field error shown, closed');

      // The checklists: two items ticked in Teams (each click answers with the card for Alice), one in Slack.
      const readiness = slack.card.locator('[data-block="hotfix_readiness"]');
      await readiness.filter({ hasText: 'Readiness 2/5' }).waitFor();
      for (const [item, done] of [
        ['Code review complete', 3],
        ['Documentation ready', 4],
      ] as const) {
        await teams.root
          .locator('.ac-columnSet')
          .filter({ hasText: `⬜ ${item}` })
          .last()
          .getByRole('button', { name: 'Tick' })
          .click();
        await teams.root.locator('.teams-card', { hasText: `☑️ ${item}` }).waitFor();
        await readiness.filter({ hasText: `Readiness ${done}/5` }).waitFor();
      }
      await slack.card
        .locator('label.bk-option', { hasText: 'Support coverage' })
        .getByRole('checkbox')
        .check();
      await readiness.filter({ hasText: 'Readiness 5/5' }).waitFor();
      mark('checklists ticked from both views');

      // Alice wrote the plan in Slack: her approval from Teams is refused, on the card answered to her alone.
      const approvals = slack.card.locator('[data-block="hotfix_approvals"]');
      await teams.button('Approve as Technical').click();
      const refused = teams.root.filter({ has: page.locator('.only-you') });
      await refused.filter({ hasText: 'You wrote this plan' }).waitFor();
      expect(await refused.innerText()).toContain('Nothing was changed');
      expect(await approvals.innerText()).toMatch(/Technical 0\/1/);
      mark('self-approval from Teams refused');

      // Bob approves in Teams, Erin in Slack.
      await slack.actAs('bob');
      expect(await teams.root.locator('.only-you').count()).toBe(0);
      await teams.button('Approve as Technical').click();
      await approvals.filter({ hasText: /Technical 1\/1/ }).waitFor();
      await slack.actAs('erin');
      await slack.press(slack.card.getByRole('button', { name: 'Approve as Management' }));
      await approvals.filter({ hasText: 'approved' }).waitFor();
      mark('approved by bob in Teams and erin in Slack');

      // Bob asks the bot in the hotfix's Teams thread: Teams has no ephemeral, the answer is addressed to him there.
      await slack.actAs('bob');
      await teams.thread.locator('[data-teams-reply]').click();
      await teams.post('@hotfix status HF-999');
      await teams.replies.filter({ hasText: 'bob — 🔎 There is no hotfix HF-999' }).waitFor();
      mark('@hotfix in the Teams thread, answered there by name');

      // Alice deploys from Teams; the Function test fails and a rollback vote opens in both threads.
      await slack.actAs('alice');
      // Teams has no confirmation on a button: the card shows one below it (an Action.ShowCard).
      await teams.button('🚀 Deploy…').click();
      await teams.button('Deploy').click();
      await slack.phase('Deploying');
      mark('deploying');
      await slack.openThread();
      const slackVote = slack.thread.getByRole('button', { name: 'For rollback' }).first();
      await slackVote.waitFor({ timeout: PIPELINE_MS });
      const teamsVote = teams.thread.getByRole('button', { name: 'For rollback' }).last();
      await teamsVote.waitFor();
      mark('rollback vote open');
      // The Teams card links to the vote: followed, the view shows that reply rather than leaving the page.
      const voteLink = teams.root.locator('a[data-teams-message]', { hasText: 'vote in the thread' });
      await voteLink.waitFor();
      const address = page.url();
      await voteLink.click();
      await teams.thread.locator('article.teams-msg.linked', { hasText: 'Rollback vote' }).waitFor();
      expect(page.url()).toBe(address);

      // Bob votes in Teams, Erin (management, whom the vote requires) in Slack: the rollback runs.
      await slack.actAs('bob');
      await teams.thread.getByRole('button', { name: 'For rollback' }).last().click();
      await slack.actAs('erin');
      await slack.openThread();
      await slack.press(slack.thread.getByRole('button', { name: 'For rollback' }).first());
      await slack.phase('Rolled back', PIPELINE_MS);
      await teams.phase('Rolled back');
      mark('rolled back after ballots from both views');

      // Sign-offs: Carol in Teams, Dave and Bob in Slack; Alice closes from Teams.
      await slack.actAs('carol');
      await teams.button('Sign off as Business').click();
      const signOff = (role: string) => slack.card.getByRole('button', { name: `Sign off as ${role}` });
      await signOff('Business').waitFor({ state: 'detached' });
      await slack.actAs('dave');
      await slack.press(signOff('Support'));
      await signOff('Support').waitFor({ state: 'detached' });
      await slack.actAs('bob');
      await slack.press(signOff('Technical'));
      await slack.actAs('alice');
      // Close asks first, as Deploy does: the ShowCard says how the hotfix ends, its button closes it.
      await teams.button('🏁 Close hotfix…').click();
      await teams.button('Close').click();
      await slack.phase('Closed');
      await teams.phase('Closed');
      mark('signed off from both views, closed');
      await slack.openThread();
      // The Teams view redraws its thread as the last replies arrive: scroll once the root holds still.
      for (let tries = 1; ; tries++) {
        try {
          await teams.root.scrollIntoViewIfNeeded({ timeout: 2_000 });
          break;
        } catch (error) {
          if (tries >= 5) throw error;
        }
      }
      await shootBoth('both-2-closed');
      // The Teams record is one reply: its summary, and the whole Markdown record behind a button.
      const teamsRecord = teams.replies.filter({ hasText: `Deployment record · ` });
      await teamsRecord.getByRole('button', { name: SHOW_RECORD }).click();
      await teamsRecord.getByText('Deployment Documentation').waitFor();
      mark('the whole record shown in Teams');
      expect(problems).toEqual([]);
    } catch (error) {
      await page
        .screenshot({ path: join(OUTPUT, 'both-failure.png'), fullPage: true })
        .catch(() => undefined);
      console.error(
        `browser test (both views) failed after:\n${timings.join('\n')}\npage problems: ${problems.join('; ') || 'none'}\n` +
          `hotfix playground said:\n${served?.output().slice(-4000) ?? ''}`,
      );
      throw error;
    } finally {
      await writeFile(join(OUTPUT, 'both-timings.txt'), `${timings.join('\n')}\n`);
      await context.close();
    }
  }, 150_000);
});
