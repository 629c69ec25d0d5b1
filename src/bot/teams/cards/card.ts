import { CHECKLIST_LABELS } from '../../../domain/hotfix/describe-event.ts';
import type { Checklist } from '../../../domain/hotfix/events.ts';
import { CHECKLISTS, DOC_ITEMS } from '../../../domain/hotfix/events.ts';
import { capitalize, humanize } from '../../../domain/hotfix/format.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import type { ChecklistItemView } from '../../../domain/hotfix/queries.ts';
import {
  checklistItems as checklistView,
  currentRun,
  openVote,
  outcome,
  readinessGate,
  tally,
} from '../../../domain/hotfix/queries.ts';
import type { HotfixState, Run, StepState, Vote } from '../../../domain/hotfix/state.ts';
import type { ActionPlace, HotfixAction, LockHolder } from '../../common/actions.ts';
import { cardActions, promptActions } from '../../common/actions.ts';
import type { PromptLinks } from '../../common/card.ts';
import { stepMessageKey, voteMessageKey } from '../../common/thread.ts';
import {
  approvalLines,
  cardSummary,
  breachReviewLines,
  monitorCheckLines,
  openIssueLines,
  closedVoteLine,
  docLabel,
  docsProgress,
  issueCounts,
  listOf,
  lockLines,
  readinessFrozenNote,
  monitoringStatus,
  runProgress,
  signoffCount,
  signoffLines,
  stepTiming,
  stepWindow,
} from '../../common/card.ts';
import { VERBS } from '../verbs.ts';
import { cardButton, footActions } from './actions.ts';
import type { AdaptiveCard, CardAction, CardElement, ColumnSet, TeamsCard } from './adaptive.ts';
import { actionSet, card, CARD_BUDGET_BYTES, cardBytes, container, execute, text } from './adaptive.ts';
import {
  bold,
  CARD_INLINE,
  lines,
  link,
  personName,
  plainText,
  roleLabel,
  stepLabel,
  userText,
} from './text.ts';
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

export type { LockHolder };

export interface CardOptions {
  readonly policy: Policy;
  /** IANA zone for every time shown (config `timezone`). */
  readonly timezone: string;
  readonly now: Date;
  /** Locks on this plan's services, by service; entries held by this hotfix itself are ignored. */
  readonly lockHolders?: Readonly<Record<string, LockHolder>>;
  /** Deep links to the thread messages that wait for people (a manual step's prompt, a vote), by message key. */
  readonly links?: PromptLinks;
}

/** How much detail each level keeps; the card falls back to a terser level when it would pass the size budget. */
const LEVELS = [
  { summary: 3000, names: 8, steps: 40, checks: 20, issues: 10, text: 500, items: 50, evidence: 200 },
  { summary: 700, names: 4, steps: 9, checks: 8, issues: 5, text: 300, items: 30, evidence: 80 },
  { summary: 200, names: 2, steps: 5, checks: 4, issues: 3, text: 120, items: 20, evidence: 0 },
] as const;
type Level = (typeof LEVELS)[number];

/** A part of the card: its elements, and whether it may be left out when the card would be too big. */
interface Part {
  readonly items: readonly CardElement[];
  /** Lower is dropped first; undefined = never dropped. */
  readonly dropRank?: number;
}

const section = (items: readonly CardElement[], dropRank?: number): Part[] => [
  { items: [container(items, { separator: true, spacing: 'medium' })], ...(dropRank ? { dropRank } : {}) },
];

const oneLine = (text: string, max: number): string => userText(text, max, true);
const list = (items: readonly string[], max: number, each = 60): string => listOf(items, max, each, oneLine);

/** A line with a button at its end: how a checklist item or a documentation update is ticked in Teams. */
const toggleRow = (markdown: string, action: CardAction): ColumnSet => ({
  type: 'ColumnSet',
  spacing: 'small',
  columns: [
    { type: 'Column', width: 'stretch', items: [text(markdown)], verticalContentAlignment: 'center' },
    { type: 'Column', width: 'auto', items: [actionSet([action])], verticalContentAlignment: 'center' },
  ],
});

/** `✓ Theo Tech · 03:00 · exit 0`: who ticked an item and when (`by approvals` for a derived item). */
const tickedBy = (item: ChecklistItemView, t: Times, level: Level): string => {
  const tick = item.ticked;
  if (tick === null) return '';
  const who = item.derivedFrom
    ? `by ${item.derivedFrom}`
    : tick.automatic
      ? 'automatic check'
      : personName(tick.by);
  // Cut in its middle, so the verdict at its end (`exited 0`, `→ 200`) stays.
  const evidence =
    tick.evidence && level.evidence > 0
      ? ` · ${userText(truncateMiddle(tick.evidence.replace(/\s+/g, ' '), level.evidence), level.evidence, true)}`
      : '';
  return `✓ ${who} · ${t.at(tick.at)}${evidence}`;
};

const checklistItems = (
  state: HotfixState,
  policy: Policy,
  checklist: Checklist,
  t: Times,
  level: Level,
): CardElement[] => {
  const items = checklistView(state, policy, checklist);
  const done = items.filter((i) => i.ticked !== null).length;
  const title = text(
    `${bold(CHECKLIST_LABELS[checklist])} ${done}/${items.length}${done === items.length ? ' ✅' : ''}`,
  );
  const rows = items.slice(0, level.items).map((item, index) => {
    const label = userText(item.label, level.text, true);
    // A derived item has no button: it follows what it is derived from (the domain refuses a tick anyway).
    if (item.derivedFrom)
      return text(
        item.ticked
          ? `☑️ ${label} — ${tickedBy(item, t, level)}`
          : `⬜ ${label} — ticks itself when the ${item.derivedFrom} are in`,
      );
    const line = item.ticked ? `☑️ ${label} — ${tickedBy(item, t, level)}` : `⬜ ${label}`;
    return toggleRow(
      line,
      execute(item.ticked ? 'Untick' : 'Tick', {
        verb: VERBS.toggleItem,
        hotfixId: state.id,
        checklist,
        index,
        ticked: item.ticked !== null,
      }),
    );
  });
  const hidden = items.length - rows.length;
  const more =
    hidden > 0
      ? [text(`${plural(hidden, 'more item')} not shown to fit Teams' size limit.`, { isSubtle: true })]
      : [];
  return [title, ...rows, ...more];
};

const readinessParts = (state: HotfixState, policy: Policy, t: Times, level: Level): Part[] => {
  const gate = readinessGate(state, policy);
  if (state.phase !== 'planned')
    return section([
      text(
        gate.ok
          ? `${bold('Readiness')} ✅ ${gate.done}/${gate.total}`
          : `${bold('Readiness')} ${gate.done}/${gate.total} ${readinessFrozenNote(state)}`,
      ),
    ]);
  const missing =
    gate.missing.length === 0 ? ' ✅ complete' : ` · missing: ${list(gate.missing, level.names, 50)}`;
  return section([
    text(`${bold('Readiness')} ${gate.done}/${gate.total}${missing}`),
    ...CHECKLISTS.flatMap((c) => checklistItems(state, policy, c, t, level)),
  ]);
};

const approvalParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  t: Times,
  level: Level,
): Part[] => {
  const { status, lines: approvals } = approvalLines(
    state,
    policy,
    t,
    { names: level.names, reasonMax: level.text },
    CARD_INLINE,
  );
  const voided =
    state.voidedApprovals > 0 ? [`${plural(state.voidedApprovals, 'approval')} voided by plan edits`] : [];
  const items: CardElement[] = [
    text(lines(`${bold('Approvals')} ${status} · plan rev ${state.planRevision}`, ...approvals, ...voided)),
  ];
  if (actions.length > 0) items.push(actionSet(actions.map(cardButton)));
  return section(items);
};

const lockParts = (state: HotfixState, options: CardOptions, t: Times): Part[] => {
  const out = lockLines(state, options.lockHolders, t, oneLine);
  return out.length === 0 ? [] : section([text(lines(...out))]);
};

const stepLine = (s: StepState, t: Times, level: Level, prompt: string | undefined): string => {
  const timing = stepTiming(
    s,
    t,
    (roles) => roles.map(roleLabel).join(' or '),
    prompt === undefined ? undefined : link(prompt, 'open the prompt'),
  );
  const error = s.status === 'failed' && s.error ? `: ${userText(s.error, level.text, true)}` : '';
  const skipped = s.status === 'skipped' && s.note ? `: ${userText(s.note, level.text, true)}` : '';
  return `${STEP_EMOJI[s.status]} ${stepLabel(s, 80)}${timing}${error}${skipped}`;
};

const runParts = (
  run: Run,
  state: HotfixState,
  actions: readonly HotfixAction[],
  links: PromptLinks,
  t: Times,
  level: Level,
): Part[] => {
  const { done, stages } = runProgress(run);
  const head = `${bold(run.kind === 'deploy' ? 'Deploy run' : 'Rollback run')} ${userText(run.id, 60, true)} · ${run.status} · ${done}/${plural(run.steps.length, 'step')} done`;
  // Show a window of steps around the one that matters now: running, failed, or next.
  const { steps, before, after } = stepWindow(run, level.steps);
  const stepLines = steps.map((s) => stepLine(s, t, level, links[stepMessageKey(run.id, s.key)]));
  if (before > 0) stepLines.unshift(`… ${plural(before, 'earlier step')}`);
  if (after > 0) stepLines.push(`… ${plural(after, 'more step')}`);
  const earlier =
    state.runs.length > 1
      ? `Earlier runs: ${state.runs
          .slice(0, -1)
          .slice(-3)
          .map((r) => `${userText(r.id, 60, true)} ${r.status}`)
          .join(', ')}`
      : null;
  const items: CardElement[] = [
    text(lines(head, stages, ...stepLines)),
    ...(earlier ? [text(earlier, { isSubtle: true })] : []),
  ];
  // A failed run that settled (deploy or rollback failed) can go on: retry the failed step, or skip it. A
  // waiting manual step is answered here as on its prompt.
  if (actions.length > 0) items.push(actionSet(actions.map(cardButton)));
  return section(items);
};

const monitoringParts = (state: HotfixState, t: Times, level: Level): Part[] => {
  const m = state.monitoring;
  if (!m) return [];
  const checks = Object.values(m.checks);
  const head = `${bold('Monitoring')} ${monitoringStatus(m, t)}`;
  const checkLines = monitorCheckLines(m, level.checks, level.text / 2, oneLine);
  if (checks.length > level.checks)
    checkLines.push(`… ${plural(checks.length - level.checks, 'more check')}`);
  return section([text(lines(head, ...checkLines))], 3);
};

/** The vote as the card shows it: tally against quorum, required roles and expiry. */
export const voteSummary = (vote: Vote, policy: Policy, t: Times, reasonMax: number): string => {
  const tl = tally(vote, policy);
  const { quorum } = policy.rollback.vote;
  const needs = tl.missingRoles.length > 0 ? ` · needs ${tl.missingRoles.map(roleLabel).join(', ')}` : '';
  const auto = vote.automatic ? ', automatic' : '';
  return lines(
    `🗳️ ${bold(`Rollback vote #${vote.id}`)} (${humanize(vote.trigger)}${auto}): ${userText(vote.reason, reasonMax, true)}`,
    `For ${tl.for} · Against ${tl.against} · quorum ${quorum}${needs} · expires ${t.at(vote.expiresAt)} (${t.rel(vote.expiresAt)})`,
  );
};

const voteParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  links: PromptLinks,
  t: Times,
  level: Level,
): Part[] => {
  const open = openVote(state);
  const out: string[] = [];
  if (open) {
    const message = links[voteMessageKey(open.id)];
    const where = message === undefined ? 'vote in the thread' : link(message, 'vote in the thread');
    out.push(`${voteSummary(open, policy, t, level.text)} — ${where}`);
  }
  const last = state.votes.filter((v) => v.status !== 'open').at(-1);
  if (last) out.push(closedVoteLine(last, policy, t));
  if (out.length === 0) return [];
  const items: CardElement[] = [text(lines(...out))];
  if (actions.length > 0) items.push(actionSet(actions.map(cardButton)));
  return section(items);
};

/** Breaches that wait for a decision, who accepted, and Accept / Roll back. */
const breachParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  t: Times,
  level: Level,
): Part[] => {
  const review = breachReviewLines(state, policy, t, level.text, CARD_INLINE);
  if (review === null) return [];
  const items: CardElement[] = [text(lines(review.head, ...review.lines))];
  if (actions.length > 0) items.push(actionSet(actions.map(cardButton)));
  return section(items);
};

const issueParts = (state: HotfixState, t: Times, level: Level): Part[] => {
  const { issues, observations } = state;
  if (issues.length === 0 && observations.length === 0) return [];
  const head = `${bold('Issues')} ${issueCounts(state)}`;
  const open = openIssueLines(state, t, { max: level.issues, textMax: level.text }, CARD_INLINE);
  const shown = [
    ...(open.hidden > 0 ? [`${plural(open.hidden, 'earlier open issue')} not shown`] : []),
    ...open.lines,
  ];
  return section([text(lines(head, ...shown))], 2);
};

const outcomeParts = (
  state: HotfixState,
  policy: Policy,
  actions: readonly HotfixAction[],
  t: Times,
  level: Level,
): Part[] => {
  if (state.cancelled)
    return section([
      text(
        `🚫 ${bold('Cancelled')} by ${personName(state.cancelled.by)} ${t.at(state.cancelled.at)}: ${userText(state.cancelled.reason, level.text, true)}`,
      ),
    ]);
  const result = outcome(state);
  if (result === null) return [];
  const closed = state.closed ? `🏁 Closed by ${personName(state.closed.by)} ${t.at(state.closed.at)}` : null;
  const items: CardElement[] = [text(lines(`${bold('Outcome')} ${OUTCOME_LABELS[result]}`, closed))];
  if (policy.signoffs.length > 0) {
    const signLines = signoffLines(state, policy, t, CARD_INLINE);
    items.push(text(lines(`${bold('Sign-offs')} ${signoffCount(state, policy)}`, ...signLines)));
    if (actions.length > 0) items.push(actionSet(actions.map(cardButton)));
  }
  items.push(text(`${bold('Documentation updates')} ${docsProgress(state)}`));
  if (!state.closed)
    items.push(
      ...DOC_ITEMS.map((doc) => {
        const stamp = state.docs[doc];
        const label = docLabel(doc);
        return toggleRow(
          stamp ? `☑️ ${label} — ✓ ${personName(stamp.by)} · ${t.at(stamp.at)}` : `⬜ ${label}`,
          execute(stamp ? 'Untick' : 'Tick', {
            verb: VERBS.toggleDoc,
            hotfixId: state.id,
            doc,
            ticked: stamp !== null,
          }),
        );
      }),
    );
  return section(items);
};

const planParts = (state: HotfixState, t: Times, level: Level): Part[] => {
  const { plan } = state;
  const { timeline, resources: res, dependencies: deps } = plan;
  const people = (role: keyof typeof res) =>
    res[role].length === 0
      ? `${capitalize(role)} —`
      : `${capitalize(role)} ${res[role]
          .slice(0, level.names)
          .map((p) => personName(p))
          .join(', ')}${res[role].length > level.names ? ` +${res[role].length - level.names}` : ''}`;
  const depLine = (name: string, items: readonly string[]) =>
    items.length === 0 ? null : `${name}: ${list(items, level.names * 2, 40)}`;
  const dependencies = [
    depLine('systems', deps.systems),
    depLine('services', deps.services),
    depLine('databases', deps.databases),
    depLine('external', deps.external),
  ].filter((l) => l !== null);
  const facts = lines(
    `${bold('Version')} ${userText(plan.version, 60, true)}${plan.previousVersion ? ` (previous ${userText(plan.previousVersion, 60, true)})` : ''}`,
    `${bold(`Services (${plan.services.length})`)} ${list(plan.services, level.names * 3, 40)}`,
    `${bold('Changes')} code ${plan.changes.code.length} · database ${plan.changes.database.length} · config ${plan.changes.config.length}`,
    `${bold('Dependencies')} ${dependencies.length > 0 ? dependencies.join(' · ') : 'none'}`,
    `${bold('Timeline')} start ${t.at(timeline.start)} · estimate ${userText(timeline.durationEstimate ?? '—', 30, true)} · target ${t.at(timeline.targetCompletion)} · verify ${userText(timeline.verificationPeriod ?? '—', 30, true)}`,
    `${bold('Resources')} ${(['technical', 'support', 'business', 'management'] as const).map(people).join(' · ')}`,
  );
  const summary =
    plan.summary.trim() === '' ? [] : [text(lines(bold('Summary'), userText(plan.summary, level.summary)))];
  // The process's risk assessment and communication plan, when the plan has them.
  const notes = [
    ...(plan.risk
      ? [
          `${bold('Risk')} ${SEVERITY_EMOJI[plan.risk.level]} ${bold(plan.risk.level)} — ${userText(plan.risk.assessment, level.summary)}`,
        ]
      : []),
    ...(plan.communicationPlan
      ? [lines(bold('Communication plan'), userText(plan.communicationPlan, level.summary))]
      : []),
  ];
  return section([...summary, text(facts), ...(notes.length === 0 ? [] : [text(lines(...notes))])]);
};

/**
 * The hotfix card: one Adaptive Card (1.5) per hotfix, posted as the thread's root and updated in place. Shows
 * the phase, the plan, both readiness checklists (a Tick/Untick button per item while planning, with who
 * ticked and when), approvals with who/when and buttons, the lock, the current run and step, the monitoring
 * window, the rollback vote, issues, sign-offs, documentation updates and the actions available now. Pure:
 * `now` and the time zone come in; long content is cut (visibly) so the card stays within Teams' size limit.
 */
export const renderHotfixCard = (state: HotfixState, options: CardOptions): TeamsCard => {
  const t = times(options.timezone, options.now);
  const { plan } = state;
  const header = container(
    [
      text(
        `${PHASE_EMOJI[state.phase]} ${userText(state.id, 60, true)} · ${userText(plan.issueId, 100, true)} · ${PHASE_LABELS[state.phase]}`,
        { size: 'large', weight: 'bolder' },
      ),
      text(
        `${SEVERITY_EMOJI[plan.severity]} ${bold(plan.severity)} · requested by ${personName(state.requester)} · started ${t.at(state.startedAt)} · rev ${state.planRevision} · updated ${t.at(state.updatedAt)} · times in ${userText(options.timezone, 40, true)}`,
        { isSubtle: true, size: 'small' },
      ),
    ],
    { style: 'emphasis' },
  );
  const actions = [...cardActions(state, options), ...promptActions(state, options.now)];
  const at = (place: ActionPlace) => actions.filter((a) => a.place === place);
  const links = options.links ?? {};
  const render = (n: number): Part[] => {
    const level = LEVELS[Math.min(n, LEVELS.length - 1)] ?? LEVELS[0];
    const run = currentRun(state);
    return [
      { items: [header] },
      ...planParts(state, t, level),
      ...readinessParts(state, options.policy, t, level),
      ...approvalParts(state, options.policy, at('approvals'), t, level),
      ...lockParts(state, options, t),
      ...(run ? runParts(run, state, [...at('failed-step'), ...at('manual-step')], links, t, level) : []),
      ...monitoringParts(state, t, level),
      ...voteParts(state, options.policy, at('vote'), links, t, level),
      ...breachParts(state, options.policy, at('breaches'), t, level),
      ...issueParts(state, t, level),
      ...outcomeParts(state, options.policy, at('signoffs'), t, level),
    ];
  };
  const foot = footActions(at('card'));
  const note = text(
    `Some details are hidden to fit Teams' size limit; @hotfix status ${userText(state.id, 60, true)} shows all.`,
    { isSubtle: true, size: 'small' },
  );
  const body = fitParts(render, LEVELS.length, (items) => card(items, foot), note);
  const summary = plainText(`${PHASE_EMOJI[state.phase]} ${cardSummary(state)}`, 300);
  return { card: card(body, foot), summary };
};

/**
 * The elements at the richest level whose card fits the size budget; past the tersest level, optional parts
 * are dropped (lowest `dropRank` first) and `note` says so.
 */
const fitParts = (
  render: (level: number) => readonly Part[],
  levels: number,
  wrap: (items: readonly CardElement[]) => AdaptiveCard,
  note: CardElement,
): CardElement[] => {
  const fits = (items: readonly CardElement[]) => cardBytes(wrap(items)) <= CARD_BUDGET_BYTES;
  let parts: readonly Part[] = [];
  for (let level = 0; level < levels; level++) {
    parts = render(level);
    const items = parts.flatMap((p) => p.items);
    if (fits(items)) return items;
  }
  const droppable = parts
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.dropRank !== undefined)
    .sort((a, b) => (a.p.dropRank ?? 0) - (b.p.dropRank ?? 0));
  const dropped = new Set<number>();
  const current = () => [...parts.filter((_, i) => !dropped.has(i)).flatMap((p) => p.items), note];
  for (const { i } of droppable) {
    if (fits(current())) break;
    dropped.add(i);
  }
  return current();
};
