import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { HotfixEvent, MonitorMeasurement } from '../../src/domain/hotfix/events.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import { deploymentHash } from '../../src/domain/hotfix/plan.ts';
import { buildRecord, renderRecordJson, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import {
  cast,
  deployedHistory,
  paymentsPlan,
  replayStory,
  rolledBackHistory,
  breachedHistory,
} from './fixtures/record-histories.ts';
import { play } from './given.ts';
import { DEPLOY_STEPS, act, cmd, deploying, monitoring } from './scenarios.ts';
import { worker } from './fixtures/policy.ts';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));

/**
 * Compares with the stored golden file; `update` (re)writes it first. A missing file fails: a golden is
 * reviewed when it is written, never made up by the run that checks it.
 */
const checkGolden = (dir: string, name: string, actual: string, update: boolean) => {
  const path = join(dir, name);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path))
    throw new Error(
      `golden file ${name} is missing: run this test with UPDATE_GOLDEN=1 to write it, then review it`,
    );
  expect(actual).toBe(readFileSync(path, 'utf8'));
};

const expectGolden = (name: string, actual: string) =>
  checkGolden(goldenDir, name, actual, process.env.UPDATE_GOLDEN === '1');

const { alice, bob, dana, erin, sam } = cast;
const t = (time: string) => `2025-03-14T${time}.000Z`;
const started: HotfixEvent = {
  type: 'HotfixStarted',
  at: t('09:02:00'),
  by: alice,
  id: 'HF-42',
  plan: paymentsPlan,
  planHash: deploymentHash(paymentsPlan),
  checklists: { code_readiness: ['Code review complete'], environment_readiness: ['Tool access'] },
};

/** The cells of a table row, split on the pipes that are not escaped. */
const cells = (line: string): string[] => {
  const out: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '\\') {
      cell += c + line.charAt(i + 1);
      i++;
    } else if (c === '|') {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return out;
};

/** Every table in the document, as its rows of cells (header and separator first). */
const tables = (markdown: string): string[][][] => {
  const blocks: string[][][] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable) blocks.push([]);
    inTable = true;
    blocks.at(-1)?.push(cells(line));
  }
  return blocks;
};

describe('deployment record goldens', () => {
  it('renders a deployed hotfix', () => {
    const record = buildRecord(deployedHistory, {
      timezone: 'UTC',
      chain: {
        head: '9c1f0b7e52d4a8c3e6f1b2d7a9c4e8f05b3d6a1c7e2f9b4d8a5c3e1f7b2d9a6c',
        count: deployedHistory.length,
      },
    });
    expectGolden('deployed.md', renderRecordMarkdown(record));
    expectGolden('deployed.json', renderRecordJson(record));
  });

  it('renders a rolled-back hotfix', () => {
    const record = buildRecord(rolledBackHistory, { timezone: 'Europe/Paris' });
    expectGolden('rolled-back.md', renderRecordMarkdown(record));
    expectGolden('rolled-back.json', renderRecordJson(record));
  });

  it('renders a hotfix verified with an accepted breach, a resolved issue with a workaround and a reminder', () => {
    const record = buildRecord(breachedHistory, { timezone: 'UTC' });
    const markdown = renderRecordMarkdown(record);
    expectGolden('breach-accepted.md', markdown);
    expectGolden('breach-accepted.json', renderRecordJson(record));
    // All three, in the words a reader looks for.
    expect(markdown).toMatch(/verified with 1 breach, accepted by Bob Chen \(technical\)/);
    expect(markdown).toMatch(/Large merchants see a spinner[^\n]*\| resolved \| Bob Chen/);
    expect(markdown).toContain('Support asks them to filter by date');
    expect(markdown).toMatch(/[Rr]eminder[^\n]*Bob Chen/);
    // The window's values: the breached round's 1.6% among them.
    expect(markdown).toMatch(/Refund error rate[^\n]*0\.016/);
  });

  it('keeps every table row as wide as its header', () => {
    for (const history of [deployedHistory, rolledBackHistory, breachedHistory]) {
      const markdown = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
      for (const [header, separator, ...rows] of tables(markdown)) {
        expect(separator?.every((c) => c === '---')).toBe(true);
        for (const row of rows) expect(row).toHaveLength(header?.length ?? 0);
      }
    }
  });
});

describe('golden files and their stories', () => {
  it('fails on a missing golden instead of writing it, and writes one only when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-golden-'));
    try {
      expect(() => checkGolden(dir, 'new.md', 'text', false)).toThrow(
        'golden file new.md is missing: run this test with UPDATE_GOLDEN=1 to write it',
      );
      expect(existsSync(join(dir, 'new.md'))).toBe(false);
      checkGolden(dir, 'new.md', 'text', true);
      expect(readFileSync(join(dir, 'new.md'), 'utf8')).toBe('text');
      expect(() => checkGolden(dir, 'new.md', 'other text', false)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays only what the decider accepts, and says which step of a story it refused or ignored', () => {
    const at = (time: string) => new Date(`2025-03-14T${time}.000Z`);
    const start = act.start('HF-9', alice, paymentsPlan);
    expect(() =>
      replayStory('early sign-off', [
        [start, at('09:00:00')],
        [act.signOff(bob, 'technical'), at('09:05:00')],
      ]),
    ).toThrow(/^early sign-off story, step 2 \(SignOff at 2025-03-14T09:05:00\.000Z\) is refused: .*outcome/);
    expect(() =>
      replayStory('self-approval', [
        [start, at('09:00:00')],
        [act.approve(alice, 'technical', deploymentHash(paymentsPlan)), at('09:01:00')],
      ]),
    ).toThrow(/step 2 \(ApprovePlan .*\) is refused/);
    expect(() =>
      replayStory('repeat', [
        [start, at('09:00:00')],
        [act.logIssue(bob, 'Slow'), at('09:01:00')],
        [act.logIssue(bob, 'Slow'), at('09:02:00')],
      ]),
    ).toThrow('repeat story, step 3 (LogIssue at 2025-03-14T09:02:00.000Z) changes nothing');
  });

  it('tells each story to its end: a deployed hotfix and a rolled-back one, both closed', () => {
    const deployed = buildRecord(deployedHistory, { timezone: 'UTC' });
    const rolledBack = buildRecord(rolledBackHistory, { timezone: 'UTC' });
    expect(deployed.outcome).toMatchObject({ status: 'deployed', phase: 'closed' });
    expect(rolledBack.outcome).toMatchObject({ status: 'rolled_back', phase: 'closed' });
  });
});

describe('buildRecord', () => {
  it('renders a hotfix still in planning', () => {
    const record = buildRecord([started], { timezone: 'UTC' });
    const markdown = renderRecordMarkdown(record);

    expect(record.outcome).toMatchObject({ status: 'in_progress', phase: 'planned', closed: null });
    expect(record.date).toEqual({ at: t('09:02:00'), kind: 'started' });
    expect(markdown).toContain('- **Date:** 2025-03-14 09:02 UTC (started)');
    expect(markdown).toContain('_Nothing has been deployed yet: these are the planned changes._');
    expect(markdown).toContain('- **Services:**\n  - payments-api (not deployed)');
    expect(markdown).toContain('- **System:** not run');
    expect(markdown).toContain('- **Technical:** pending\n- **Business:** pending\n- **Support:** pending');
    expect(markdown).toContain('No deployment has run.');
    expect(markdown).toContain('No rollback was proposed.');
    expect(markdown).toContain('  - [ ] Changes applied');
    expect(markdown).toContain('| Tool access | pending | — | — | — |');
    expect(markdown).toContain('_Built from 1 event._');
  });

  it("shows the plan's risk assessment and communication plan, or that it has none", () => {
    const bare = renderRecordMarkdown(buildRecord([started], { timezone: 'UTC' }));
    expect(bare).toContain('- **Risk:** not assessed\n- **Communication plan:** none\n');
    const risky = {
      ...paymentsPlan,
      risk: { level: 'high' as const, assessment: 'Touches the ledger\nbackup restores in 5m' },
      communicationPlan: 'Status page at start and end',
    };
    const record = buildRecord([{ ...started, plan: risky, planHash: deploymentHash(risky) }], {
      timezone: 'UTC',
    });
    expect(record.plan).toMatchObject({
      risk: risky.risk,
      communicationPlan: 'Status page at start and end',
    });
    expect(renderRecordMarkdown(record)).toContain(
      '- **Risk:** high — Touches the ledger<br>backup restores in 5m\n- **Communication plan:** Status page at start and end\n',
    );
  });

  it('names the plan’s people as the config knows them, else as they acted, never by a bare platform id', () => {
    // A form's people picker records ids only: Slack U0BOB, U0NEW and U0TARA.
    const picked: HotfixEvent = {
      ...started,
      plan: {
        ...paymentsPlan,
        resources: {
          technical: [
            { platform: 'slack', id: 'U0BOB' },
            { platform: 'slack', id: 'U0TARA' },
          ],
          support: [{ platform: 'slack', id: 'U0NEW' }],
          business: [],
          management: [],
        },
      },
    };
    // U0BOB acted in this hotfix under his Slack name; the config names U0TARA.
    const events: HotfixEvent[] = [
      picked,
      {
        type: 'IssueLogged',
        at: t('09:10:00'),
        by: { platform: 'slack', id: 'U0BOB', name: 'bob' },
        issueId: 1,
        text: 'slow',
      },
    ];
    const identify = (who: Person): Person =>
      who.id === 'U0TARA' ? { ...who, person: 'tara', name: 'Tara Singh' } : who;
    const markdown = renderRecordMarkdown(buildRecord(events, { timezone: 'UTC', identify }));
    expect(markdown).toContain('  - Technical: bob, Tara Singh');
    // Nobody knows U0NEW's name: the id is all there is.
    expect(markdown).toContain('  - Support: U0NEW');
  });

  it('renders a cancelled hotfix and even an empty stream', () => {
    const cancelled = buildRecord(
      [started, { type: 'HotfixCancelled', at: t('09:30:00'), by: alice, reason: 'Fixed by the vendor' }],
      { timezone: 'UTC' },
    );
    expect(cancelled.outcome.status).toBe('cancelled');
    expect(renderRecordMarkdown(cancelled)).toContain(
      '_Nothing was deployed: these were the planned changes._',
    );
    expect(renderRecordMarkdown(cancelled)).toContain(
      '- **Cancelled:** Alice Martin, 2025-03-14 09:30 — Fixed by the vendor',
    );

    const empty = renderRecordMarkdown(buildRecord([], { timezone: 'UTC' }));
    expect(empty).toContain('# Deployment Documentation');
    expect(empty).toContain('- **Date:** —');
  });

  it('prints times in the configured time zone, and only there', () => {
    const utc = buildRecord(deployedHistory, { timezone: 'UTC' });
    const paris = buildRecord(deployedHistory, { timezone: 'Europe/Paris' });

    expect(renderRecordMarkdown(utc)).toContain('- **Date:** 2025-03-14 09:44 UTC (deployed)');
    expect(renderRecordMarkdown(paris)).toContain('- **Date:** 2025-03-14 10:44 Europe/Paris (deployed)');
    expect(renderRecordMarkdown(paris)).toContain('- **Technical:** Bob Chen, 2025-03-14 11:40');
    // The JSON keeps instants: only the zone it names differs.
    expect({ ...paris, timezone: 'UTC' }).toEqual(utc);
    expect(() => buildRecord([started], { timezone: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
  });

  it('keeps pipes and line breaks in user text inside their table cells', () => {
    const tricky = 'p99 | p95 latency\nboth up <!-- hidden?';
    const record = buildRecord(
      [
        {
          ...started,
          checklists: { code_readiness: ['Review | QA'], environment_readiness: ['Tool access'] },
        },
        {
          type: 'ChecklistItemTicked',
          at: t('09:05:00'),
          by: bob,
          checklist: 'code_readiness',
          item: 'Review | QA',
          automatic: false,
        },
        {
          type: 'PlanRejected',
          at: t('09:06:00'),
          by: dana,
          role: 'management',
          planHash: started.planHash,
          reason: tricky,
        },
        { type: 'IssueLogged', at: t('09:07:00'), by: sam, issueId: 1, text: tricky },
        { type: 'IssueResolved', at: t('09:08:00'), by: bob, issueId: 1, note: 'a\\|b\r\nc' },
        { type: 'ObservationNoted', at: t('09:09:00'), by: erin, text: '# not a heading | x' },
      ],
      { timezone: 'UTC' },
    );
    const markdown = renderRecordMarkdown(record);

    for (const [header, , ...rows] of tables(markdown)) {
      for (const row of rows) expect(row).toHaveLength(header?.length ?? 0);
    }
    expect(markdown).toContain('p99 \\| p95 latency<br>both up \\<!-- hidden?');
    expect(markdown).toContain('| Review \\| QA | done | Bob Chen |');
    expect(markdown).toContain('a\\\\\\|b<br>c');
    expect(markdown).toContain('  - Erin Silva, 2025-03-14 09:09: \\# not a heading \\| x');
    expect(markdown).not.toMatch(/(?<!\\)<!--/);
  });

  it('escapes HTML in a lesson the way it escapes the rest, whole: \\<b> in the source, never &lt;b>', () => {
    const record = buildRecord(
      [
        started,
        {
          type: 'LessonsLearnedNoted',
          at: t('09:10:00'),
          by: bob,
          text: 'Wrap <b>bold</b> & <https://x.example>; 2 < 3, R&D, &amp; stays',
        },
      ],
      { timezone: 'UTC' },
    );
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain(
      '- Bob Chen, 2025-03-14 09:10: Wrap \\<b>bold\\</b> & \\<https://x.example>; 2 < 3, R&D, \\&amp; stays',
    );
    expect(markdown).not.toContain('&lt;');
  });

  it('counts issues found, resolved and pending, and lists workarounds', () => {
    const issue = (issueId: number, time: string): HotfixEvent => ({
      type: 'IssueLogged',
      at: t(time),
      by: sam,
      issueId,
      text: `Issue ${issueId}`,
    });
    const record = buildRecord(
      [
        started,
        issue(1, '09:10:00'),
        issue(2, '09:11:00'),
        issue(3, '09:12:00'),
        { type: 'WorkaroundSet', at: t('09:13:00'), by: sam, issueId: 2, text: 'Restart the consumer' },
        { type: 'IssueResolved', at: t('09:14:00'), by: bob, issueId: 3 },
        { type: 'WorkaroundSet', at: t('09:15:00'), by: sam, issueId: 3, text: 'Not needed any more' },
      ],
      { timezone: 'UTC' },
    );

    expect(record.issues).toMatchObject({ found: 3, resolved: 1, pending: 2 });
    expect(record.issues.workarounds.map((w) => w.issueId)).toEqual([2, 3]);
    expect(record.issues.list.map((i) => i.status)).toEqual(['pending', 'pending', 'resolved']);
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain('- **Found:** 3\n- **Resolved:** 1\n- **Pending:** 2');
    expect(markdown).toContain('  - #2: Restart the consumer (Sam Patel, 2025-03-14 09:13)');
    expect(markdown).toContain('| 2 | Issue 2 | Sam Patel, 2025-03-14 09:11 | pending, workaround set | — |');
  });

  it('derives the counts of the complete histories', () => {
    expect(buildRecord(deployedHistory, { timezone: 'UTC' }).issues).toMatchObject({
      found: 2,
      resolved: 1,
      pending: 1,
    });
    expect(buildRecord(rolledBackHistory, { timezone: 'UTC' }).issues).toMatchObject({
      found: 1,
      resolved: 1,
      pending: 0,
    });
  });
});

type SucceedStep = Extract<HotfixCommand, { type: 'SucceedStep' }>;

describe('what ran, in the record', () => {
  it('says which attempt of a step was interrupted, by whose worker, and how it ended', () => {
    const resumed = play(
      [
        [cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 1, { owner: 'job-1' })],
        [
          cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 2, {
            owner: 'job-1',
            interruption: 'its worker stopped mid-step (owner job-1); its processes were ended with it',
          }),
        ],
        [cmd.succeed(DEPLOY_STEPS.backup, 'deploy-1', 2)],
      ],
      {},
      deploying().history,
    );
    const record = buildRecord(resumed.history, { timezone: 'UTC' });
    const backup = record.deployments[0]?.steps.find((s) => s.key === DEPLOY_STEPS.backup);
    expect(backup).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      interruptions: [
        {
          attempt: 1,
          owner: 'job-1',
          reason: 'its worker stopped mid-step (owner job-1); its processes were ended with it',
        },
      ],
    });
    const markdown = renderRecordMarkdown(record);
    const stepRow = tables(markdown)
      .flat()
      .find((row) => row[1] === 'System backup' && row[4] === 'succeeded');
    expect(stepRow?.[7]).toBe(
      'attempt 1 interrupted: its worker stopped mid-step (owner job-1); its processes were ended with it',
    );
    expect(record.timeline.map((e) => e.text)).toContain(
      'attempt 1 of preparation step “System backup” (payments-api) was interrupted: its worker stopped mid-step (owner job-1); its processes were ended with it',
    );
  });

  it('says a dry run was shown and not run, with what would have run', () => {
    const dry = play(
      [
        [cmd.startStep(DEPLOY_STEPS.backup, 'deploy-1', 1)],
        [
          {
            ...(cmd.succeed(DEPLOY_STEPS.backup, 'deploy-1', 1) as SucceedStep),
            output: 'dry run: not executed\nwould run: "backup.sh"',
            dryRun: true,
          },
        ],
      ],
      {},
      deploying().history,
    );
    const record = buildRecord(dry.history, { timezone: 'UTC' });
    const backup = record.deployments[0]?.steps.find((s) => s.key === DEPLOY_STEPS.backup);
    expect(backup).toMatchObject({ status: 'succeeded', dryRun: true });
    const markdown = renderRecordMarkdown(record);
    const stepRow = tables(markdown)
      .flat()
      .find((row) => row[1] === 'System backup');
    expect(stepRow?.[7]).toBe('dry run: shown, not run');
    expect(markdown).toContain('would run: "backup.sh"');
    expect(record.timeline.map((e) => e.text)).toContain(
      'preparation step “System backup” (payments-api): dry run, shown and not run',
    );
  });

  it('shows each step as recorded: templates as configured, secrets by name, credential headers masked', () => {
    const markdown = renderRecordMarkdown(buildRecord(deployedHistory, { timezone: 'UTC' }));
    const rows = tables(markdown).find((table) => table[0]?.join() === 'Step,Service,Kind,Runs') ?? [];
    expect(rows.slice(2).map((row) => `${row[0]}: ${row[3]}`)).toEqual(
      expect.arrayContaining([
        'System backup: `./scripts/system-backup.sh {{service}} {{plan.version}}`; env `DEPLOY_ENV`; secret env `DEPLOY_TOKEN`; timeout 10m',
        'User notification: `POST https://deploy.example.com/{{service}}/releases`; `Authorization: •••`; `Content-Type: application/json`; with a JSON body; expects status 201',
        'User validation: a person confirms: User validation: check it by hand, then confirm in the thread',
      ]),
    );
    expect(markdown).not.toContain('s3cr3t');
    expect(renderRecordJson(buildRecord(deployedHistory, { timezone: 'UTC' }))).not.toContain('s3cr3t');
  });
});

describe('the Performance section', () => {
  const round = (n: number, passed: boolean, measurement?: MonitorMeasurement): HotfixCommand => ({
    type: 'RecordMonitorCheck',
    check: 'payments-api/Health',
    round: n,
    passed,
    ...(passed ? {} : { detail: 'expected status 200, got 503' }),
    ...(measurement === undefined ? {} : { measurement }),
    by: worker,
  });

  it('shows per check the rounds, latency, statuses and each JSON path over the window', () => {
    const { history } = play(
      [
        [round(1, true, { status: 200, latencyMs: 40, values: { error_rate: 0.01, state: 'ok' } })],
        [round(2, false, { status: 503, latencyMs: 12, values: { error_rate: 0.4, state: 'degraded' } })],
        [round(3, true, { status: 200, latencyMs: 30, values: { error_rate: 0.02, state: 'ok' } })],
        [round(4, true, { status: 200, latencyMs: 35, values: { error_rate: 0.02, state: 'ok' } })],
        // Nothing answered this round: counted, but it has no latency or values.
        [round(5, false)],
      ],
      {},
      monitoring().history,
    );
    const record = buildRecord(history, { timezone: 'UTC' });
    const [check] = record.implementation.verification.performance.checks;
    expect(check).toMatchObject({
      name: 'payments-api/Health',
      rounds: 5,
      passes: 3,
      breaches: 2,
      latencyMs: { min: 12, median: 32.5, max: 40 },
      statuses: [200, 503],
      values: [
        { path: 'error_rate', rounds: 4, numeric: { min: 0.01, median: 0.02, max: 0.4 }, distinct: [] },
        { path: 'state', rounds: 4, numeric: null, distinct: ['ok', 'degraded'], moreDistinct: 0 },
      ],
    });
    const table = tables(renderRecordMarkdown(record)).find((t) => t[0]?.[0] === 'Check') ?? [];
    expect(table[0]).toEqual(['Check', 'Rounds', 'Passed', 'Breached', 'Latency', 'Statuses', 'Values']);
    expect(table[2]).toEqual([
      'payments-api/Health',
      '5',
      '3',
      '2',
      '12 / 32.5 / 40 ms',
      '200, 503',
      '`error_rate` 0.01 / 0.02 / 0.4; `state` "ok", "degraded"',
    ]);
  });

  it('lists at most ten distinct values of a path, and says how many more', () => {
    const { history } = play(
      Array.from({ length: 12 }, (_, i) => [
        round(i + 1, true, { status: 200, values: { v: `build-${i}` } }),
      ]),
      {},
      monitoring().history,
    );
    const [check] = buildRecord(history, { timezone: 'UTC' }).implementation.verification.performance.checks;
    expect(check?.values[0]?.distinct).toHaveLength(10);
    expect(check?.values[0]?.moreDistinct).toBe(2);
    expect(check?.latencyMs).toBeNull();
  });

  it('shows no table when no round was measured (rounds recorded by older releases)', () => {
    const { history } = play([[round(1, true)]], {}, monitoring().history);
    const markdown = renderRecordMarkdown(buildRecord(history, { timezone: 'UTC' }));
    expect(markdown).toContain('  - payments-api/Health: 1 passed, 0 breached');
    expect(markdown).not.toContain('Performance over the monitoring window');
  });
});
