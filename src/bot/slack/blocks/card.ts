import type { Checkboxes, KnownBlock, PlainTextOption } from '@slack/types';
import { CHECKLIST_LABELS } from '../../../domain/hotfix/describe-event.ts';
import type { Checklist, DocItem } from '../../../domain/hotfix/events.ts';
import { CHECKLISTS, DOC_ITEMS } from '../../../domain/hotfix/events.ts';
import { humanize } from '../../../domain/hotfix/format.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import type { ChecklistItemView } from '../../../domain/hotfix/queries.ts';
import {
  checklistItems,
  currentRun,
  openVote,
  outcome,
  readinessGate,
  tally,
} from '../../../domain/hotfix/queries.ts';
import type { HotfixState, Run, Vote } from '../../../domain/hotfix/state.ts';
import type { HotfixAction, LockHolder } from '../../common/actions.ts';
import { cardActions, promptActions } from '../../common/actions.ts';
import { stepMessageKey, voteMessageKey } from '../../common/thread.ts';
import {
  approvalLines,
  cardSummary,
  closedVoteLine,
  docLabel,
  docsProgress,
  issueCounts,
  listOf,
  lockLines,
  breachReviewLines,
  readinessFrozenNote,
  monitorCheckLines,
  openIssueLines,
  monitoringStatus,
  runProgress,
  signoffCount,
  signoffLines,
  stepTiming,
  stepWindow,
} from '../../common/card.ts';
import type { PromptLinks } from '../../common/card.ts';
import { ACTIONS, BLOCKS, CHECKLIST_PAGE, checklistBlockId, docsBlockId } from '../ids.ts';
import type { Part, SlackMessage } from './common.ts';
import { actionButtons, actionsBlocks, fitParts, MESSAGE_FIT, SLACK_INLINE, stepLabel } from './common.ts';
import { LIMITS } from './limits.ts';
import { codeSpan, link, md, mention, nameOf, plain, userText } from './text.ts';
import {
  OUTCOME_LABELS,
  PHASE_EMOJI,
  PHASE_LABELS,
  SEVERITY_EMOJI,
  STEP_EMOJI,
} from '../../common/labels.ts';
import { plural, truncateMiddle } from '../../common/text.ts';
import type { Times } from '../../common/times.ts';
import { times } from '../../common/times.ts';

export type { LockHolder } from '../../common/actions.ts';

export interface CardOptions {
  readonly policy: Policy;
  /** IANA zone for every time shown (config `timezone`). */
  readonly timezone: string;
  readonly now: Date;
  /** Locks on this plan's services, by service; entries held by this hotfix itself are ignored. */
  readonly lockHolders?: Readonly<Record<string, LockHolder>>;
  /**
   * Suffix of the interactive block ids (default: the state's version). After a refused tick, redraw the
   * card with a fresh revision so Slack drops the box the person ticked locally.
   */
  readonly revision?: string;
  /** Permalinks of the thread messages that wait for people (a manual step's prompt, a vote), by message key. */
  readonly links?: PromptLinks;
}

/** How much detail each level keeps; the card falls back to a terser level when Slack's limits demand it. */
const LEVELS = [
  {
    summary: 700,
    names: 4,
    steps: 9,
    checks: 8,
    issues: 5,
    text: 300,
    descriptions: true,
    deps: 6,
    option: 75,
  },
  {
    summary: 300,
    names: 2,
    steps: 5,
    checks: 4,
    issues: 3,
    text: 150,
    descriptions: true,
    deps: 3,
    option: 75,
  },
  {
    summary: 120,
    names: 1,
    steps: 1,
    checks: 0,
    issues: 0,
    text: 80,
    descriptions: false,
    deps: 0,
    option: 40,
  },
] as const;
type Level = (typeof LEVELS)[number];

const oneLine = (text: string, max: number): string => userText(text, max, true);
const list = (items: readonly string[], max: number, each = 60): string => listOf(items, max, each, oneLine);

/**
 * A checklist item as a checkbox option; the description says who ticked it and when. A derived item says
 * it is ticked by the approvals (or waits for them): Slack cannot disable one box, so a click on it is refused.
 */
const checklistOption = (item: ChecklistItemView, index: number, t: Times, level: Level): PlainTextOption => {
  const tick = item.ticked;
  const who = tick
    ? item.derivedFrom
      ? `by ${item.derivedFrom}`
      : tick.automatic
        ? 'automatic check'
        : nameOf(tick.by)
    : '';
  const ticked = tick ? `✓ ${who} · ${t.at(tick.at)}` : '';
  // The evidence is cut in its middle to what the description has left, so its verdict (`exited 0`) stays.
  const room = LIMITS.optionDescription - ticked.length - 3;
  const evidence =
    tick?.evidence && room >= 12 ? ` · ${truncateMiddle(tick.evidence.replace(/\s+/g, ' '), room)}` : '';
  const description = tick
    ? `${ticked}${evidence}`
    : item.derivedFrom
      ? `Ticks itself when the ${item.derivedFrom} are in`
      : undefined;
  return {
    text: plain(item.label, level.option),
    value: String(index),
    ...(description !== undefined && level.descriptions
      ? { description: plain(description, LIMITS.optionDescription) }
      : {}),
  };
};

/** Pages of checkboxes per checklist on the card (10 items each): beyond that the card would not fit Slack. */
const MAX_CHECKLIST_PAGES = 5;

/** One checkboxes element per page of 10 items (Slack's cap), with the ticked ones as initial options. */
const checklistBlocks = (
  state: HotfixState,
  policy: Policy,
  checklist: Checklist,
  rev: string,
  t: Times,
  level: Level,
): KnownBlock[] => {
  const items = checklistItems(state, policy, checklist);
  const done = items.filter((i) => i.ticked !== null).length;
  const title: KnownBlock = {
    type: 'section',
    block_id: `${BLOCKS.checklistTitle}:${checklist}`,
    text: md(`*${CHECKLIST_LABELS[checklist]}* ${done}/${items.length}${done === items.length ? ' ✅' : ''}`),
  };
  if (items.length === 0) return [title];
  const pages: KnownBlock[] = [];
  const shown = Math.min(items.length, MAX_CHECKLIST_PAGES * CHECKLIST_PAGE);
  for (let page = 0; page * CHECKLIST_PAGE < shown; page++) {
    const slice = items.slice(page * CHECKLIST_PAGE, (page + 1) * CHECKLIST_PAGE);
    const options = slice.map((item, i) => checklistOption(item, page * CHECKLIST_PAGE + i, t, level));
    const initial = options.filter((_, i) => slice[i]?.ticked !== null);
    const element: Checkboxes = {
      type: 'checkboxes',
      action_id: ACTIONS.tick,
      options,
      ...(initial.length > 0 ? { initial_options: initial } : {}),
    };
    pages.push({
      type: 'actions',
      block_id: checklistBlockId(state.id, checklist, page, rev),
      elements: [element],
    });
  }
  const hidden = items.length - shown;
  if (hidden > 0)
    pages.push({
      type: 'context',
      elements: [md(`_${plural(hidden, 'more item')} not shown: Slack fits ${shown} on a card._`)],
    });
  return [title, ...pages];
};

const readinessParts = (state: HotfixState, policy: Policy, rev: string, t: Times, level: Level): Part[] => {
  const gate = readinessGate(state, policy);
  if (state.phase !== 'planned') {
    const line = gate.ok
      ? `*Readiness* ✅ ${gate.done}/${gate.total}`
      : `*Readiness* ${gate.done}/${gate.total} ${readinessFrozenNote(state)}`;
    return [{ blocks: [{ type: 'section', block_id: BLOCKS.readiness, text: md(line) }] }];
  }
  const missing =
    gate.missing.length === 0 ? ' ✅ complete' : ` · missing: ${list(gate.missing, level.names + 1, 50)}`;
  return [
    {
      blocks: [
        { type: 'divider' },
        {
          type: 'section',
          block_id: BLOCKS.readiness,
          text: md(`*Readiness* ${gate.done}/${gate.total}${missing}`),
        },
        ...CHECKLISTS.flatMap((c) => checklistBlocks(state, policy, c, rev, t, level)),
      ],
    },
  ];
};

const approvalParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  t: Times,
  level: Level,
): Part[] => {
  const { status, lines } = approvalLines(
    state,
    policy,
    t,
    { names: level.names, reasonMax: level.text },
    SLACK_INLINE,
  );
  const voided =
    state.voidedApprovals > 0 ? [`_${plural(state.voidedApprovals, 'approval')} voided by plan edits_`] : [];
  const text = [`*Approvals* ${status} · plan rev ${state.planRevision}`, ...lines, ...voided].join('\n');
  const blocks: KnownBlock[] = [{ type: 'section', block_id: BLOCKS.approvals, text: md(text) }];
  // Slack fits 25 buttons in a block: Approve and Reject for as many roles as fit.
  const roles = new Set(Object.keys(policy.approvals).slice(0, Math.floor(LIMITS.actionsElements / 2)));
  const buttons = actions.filter((a) => a.place === 'approvals' && a.data.role && roles.has(a.data.role));
  if (buttons.length > 0) blocks.push(...actionsBlocks(BLOCKS.approvalActions, actionButtons(buttons)));
  return [{ blocks: [{ type: 'divider' }, ...blocks] }];
};

const lockPart = (state: HotfixState, options: CardOptions, t: Times): Part[] => {
  const lines = lockLines(state, options.lockHolders, t, oneLine);
  return lines.length === 0
    ? []
    : [{ blocks: [{ type: 'section', block_id: BLOCKS.lock, text: md(lines.join('\n')) }] }];
};

const runPart = (
  run: Run,
  state: HotfixState,
  actions: readonly HotfixAction[],
  links: PromptLinks,
  t: Times,
  level: Level,
): Part[] => {
  const { done, stages } = runProgress(run);
  const head = `*${run.kind === 'deploy' ? 'Deploy' : 'Rollback'} run* ${codeSpan(run.id, 60)} · ${run.status} · ${done}/${plural(run.steps.length, 'step')} done`;
  const { steps, before, after } = stepWindow(run, level.steps);
  const stepLines = steps.map((s) => {
    const prompt = links[stepMessageKey(run.id, s.key)];
    const timing = stepTiming(
      s,
      t,
      (roles) => roles.join(' or '),
      prompt === undefined ? undefined : link(prompt, 'open the prompt'),
    );
    const error = s.status === 'failed' && s.error ? `: ${userText(s.error, level.text, true)}` : '';
    const skipped = s.status === 'skipped' && s.note ? `: ${userText(s.note, level.text, true)}` : '';
    return `${STEP_EMOJI[s.status]} ${stepLabel(s, 80)}${timing}${error}${skipped}`;
  });
  if (before > 0) stepLines.unshift(`_… ${plural(before, 'earlier step')}_`);
  if (after > 0) stepLines.push(`_… ${plural(after, 'more step')}_`);
  const earlier =
    state.runs.length > 1
      ? [
          `_Earlier runs: ${state.runs
            .slice(0, -1)
            .map((r) => `${r.id} ${r.status}`)
            .slice(-3)
            .join(', ')}_`,
        ]
      : [];
  const text = [head, stages, ...stepLines, ...earlier].join('\n');
  const blocks: KnownBlock[] = [
    { type: 'divider' },
    { type: 'section', block_id: BLOCKS.run, text: md(text) },
  ];
  // A failed run that settled (deploy or rollback failed) can go on: retry the failed step, or skip it. A
  // waiting manual step is answered here as on its prompt.
  const stepActions = actions.filter(
    (a) => (a.place === 'failed-step' || a.place === 'manual-step') && a.data.runId === run.id,
  );
  if (stepActions.length > 0) blocks.push(...actionsBlocks(BLOCKS.stepActions, actionButtons(stepActions)));
  return [{ blocks }];
};

const monitoringPart = (state: HotfixState, t: Times, level: Level): Part[] => {
  const m = state.monitoring;
  if (!m) return [];
  const checks = Object.values(m.checks);
  const head = `*Monitoring* ${monitoringStatus(m, t)}`;
  const lines = monitorCheckLines(m, level.checks, level.text / 2, oneLine);
  if (checks.length > level.checks && level.checks > 0)
    lines.push(`_… ${plural(checks.length - level.checks, 'more check')}_`);
  return [
    {
      blocks: [{ type: 'section', block_id: BLOCKS.monitoring, text: md([head, ...lines].join('\n')) }],
      dropRank: 3,
    },
  ];
};

/** The vote line used by the card and Home: tally against quorum, required roles and expiry. */
export const voteSummary = (vote: Vote, policy: Policy, t: Times, reasonMax: number): string => {
  const tl = tally(vote, policy);
  const { quorum } = policy.rollback.vote;
  const needs = tl.missingRoles.length > 0 ? ` · needs ${tl.missingRoles.join(', ')}` : '';
  const auto = vote.automatic ? ', automatic' : '';
  return `🗳 *Rollback vote #${vote.id}* (${humanize(vote.trigger)}${auto}): ${userText(vote.reason, reasonMax, true)}\nFor ${tl.for} · Against ${tl.against} · quorum ${quorum}${needs} · expires ${t.at(vote.expiresAt)} (${t.rel(vote.expiresAt)})`;
};

/** Breaches that wait for a decision, who accepted, and Accept / Roll back. */
const breachPart = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  t: Times,
  level: Level,
): Part[] => {
  const review = breachReviewLines(state, policy, t, level.text, SLACK_INLINE);
  if (review === null) return [];
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.breaches, text: md([review.head, ...review.lines].join('\n')) },
  ];
  const buttons = actions.filter((a) => a.place === 'breaches');
  if (buttons.length > 0) blocks.push(...actionsBlocks(BLOCKS.breachActions, actionButtons(buttons)));
  return [{ blocks }];
};

const votePart = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  links: PromptLinks,
  t: Times,
  level: Level,
): Part[] => {
  const open = openVote(state);
  const lines: string[] = [];
  if (open) {
    const message = links[voteMessageKey(open.id)];
    const where = message === undefined ? 'vote in the thread' : link(message, 'vote in the thread');
    lines.push(`${voteSummary(open, policy, t, level.text)} — ${where}`);
  }
  const last = state.votes.filter((v) => v.status !== 'open').at(-1);
  if (last) lines.push(`_${closedVoteLine(last, policy, t)}_`);
  if (lines.length === 0) return [];
  const blocks: KnownBlock[] = [{ type: 'section', block_id: BLOCKS.vote, text: md(lines.join('\n')) }];
  const ballots = actions.filter((a) => a.place === 'vote');
  if (ballots.length > 0) blocks.push(...actionsBlocks(BLOCKS.voteActions, actionButtons(ballots)));
  return [{ blocks }];
};

const issuesPart = (state: HotfixState, t: Times, level: Level): Part[] => {
  const { issues, observations } = state;
  if (issues.length === 0 && observations.length === 0) return [];
  const head = `*Issues* ${issueCounts(state)}`;
  const shown = openIssueLines(state, t, { max: level.issues, textMax: level.text }, SLACK_INLINE);
  const lines = [
    ...(shown.hidden > 0 ? [`_${plural(shown.hidden, 'earlier open issue')} not shown_`] : []),
    ...shown.lines,
  ];
  return [
    {
      blocks: [{ type: 'section', block_id: BLOCKS.issues, text: md([head, ...lines].join('\n')) }],
      dropRank: 2,
    },
  ];
};

const outcomeParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  rev: string,
  t: Times,
  level: Level,
): Part[] => {
  if (state.cancelled)
    return [
      {
        blocks: [
          { type: 'divider' },
          {
            type: 'section',
            block_id: BLOCKS.outcome,
            text: md(
              `🚫 *Cancelled* by ${mention(state.cancelled.by)} ${t.at(state.cancelled.at)}: ${userText(state.cancelled.reason, level.text, true)}`,
            ),
          },
        ],
      },
    ];
  const result = outcome(state);
  if (result === null) return [];
  const closed = state.closed ? `\n🏁 Closed by ${mention(state.closed.by)} ${t.at(state.closed.at)}` : '';
  const blocks: KnownBlock[] = [
    { type: 'divider' },
    { type: 'section', block_id: BLOCKS.outcome, text: md(`*Outcome* ${OUTCOME_LABELS[result]}${closed}`) },
  ];
  const signLines = signoffLines(state, policy, t, SLACK_INLINE);
  if (signLines.length > 0) {
    blocks.push({
      type: 'section',
      block_id: BLOCKS.signoffs,
      text: md([`*Sign-offs* ${signoffCount(state, policy)}`, ...signLines].join('\n')),
    });
    const signoffs = actions.filter((a) => a.place === 'signoffs');
    if (signoffs.length > 0) blocks.push(...actionsBlocks(BLOCKS.signoffActions, actionButtons(signoffs)));
  }
  const docsHead = `*Documentation updates* ${docsProgress(state)}`;
  if (state.closed) {
    blocks.push({ type: 'section', block_id: BLOCKS.docs, text: md(docsHead) });
  } else {
    const options = DOC_ITEMS.map((item: DocItem): PlainTextOption => {
      const stamp = state.docs[item];
      return {
        text: plain(docLabel(item), LIMITS.optionText),
        value: item,
        ...(stamp && level.descriptions
          ? { description: plain(`✓ ${nameOf(stamp.by)} · ${t.at(stamp.at)}`, LIMITS.optionDescription) }
          : {}),
      };
    });
    const initial = options.filter((o) => o.value !== undefined && state.docs[o.value as DocItem] !== null);
    blocks.push(
      { type: 'section', text: md(docsHead) },
      {
        type: 'actions',
        block_id: docsBlockId(state.id, rev),
        elements: [
          {
            type: 'checkboxes',
            action_id: ACTIONS.docs,
            options,
            ...(initial.length > 0 ? { initial_options: initial } : {}),
          },
        ],
      },
    );
  }
  return [{ blocks }];
};

const actionsPart = (actions: readonly HotfixAction[]): Part[] => {
  const foot = actions.filter((a) => a.place === 'card');
  return foot.length === 0 ? [] : [{ blocks: actionsBlocks(BLOCKS.actions, actionButtons(foot)) }];
};

const planParts = (state: HotfixState, t: Times, level: Level): Part[] => {
  const { plan } = state;
  const timeline = plan.timeline;
  const res = plan.resources;
  const people = (role: keyof typeof res) =>
    res[role].length === 0
      ? `${role} —`
      : level.names >= 2
        ? `${role} ${res[role].slice(0, level.names).map(mention).join(' ')}${res[role].length > level.names ? ` +${res[role].length - level.names}` : ''}`
        : `${role} ${res[role].length}`;
  const deps = plan.dependencies;
  const depLine = (name: string, items: readonly string[]) =>
    items.length === 0
      ? null
      : level.deps > 0
        ? `${name}: ${list(items, level.deps, 40)}`
        : `${name} ${items.length}`;
  const fields = [
    `*Version*\n${codeSpan(plan.version, 60)}${plan.previousVersion ? ` (previous ${codeSpan(plan.previousVersion, 60)})` : ''}`,
    `*Services* (${plan.services.length})\n${list(plan.services, level.names * 3, 40)}`,
    `*Changes*\ncode ${plan.changes.code.length} · database ${plan.changes.database.length} · config ${plan.changes.config.length}`,
    `*Dependencies*\n${[depLine('systems', deps.systems), depLine('services', deps.services), depLine('databases', deps.databases), depLine('external', deps.external)].filter((l) => l !== null).join('\n') || 'none'}`,
    `*Timeline*\nstart ${t.at(timeline.start)} · estimate ${userText(timeline.durationEstimate ?? '—', 30, true)}\ntarget ${t.at(timeline.targetCompletion)} · verify ${userText(timeline.verificationPeriod ?? '—', 30, true)}`,
    `*Resources*\n${(['technical', 'support', 'business', 'management'] as const).map(people).join('\n')}`,
  ];
  const summary =
    plan.summary.trim() === ''
      ? []
      : [
          {
            type: 'section' as const,
            block_id: BLOCKS.summary,
            text: md(`*Summary*\n${userText(plan.summary, level.summary)}`),
          },
        ];
  // The process's risk assessment and communication plan: free text, so a section of their own (not a field).
  const notes = [
    ...(plan.risk
      ? [
          `*Risk* ${SEVERITY_EMOJI[plan.risk.level]} *${plan.risk.level}* — ${userText(plan.risk.assessment, level.summary)}`,
        ]
      : []),
    ...(plan.communicationPlan
      ? [`*Communication plan*\n${userText(plan.communicationPlan, level.summary)}`]
      : []),
  ];
  const risk =
    notes.length === 0
      ? []
      : [{ type: 'section' as const, block_id: BLOCKS.risk, text: md(notes.join('\n')) }];
  return [
    {
      blocks: [
        ...summary,
        { type: 'section', block_id: BLOCKS.plan, fields: fields.map((f) => md(f, LIMITS.sectionFieldText)) },
        ...risk,
      ],
    },
  ];
};

/**
 * The hotfix card: one message in the incident channel, edited in place. Shows the phase, the plan, the
 * readiness checklists (checkboxes while planning), approvals with who/when and buttons, the lock, the current
 * run and step, the monitoring window, the rollback vote, issues, sign-offs and the actions available now.
 * Pure: `now` and the time zone come in; long content is cut or paged so Slack's limits always hold.
 */
export const renderCard = (state: HotfixState, options: CardOptions): SlackMessage => {
  const t = times(options.timezone, options.now);
  const rev = options.revision ?? String(state.version);
  const { plan } = state;
  const headerText = `${PHASE_EMOJI[state.phase]} ${state.id} · ${plan.issueId} · ${PHASE_LABELS[state.phase]}`;
  const context = `${SEVERITY_EMOJI[plan.severity]} *${plan.severity}* · requested by ${mention(state.requester)} · started ${t.at(state.startedAt)} · rev ${state.planRevision} · updated ${t.at(state.updatedAt)} · times in ${userText(options.timezone, 40, true)}`;
  const actions = [...cardActions(state, options), ...promptActions(state, options.now)];
  const links = options.links ?? {};
  const render = (n: number): Part[] => {
    const level = LEVELS[Math.min(n, LEVELS.length - 1)] ?? LEVELS[0];
    const run = currentRun(state);
    return [
      {
        blocks: [
          { type: 'header', block_id: BLOCKS.header, text: plain(headerText, LIMITS.headerText) },
          { type: 'context', block_id: BLOCKS.context, elements: [md(context)] },
        ],
      },
      ...planParts(state, t, level),
      ...readinessParts(state, options.policy, rev, t, level),
      ...approvalParts(state, options.policy, actions, t, level),
      ...lockPart(state, options, t),
      ...(run ? runPart(run, state, actions, links, t, level) : []),
      ...monitoringPart(state, t, level),
      ...votePart(state, options.policy, actions, links, t, level),
      ...breachPart(state, options.policy, actions, t, level),
      ...issuesPart(state, t, level),
      ...outcomeParts(state, options.policy, actions, rev, t, level),
      ...actionsPart(actions),
    ];
  };
  const blocks = fitParts(render, {
    levels: LEVELS.length,
    ...MESSAGE_FIT,
    note: {
      type: 'context',
      elements: [
        md(
          `Some details are hidden to fit Slack; \`/hotfix status ${userText(state.id, 60, true)}\` shows all.`,
        ),
      ],
    },
  });
  const text = `${PHASE_EMOJI[state.phase]} ${userText(cardSummary(state), 300, true)}`;
  return { text, blocks };
};

/**
 * What a click on a checklist page means. `seen` is what the card the person clicked showed as ticked (its
 * `initial_options`): then only the boxes they changed count, so a card drawn before an automatic tick cannot
 * untick it. Without `seen` (an ephemeral card, whose message Slack does not send back), the selection is
 * compared with the recorded state. The listener turns `tick` into TickChecklistItem and `untick` into
 * UntickChecklistItem commands (by label).
 */
export const readChecklistChange = (
  state: HotfixState,
  policy: Policy,
  checklist: Checklist,
  page: number,
  selectedValues: readonly string[],
  seenValues?: readonly string[],
): { tick: string[]; untick: string[] } => {
  // As the card showed them: a click on a derived item becomes a command the domain refuses, and says why.
  const items = checklistItems(state, policy, checklist);
  const indices = (values: readonly string[]) =>
    new Set(values.filter((v) => /^\d{1,4}$/.test(v)).map(Number));
  const selected = indices(selectedValues);
  const seen = seenValues ? indices(seenValues) : undefined;
  const tick: string[] = [];
  const untick: string[] = [];
  for (let i = page * CHECKLIST_PAGE; i < Math.min(items.length, (page + 1) * CHECKLIST_PAGE); i++) {
    const item = items[i];
    if (!item) continue;
    const wasShown = seen ? seen.has(i) : item.ticked !== null;
    if (selected.has(i) && !wasShown && item.ticked === null) tick.push(item.label);
    if (!selected.has(i) && wasShown && item.ticked !== null) untick.push(item.label);
  }
  return { tick, untick };
};

/** The documentation-update boxes a click changed: DocItem → done (`seen` as for checklists). */
export const readDocsChange = (
  state: HotfixState,
  selectedValues: readonly string[],
  seenValues?: readonly string[],
): { item: DocItem; done: boolean }[] => {
  const selected = new Set(selectedValues);
  const seen = seenValues ? new Set(seenValues) : undefined;
  return DOC_ITEMS.filter((item) => {
    const wasShown = seen ? seen.has(item) : state.docs[item] !== null;
    return selected.has(item) !== wasShown && selected.has(item) !== (state.docs[item] !== null);
  }).map((item) => ({ item, done: selected.has(item) }));
};
