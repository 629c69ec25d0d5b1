import type {
  DecisionRecord,
  DeploymentRecord,
  IssueRecord,
  OutcomeStatus,
  PerformanceRecord,
  PersonRef,
  RunRecord,
  Spread,
  Stamped,
  StepSpecRecord,
  VoteRecord,
} from './deployment-record.ts';
import type { VoteChoice } from './events.ts';
import { CHECKLISTS } from './events.ts';
import { CHECKLIST_LABELS } from './describe-event.ts';
import type { Clockface } from './format.ts';
import { findings } from './queries.ts';
import { visibleText } from './visible-text.ts';
import {
  capitalize,
  clockface,
  formatDuration,
  humanize,
  mdCode,
  mdFence,
  mdTable,
  mdText,
} from './format.ts';

/*
 * The record as GitHub-flavoured Markdown. The seed's template comes first, in its order and as lists; the
 * product's sections follow, with a table wherever there is one row per item (approvals, readiness,
 * timeline, steps, issues). A document is a list of blocks (headings, lists, tables, paragraphs) separated
 * by blank lines. Every piece of user text goes through mdText/mdCode; control and bidi characters are
 * shown as `�` in the whole document.
 */

type Block = readonly string[];

interface Ctx {
  readonly clock: Clockface;
  /** `Alice Martin, 2025-03-14 09:10`. */
  readonly who: (s: Stamped | null) => string;
}

const OUTCOME_LABELS: Record<OutcomeStatus, string> = {
  deployed: 'Deployed',
  rolled_back: 'Rolled back',
  failed: 'Failed',
  cancelled: 'Cancelled',
  in_progress: 'In progress',
};

/** Renders the record as GitHub-flavoured Markdown, times in `record.timezone`. */
export const renderRecordMarkdown = (record: DeploymentRecord): string => {
  const clock = clockface(record.timezone);
  const ctx: Ctx = { clock, who: (s) => (s ? `${mdText(s.by.name)}, ${clock.minute(s.at)}` : '—') };
  const blocks: Block[] = [
    ...header(record, ctx),
    ['## Implementation'],
    ...changesDeployed(record, ctx),
    ...verification(record, ctx),
    ...issues(record, ctx),
    ...signoff(record, ctx),
    ...outcome(record, ctx),
    ...plan(record, ctx),
    ...approvals(record, ctx),
    ...readiness(record, ctx),
    ...timeline(record, ctx),
    ['## Deployment steps'],
    ...(record.deployments.length === 0 ? [['No deployment has run.']] : []),
    ...record.deployments.flatMap((run) => [[`### Run ${mdCode(run.runId)}`], ...runBlocks(run, ctx)]),
    ...rollbackHistory(record, ctx),
    ...documentation(record, ctx),
    ...lessons(record, ctx),
    ['---'],
    footer(record),
  ];
  const markdown = `${blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join('\n'))
    .join('\n\n')}\n`;
  // The record is printed to terminals: no NUL, ESC colour code or bidi override from user text or step output.
  return visibleText(markdown);
};

/** `- **Code:** none`, or the label over a sub-list. */
const listItem = (label: string, values: readonly string[]): string[] =>
  values.length === 0
    ? [`- **${label}:** none`]
    : [`- **${label}:**`, ...values.map((v) => `  - ${mdText(v)}`)];

/** The database steps that ran, and the changes the plan listed for them; what ran is the fact. */
const databaseItem = (ran: readonly string[], planned: readonly string[]): string[] => {
  const plannedText = planned.map(mdText).join(', ');
  if (ran.length === 0)
    return [
      `- **Database:** ${planned.length === 0 ? 'none' : `no database step ran (planned: ${plannedText})`}`,
    ];
  return [
    '- **Database:**',
    ...ran.map((step) => `  - ran ${mdText(step)}`),
    ...(planned.length === 0 ? [] : [`  - planned: ${plannedText}`]),
  ];
};

const header = (record: DeploymentRecord, { clock }: Ctx): Block[] => {
  const { version, previousVersion } = record.release;
  const release = previousVersion
    ? `${mdText(version)} (previous: ${mdText(previousVersion)})`
    : mdText(version);
  const summary = record.summary ? `: ${mdText(record.summary).replace(/[.!?]$/, '')}` : '';
  return [
    ['# Deployment Documentation'],
    [
      `- **Issue:** ${mdText(record.issue) || '—'}`,
      `- **Release:** ${release || '—'}`,
      `- **Date:** ${record.date ? `${clock.minute(record.date.at)} ${record.timezone} (${record.date.kind})` : '—'}`,
    ],
    [`Hotfix ${mdCode(record.hotfixId || '?')}${summary}. Times are in ${record.timezone}.`],
  ];
};

const changesDeployed = (record: DeploymentRecord, { clock }: Ctx): Block[] => {
  const changes = record.implementation.changesDeployed;
  const previous = record.release.previousVersion;
  return [
    ['### 1. Changes Deployed'],
    changes.deployed
      ? []
      : [
          record.outcome.status === 'in_progress'
            ? '_Nothing has been deployed yet: these are the planned changes._'
            : '_Nothing was deployed: these were the planned changes._',
        ],
    changes.rolledBack
      ? [
          `_Rolled back${previous ? ` to ${mdText(previous)}` : ''} by ${mdCode(changes.rolledBack.runId)}, ${clock.minute(
            changes.rolledBack.at,
          )}: these changes are no longer in production._`,
        ]
      : [],
    [
      ...listItem('Code', changes.code),
      ...databaseItem(changes.database, changes.databasePlanned),
      ...listItem('Config', changes.config),
      ...listItem(
        'Services',
        changes.services.map(
          (s) =>
            `${s.name} (${s.execution === 'not_run' ? 'not deployed' : `execution ${s.execution}`}${
              s.restarted ? ', restarted' : ''
            })`,
        ),
      ),
    ],
  ];
};

const verification = (record: DeploymentRecord, { clock, who }: Ctx): Block[] => {
  const { system, tests, users, performance: perf } = record.implementation.verification;
  const systemDetail = [
    ...(system.stage
      ? [`verification stage ${system.stage}${system.failedStep ? ` at “${mdText(system.failedStep)}”` : ''}`]
      : []),
    ...(system.gate
      ? [
          `verification gate ${system.gate.passed ? 'passed' : 'failed'} ${clock.minute(system.gate.at)}${
            system.gate.reason ? `: ${mdText(system.gate.reason)}` : ''
          }`,
        ]
      : []),
  ];
  const systemLine = `- **System:** ${humanize(system.status)}${
    systemDetail.length > 0 ? ` — ${systemDetail.join('; ')}` : ''
  }`;
  const testLines =
    tests.length === 0
      ? ['- **Tests:** none run']
      : [
          '- **Tests:**',
          ...tests.map(
            (s) =>
              `  - ${mdText(s.name)} (${mdText(s.service)}, ${s.kind}): ${s.status}${
                s.durationMs === null
                  ? ''
                  : ` ${s.status === 'failed' ? 'after' : 'in'} ${formatDuration(s.durationMs)}`
              }${s.attempt > 1 ? `, attempt ${s.attempt}` : ''}${s.error ? ` — ${mdText(s.error)}` : ''}`,
          ),
        ];
  const userLines =
    users.length === 0
      ? ['- **Users:** no feedback']
      : [
          '- **Users:**',
          ...users.map((f) =>
            f.step
              ? `  - ${who(f)}: ${f.step.outcome} ${mdText(f.step.name)} (${mdText(f.step.service)}${
                  f.step.runKind === 'rollback' ? ', rollback' : ''
                })${f.text ? ` — ${mdText(f.text)}` : ''}`
              : `  - ${who(f)}: ${mdText(f.text ?? '')}`,
          ),
        ];
  const perfLine =
    perf.status === 'not_started'
      ? '- **Performance:** not monitored'
      : `- **Performance:** ${humanize(perf.status)}, monitored ${clock.minute(perf.startedAt)} to ${clock.minute(
          perf.closedAt ?? perf.until,
        )}${perf.period?.from ? ` (${periodText(perf.period.ms, perf.period.from)})` : ''}`;
  return [
    ['### 2. Verification'],
    [
      systemLine,
      ...testLines,
      ...userLines,
      perfLine,
      ...perf.checks.map(
        (c) =>
          `  - ${mdText(c.name)}: ${c.passes} passed, ${c.breaches} breached${
            c.last?.detail ? ` (last: ${mdText(c.last.detail)})` : ''
          }`,
      ),
      ...perf.breaches.map(
        (b) => `  - Breach of ${mdText(b.check)}, ${clock.minute(b.at)}: ${mdText(b.detail)}`,
      ),
      ...perf.unobserved.map(
        (check) => `  - Never reported: ${mdText(check)} (no round before the window closed)`,
      ),
    ],
    ...performanceTable(perf),
  ];
};

/** `30m, the plan's verification period`. */
const periodText = (ms: number, from: 'plan' | 'policy'): string =>
  `${formatDuration(ms)}, the ${from}'s verification period`;

/** A number as measured, without float noise: 0.1 + 0.2 → 0.3, 12.5 → 12.5. */
const measure = (n: number): string => String(Math.round(n * 1000) / 1000);

const spread = (s: Spread, unit = ''): string =>
  `${measure(s.min)} / ${measure(s.median)} / ${measure(s.max)}${unit}`;

/** What the monitor checks measured over the window, one row per check; none when nothing was measured. */
const performanceTable = (perf: PerformanceRecord): Block[] => {
  const measured = perf.checks.some((c) => c.latencyMs !== null || c.statuses.length > 0);
  if (!measured) return [];
  return [
    ['Performance over the monitoring window (min / median / max):'],
    mdTable(
      ['Check', 'Rounds', 'Passed', 'Breached', 'Latency', 'Statuses', 'Values'],
      perf.checks.map((c) => [
        mdText(c.name),
        String(c.rounds),
        String(c.passes),
        String(c.breaches),
        c.latencyMs === null ? '—' : spread(c.latencyMs, ' ms'),
        c.statuses.length === 0 ? '—' : c.statuses.join(', '),
        c.values
          .map(
            (v) =>
              `${mdCode(v.path)} ${
                v.numeric === null
                  ? `${v.distinct.map((d) => mdText(JSON.stringify(d))).join(', ')}${
                      v.moreDistinct > 0 ? ` (+${v.moreDistinct} more)` : ''
                    }`
                  : spread(v.numeric)
              }`,
          )
          .join('; ') || '—',
      ]),
    ),
  ];
};

const issues = (record: DeploymentRecord, { who }: Ctx): Block[] => {
  const { found, resolved, pending, workarounds, list } = record.issues;
  return [
    ['## Issues'],
    [
      `- **Found:** ${found}`,
      `- **Resolved:** ${resolved}`,
      `- **Pending:** ${pending}`,
      ...(workarounds.length === 0
        ? ['- **Workarounds:** none']
        : [
            '- **Workarounds:**',
            ...workarounds.map((w) => `  - #${w.issueId}: ${mdText(w.text)} (${who(w)})`),
          ]),
    ],
    list.length === 0
      ? []
      : mdTable(
          ['#', 'Issue', 'Logged', 'Status', 'Resolution'],
          list.map((i) => [
            String(i.issueId),
            mdText(i.text),
            who(i),
            issueStatus(i),
            issueResolution(i, who),
          ]),
        ),
  ];
};

const issueStatus = (i: IssueRecord): string =>
  i.status === 'resolved'
    ? 'resolved'
    : `${i.reopened.length > 0 ? 'reopened' : 'pending'}${i.workaround ? ', workaround set' : ''}`;

/** Who resolved it, when, with the note; for a reopened issue, each resolution and reopening in turn. */
const issueResolution = (i: IssueRecord, who: Ctx['who']): string => {
  const resolution = (r: Stamped & { readonly note: string | null }) =>
    `${who(r)}${r.note ? `: ${mdText(r.note)}` : ''}`;
  if (i.reopened.length === 0) return i.resolved ? resolution(i.resolved) : '—';
  return [
    ...i.reopened.flatMap((r) => [
      `resolved by ${resolution(r.resolution)}`,
      `reopened by ${who(r)}${r.reason ? `: ${mdText(r.reason)}` : ''}`,
    ]),
    ...(i.resolved ? [`resolved by ${resolution(i.resolved)}`] : []),
  ].join('; ');
};

const signoff = (record: DeploymentRecord, { who }: Ctx): Block[] => [
  ['## Sign-off'],
  record.signoffs.map(
    (s) => `- **${mdText(capitalize(s.role))}:** ${s.by && s.at ? who({ by: s.by, at: s.at }) : 'pending'}`,
  ),
];

const outcome = (record: DeploymentRecord, { who, clock }: Ctx): Block[] => {
  const { status, phase, started, cancelled, closed, breachesAccepted: review } = record.outcome;
  const breaches = review ? findings(review.breaches, review.unobserved, mdText) : '';
  const acceptedBy = review?.acceptances.map((a) => `${mdText(a.by.name)} (${mdText(a.role)})`).join(', ');
  const reasons =
    review?.acceptances.map(
      (a) => `  - ${mdText(a.by.name)} (${mdText(a.role)}), ${clock.minute(a.at)}: ${mdText(a.reason)}`,
    ) ?? [];
  return [
    ['## Outcome'],
    [
      `- **Status:** ${OUTCOME_LABELS[status]}${review?.accepted ? ` — verified with ${breaches}, accepted by ${acceptedBy ?? ''}` : ''}`,
      `- **Phase:** ${humanize(phase)}`,
      ...(review && !review.accepted
        ? [
            `- **Breaches:** ${review.unobserved.length === 0 ? `${breaches} found by monitoring` : `monitoring closed with ${breaches}`}; ${
              phase === 'breach_review'
                ? 'waiting for a decision: accept and keep the release, or roll back'
                : 'not accepted'
            }${review.acceptances.length > 0 ? ` (accepted so far by ${acceptedBy ?? ''})` : ''}`,
          ]
        : []),
      ...(reasons.length > 0 ? ['- **Breaches accepted:**', ...reasons] : []),
      `- **Started:** ${who(started)}`,
      ...(cancelled ? [`- **Cancelled:** ${who(cancelled)} — ${mdText(cancelled.reason)}`] : []),
      ...(closed ? [`- **Closed:** ${who(closed)}`] : []),
    ],
  ];
};

const plan = (record: DeploymentRecord, { clock }: Ctx): Block[] => {
  const p = record.plan;
  const names = (people: readonly PersonRef[]) =>
    people.length === 0 ? 'none' : people.map((person) => mdText(person.name)).join(', ');
  const values = (list: readonly string[]) => (list.length === 0 ? 'none' : list.map(mdText).join(', '));
  const time = (value: string | null) =>
    value === null ? '—' : clock.minute(value) === '—' ? mdText(value) : clock.minute(value);
  const edits = p.edits.map((e) => `by ${mdText(e.by.name)} ${clock.minute(e.at)} (r${e.revision})`);
  return [
    ['## Plan'],
    [
      `Revision ${p.revision}, hash ${mdCode(p.hash || '—')}${edits.length === 0 ? '' : `; edited ${edits.join(', ')}`}.`,
    ],
    [
      `- **Summary:** ${mdText(record.summary) || '—'}`,
      `- **Severity:** ${p.severity}`,
      `- **Risk:** ${p.risk === null ? 'not assessed' : `${p.risk.level} — ${mdText(p.risk.assessment)}`}`,
      `- **Communication plan:** ${p.communicationPlan === null ? 'none' : mdText(p.communicationPlan)}`,
      `- **Services:** ${values(p.services)}`,
      '- **Dependencies:**',
      `  - Systems: ${values(p.dependencies.systems)}`,
      `  - Services: ${values(p.dependencies.services)}`,
      `  - Databases: ${values(p.dependencies.databases)}`,
      `  - External: ${values(p.dependencies.external)}`,
      '- **Timeline:**',
      `  - Start: ${time(p.timeline.start)}`,
      `  - Duration: ${p.timeline.durationEstimate === null ? '—' : mdText(p.timeline.durationEstimate)}`,
      `  - Completion: ${time(p.timeline.targetCompletion)}`,
      `  - Verification: ${p.timeline.verificationPeriod === null ? '—' : mdText(p.timeline.verificationPeriod)}`,
      '- **Resources:**',
      `  - Technical: ${names(p.resources.technical)}`,
      `  - Support: ${names(p.resources.support)}`,
      `  - Business: ${names(p.resources.business)}`,
      `  - Management: ${names(p.resources.management)}`,
    ],
  ];
};

const decisionStatus = (d: DecisionRecord, who: Ctx['who']): string => {
  switch (d.status) {
    case 'standing':
      return d.decision === 'approved' ? 'valid' : 'standing';
    case 'withdrawn':
      return d.decision === 'approved' ? 'withdrawn (rejected later)' : 'withdrawn (approved later)';
    case 'voided':
      return d.voidedBy
        ? `voided by plan edit r${d.voidedBy.revision} (${who(d.voidedBy)})`
        : 'voided by a plan edit';
  }
};

const approvals = (record: DeploymentRecord, { clock, who }: Ctx): Block[] => [
  ['## Approvals'],
  record.approvals.length === 0
    ? ['No approvals yet.']
    : mdTable(
        ['Role', 'Decision', 'By', 'At', 'Plan', 'Status'],
        record.approvals.map((d) => [
          mdText(d.role),
          d.decision === 'approved'
            ? `approved${d.comment ? `: ${mdText(d.comment)}` : ''}`
            : `rejected: ${mdText(d.reason ?? '')}`,
          mdText(d.by.name),
          clock.minute(d.at),
          `${d.planRevision === null ? '' : `r${d.planRevision} `}${mdCode(d.planHash)}`,
          decisionStatus(d, who),
        ]),
      ),
];

const readiness = (record: DeploymentRecord, { clock }: Ctx): Block[] => [
  ['## Readiness'],
  ...CHECKLISTS.flatMap((c) => {
    const items = record.readiness[c];
    return [
      [`### ${CHECKLIST_LABELS[c]}`],
      items.length === 0
        ? ['No items.']
        : mdTable(
            ['Item', 'Status', 'By', 'At', 'Evidence'],
            items.map((i) => [
              mdText(i.item),
              i.derivedFrom
                ? `${i.done ? 'done' : 'pending'} (follows the ${i.derivedFrom})`
                : i.done
                  ? i.automatic
                    ? 'done (automatic)'
                    : 'done'
                  : 'pending',
              i.by ? mdText(i.by.name) : '—',
              clock.minute(i.at),
              i.evidence ? mdText(i.evidence) : '—',
            ]),
          ),
    ];
  }),
];

const timeline = (record: DeploymentRecord, { clock }: Ctx): Block[] => [
  ['## Timeline'],
  record.timeline.length === 0
    ? ['No events.']
    : mdTable(
        ['Time', 'Who', 'What'],
        record.timeline.map((t) => [clock.second(t.at), mdText(t.by.name), mdText(t.text)]),
      ),
];

/** A run's summary, its steps, then the trimmed output of each failed step. */
const runBlocks = (run: RunRecord, { clock, who }: Ctx): Block[] => {
  const stages = run.stages.map(
    (s) => `${s.stage} ${s.status}${s.failedStep ? ` at “${mdText(s.failedStep)}”` : ''}`,
  );
  const gates = run.gates.map(
    (g) => `${humanize(g.gate)} ${g.passed ? 'passed' : 'failed'}${g.reason ? ` (${mdText(g.reason)})` : ''}`,
  );
  const trigger = run.trigger;
  return [
    [
      `- **Status:** ${run.status}${run.failedAt ? ` at “${mdText(run.failedAt)}”` : ''}`,
      ...(trigger
        ? [
            `- **Triggered by:** ${trigger.voteId === null ? 'automatic rollback' : `vote #${trigger.voteId}`} — ${who(
              trigger,
            )}: ${mdText(trigger.reason)}`,
          ]
        : []),
      `- **Started:** ${clock.second(run.startedAt)}; **finished:** ${clock.second(run.finishedAt)}`,
      `- **Stages:** ${stages.length === 0 ? 'none' : stages.join(', ')}`,
      `- **Gates:** ${gates.length === 0 ? 'none decided' : gates.join(', ')}`,
      ...(run.aborted ? [`- **Aborted:** ${who(run.aborted)} — ${mdText(run.aborted.reason)}`] : []),
    ],
    mdTable(
      ['Stage', 'Step', 'Service', 'Kind', 'Status', 'Attempt', 'Duration', 'Notes'],
      run.steps.map((s) => [
        s.stage,
        mdText(s.name),
        mdText(s.service),
        s.kind,
        s.status,
        s.attempt === 0 ? '—' : String(s.attempt),
        formatDuration(s.durationMs),
        [
          ...(s.dryRun ? ['dry run: shown, not run'] : []),
          ...(s.decidedBy ? [`by ${mdText(s.decidedBy.name)}`] : []),
          ...(s.note ? [mdText(s.note)] : []),
          ...(s.error ? [mdText(s.error)] : []),
          ...s.interruptions.map((i) => `attempt ${i.attempt} interrupted: ${mdText(i.reason)}`),
        ].join('; ') || '—',
      ]),
    ),
    ...recordedPipeline(run),
    ...run.steps.flatMap((s) =>
      s.output === null
        ? []
        : [
            [`Output of “${mdText(s.name)}” (${mdText(s.service)}, attempt ${s.attempt}):`],
            mdFence(s.output),
          ],
    ),
  ];
};

/** An argv item as a shell would need it to read back as one word; display only, never executed. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./{}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/** What a recorded step executes, in one table cell: templates as configured, no secret values. */
const specCell = (spec: StepSpecRecord): string => {
  const action = ((): string[] => {
    switch (spec.kind) {
      case 'run':
        return [
          mdCode((spec.command ?? []).map(shellWord).join(' ')),
          ...(spec.cwd === null ? [] : [`in ${mdCode(spec.cwd)}`]),
          ...(spec.env.length === 0 ? [] : [`env ${spec.env.map(mdCode).join(', ')}`]),
          ...(spec.secretEnv.length === 0 ? [] : [`secret env ${spec.secretEnv.map(mdCode).join(', ')}`]),
        ];
      case 'http':
      case 'check':
        return [
          mdCode(`${spec.method ?? ''} ${spec.url ?? ''}`),
          ...Object.entries(spec.headers).map(([name, value]) => mdCode(`${name}: ${value}`)),
          ...(spec.body ? ['with a JSON body'] : []),
          `expects ${spec.expect.map(mdText).join(', ')}`,
        ];
      case 'manual':
        return [`a person confirms: ${mdText(spec.instruction ?? '')}`];
      case 'wait':
        return [`waits ${formatDuration(spec.waitMs)}`];
      default: {
        const unknown: never = spec.kind;
        return unknown;
      }
    }
  })();
  return [
    ...action,
    ...(spec.timeoutMs === null ? [] : [`timeout ${formatDuration(spec.timeoutMs)}`]),
    ...(spec.tries > 1 ? [`${spec.tries} tries`] : []),
    ...(spec.when === null ? [] : [`only with ${humanize(spec.when)}`]),
  ].join('; ');
};

/** The run's steps as recorded when it started: what its workers executed, whatever the config says now. */
const recordedPipeline = (run: RunRecord): Block[] =>
  run.steps.length === 0
    ? []
    : [
        ['What each step runs, as recorded when the run started:'],
        mdTable(
          ['Step', 'Service', 'Kind', 'Runs'],
          run.steps.map((s) => [
            mdText(s.name),
            mdText(s.service),
            s.kind,
            s.spec === null ? 'not recorded (run started by an earlier release)' : specCell(s.spec),
          ]),
        ),
      ];

const voteBlock = (v: VoteRecord, { clock, who }: Ctx): Block => {
  const side = (choice: VoteChoice): string[] => {
    const ballots = v.ballots.filter((b) => b.choice === choice);
    const label = `- **${choice === 'for' ? 'For' : 'Against'} (${ballots.length}):**`;
    if (ballots.length === 0) return [`${label} nobody`];
    return [
      label,
      ...ballots.map(
        (b) =>
          `  - ${mdText(b.by.name)}${b.roles.length > 0 ? ` (${b.roles.map(mdText).join(', ')})` : ''}, ${clock.minute(
            b.at,
          )}${b.changedFrom.map((c) => ` — changed from ${c.choice} (${clock.minute(c.at)})`).join('')}`,
      ),
    ];
  };
  return [
    `- **Trigger:** ${humanize(v.trigger)}${v.automatic ? ' (automatic)' : ''}`,
    `- **Reason:** ${mdText(v.reason)}`,
    `- **Proposed by:** ${who({ by: v.proposedBy, at: v.proposedAt })}; expires ${clock.minute(v.expiresAt)}`,
    ...side('for'),
    ...side('against'),
    `- **Result:** ${v.status}${v.closedAt ? ` ${clock.minute(v.closedAt)}` : ''} (${v.tally.for} for, ${
      v.tally.against
    } against)`,
  ];
};

const rollbackHistory = (record: DeploymentRecord, ctx: Ctx): Block[] => {
  const { votes, runs } = record.rollback;
  return [
    ['## Rollback history'],
    ...(votes.length === 0 && runs.length === 0 ? [['No rollback was proposed.']] : []),
    ...votes.flatMap((v) => [[`### Vote #${v.voteId}`], voteBlock(v, ctx)]),
    ...runs.flatMap((run) => [[`### Rollback run ${mdCode(run.runId)}`], ...runBlocks(run, ctx)]),
  ];
};

const documentation = (record: DeploymentRecord, { who }: Ctx): Block[] => {
  const group = (g: 'system' | 'process', label: string) => [
    `- **${label}:**`,
    ...record.documentation
      .filter((d) => d.group === g)
      .map(
        (d) =>
          `  - [${d.done ? 'x' : ' '}] ${d.label}${d.by && d.at ? ` — ${who({ by: d.by, at: d.at })}` : ''}`,
      ),
  ];
  return [
    ['## Documentation updates'],
    [...group('system', 'System documentation'), ...group('process', 'Process documentation')],
  ];
};

const lessons = (record: DeploymentRecord, { who }: Ctx): Block[] => [
  ['## Lessons learned'],
  record.lessons.length === 0 ? ['None noted.'] : record.lessons.map((l) => `- ${who(l)}: ${mdText(l.text)}`),
];

const footer = (record: DeploymentRecord): Block => {
  const { count, chain } = record.events;
  const head = chain
    ? `; hash-chain head ${mdCode(chain.head)}${chain.count === count ? '' : ` (the chain holds ${chain.count} events)`}`
    : '';
  return [`_Built from ${count} event${count === 1 ? '' : 's'}${head}._`];
};
