import { DOC_ITEM_LABELS } from '../../domain/hotfix/describe-event.ts';
import type { DocItem } from '../../domain/hotfix/events.ts';
import { DOC_ITEMS } from '../../domain/hotfix/events.ts';
import { formatDuration } from '../../domain/hotfix/format.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import { STAGES } from '../../domain/hotfix/policy.ts';
import {
  approvalGate,
  currentRun,
  breachDeciders,
  holdsLock,
  missingSignoffs,
  openVote,
  reviewFindings,
  tally,
} from '../../domain/hotfix/queries.ts';
import type {
  HotfixState,
  MonitorCheckState,
  Monitoring,
  Run,
  StepState,
  Vote,
} from '../../domain/hotfix/state.ts';
import type { LockHolder } from './actions.ts';
import { foreignLocks } from './actions.ts';
import { PHASE_LABELS } from './labels.ts';
import type { Escape, Inline } from './text.ts';
import { stepMessageKey, voteMessageKey } from './thread.ts';
import { plural } from './text.ts';
import type { Times } from './times.ts';

/*
 * What each section of the hotfix card says, for both edges: the counts, the windows, the sentences. Each
 * edge wraps them in its own markup; `escape` is the edge's way to put user or config text in its markup
 * (cut to `max` characters, on one line).
 */

/** `a, b, c +2 more`, each item escaped and cut; `none` when empty. */
export const listOf = (items: readonly string[], max: number, each: number, escape: Escape): string => {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, Math.max(1, max)).map((i) => escape(i, each));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(', ')} +${more} more` : shown.join(', ');
};

/** The notification and fallback text of a card (unescaped). */
export const cardSummary = (state: HotfixState): string =>
  `${state.id} · ${state.plan.issueId} · ${state.plan.severity} · ${PHASE_LABELS[state.phase]} — ${state.plan.summary}`;

/**
 * Why readiness no longer changes once planning is over, when it was left incomplete: a cancelled hotfix
 * says so (it never reached deploy); otherwise it froze when deploy was requested.
 */
export const readinessFrozenNote = (state: HotfixState): string =>
  state.cancelled ? '(not completed: the hotfix was cancelled)' : '(frozen when deploy was requested)';

/** The lock's lines: held, waiting, refused on deploy, or other hotfixes holding this plan's services. */
export const lockLines = (
  state: HotfixState,
  lockHolders: Readonly<Record<string, LockHolder>> | undefined,
  t: Times,
  escape: Escape,
): string[] => {
  const out: string[] = [];
  const services = (s: readonly string[]) => listOf(s, 5, 60, escape);
  if (holdsLock(state) && state.lock.since)
    out.push(`🔒 Holds the deploy lock on ${services(state.lock.services)} since ${t.at(state.lock.since)}`);
  else if (state.lock.status === 'requested')
    out.push(`⏳ Waiting for the deploy lock on ${services(state.lock.services)}`);
  if (state.phase === 'planned') {
    const refusal = state.lock.status === 'refused' ? state.lock.refusal : undefined;
    if (refusal)
      out.push(
        `⛔ Deploy refused: ${escape(refusal.service, 60)} is locked by ${escape(refusal.heldBy, 60)} since ${t.at(refusal.since)}; deploy again when it is done`,
      );
    for (const [service, holder] of foreignLocks(state, lockHolders).slice(0, 5))
      out.push(
        `🔒 ${escape(service, 60)} is locked by ${escape(holder.hotfixId, 60)} since ${t.at(holder.since)} (${t.since(holder.since)})`,
      );
  }
  return out;
};

/** `; attempt 1 interrupted`, when earlier attempts of the step never finished (their worker died). */
const interrupted = (s: StepState): string => {
  const attempts = (s.interruptions ?? []).map((i) => i.attempt);
  return attempts.length === 0 ? '' : `; attempt ${attempts.join(', ')} interrupted`;
};

/**
 * After a step's label: how long it has run (and who must confirm a manual one) or how long it took.
 * `prompt` is the edge's link to a waiting manual step's prompt in the thread, once known.
 */
export const stepTiming = (
  s: StepState,
  t: Times,
  roles: (roles: readonly string[]) => string,
  prompt?: string,
): string =>
  s.status === 'running'
    ? ` — running ${t.since(s.startedAt)}${s.attempt > 1 ? ` (attempt ${s.attempt}${interrupted(s)})` : ''}${
        s.kind === 'manual'
          ? `; waiting for ${s.roles.length > 0 ? roles(s.roles) : 'a person'} to confirm${
              prompt === undefined ? ' in the thread' : ` — ${prompt}`
            }`
          : ''
      }`
    : s.status === 'succeeded' || s.status === 'failed'
      ? ` ${formatDuration(s.durationMs)}`
      : '';

/**
 * The thread messages a card links to now, by message key (`stepMessageKey`, `voteMessageKey`): each waiting
 * manual step's prompt in the current run and the open vote's message.
 */
export const promptKeys = (state: HotfixState): string[] => {
  const run = currentRun(state);
  const steps = (run?.steps ?? [])
    .filter((s) => s.kind === 'manual' && s.status === 'running')
    .map((s) => stepMessageKey(run?.id ?? '', s.key));
  const vote = openVote(state);
  return vote ? [...steps, voteMessageKey(vote.id)] : steps;
};

/** Where a card links a waiting prompt: message key → the platform's link to that thread message. */
export type PromptLinks = Readonly<Record<string, string>>;

/** A run at a glance: steps done and each stage's mark. */
export const runProgress = (run: Run): { readonly done: number; readonly stages: string } => ({
  done: run.steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped').length,
  stages: STAGES.filter((stage) => run.steps.some((s) => s.stage === stage))
    .map((stage) => {
      const result = run.stages[stage];
      const running = run.steps.some((s) => s.stage === stage && s.status === 'running');
      return `${result === 'passed' ? '✅' : result === 'failed' ? '❌' : running ? '▶️' : '⏳'} ${stage}`;
    })
    .join(' · '),
});

/** The `size` steps around the one that matters now (running, failed, or next), and how many lie either side. */
export const stepWindow = (
  run: Run,
  size: number,
): { readonly steps: readonly StepState[]; readonly before: number; readonly after: number } => {
  const focus = run.steps.findIndex((s) => s.status === 'running' || s.status === 'failed');
  const center = focus >= 0 ? focus : run.steps.findIndex((s) => s.status === 'pending');
  const at = center >= 0 ? center : run.steps.length - 1;
  const from = Math.max(0, Math.min(at - Math.floor(size / 2), run.steps.length - size));
  const steps = run.steps.slice(from, from + size);
  return { steps, before: from, after: run.steps.length - from - steps.length };
};

/** After `Monitoring`: until when and what is left, or how the window closed. */
export const monitoringStatus = (monitoring: Monitoring, t: Times): string => {
  const checks = Object.values(monitoring.checks);
  const breaches = plural(
    checks.reduce((sum, c) => sum + c.breaches, 0),
    'breach',
    'breaches',
  );
  const breached = checks.some((c) => c.breaches > 0);
  const silent = monitoring.closed?.unobserved ?? [];
  const notClean = [
    ...(breached || silent.length === 0 ? [breaches] : []),
    ...(silent.length === 0 ? [] : [`${plural(silent.length, 'check')} never reporting`]),
  ].join(', ');
  if (monitoring.closed)
    return `closed ${t.at(monitoring.closed.at)} ${monitoring.closed.clean ? '✅ clean' : `⚠️ with ${notClean}`}`;
  const remaining = Date.parse(monitoring.until) - t.now.getTime();
  return `until ${t.at(monitoring.until)} (${remaining > 0 ? `${formatDuration(remaining)} left` : 'closing'})${periodSource(monitoring)} · ${plural(checks.length, 'check')} · ${breaches}`;
};

/** ` · 2h from the plan`: the window's length and whose verification period it is, when known. */
const periodSource = (monitoring: Monitoring): string => {
  if (monitoring.periodFrom === undefined) return '';
  const length = formatDuration(Date.parse(monitoring.until) - Date.parse(monitoring.startedAt));
  return ` · ${length} from the ${monitoring.periodFrom}`;
};

/** The checks, most breached first, each with its counts and the last failure's detail. */
export const monitorCheckLines = (
  monitoring: Monitoring,
  max: number,
  detailMax: number,
  escape: Escape,
): string[] =>
  [...Object.values(monitoring.checks)]
    .sort((a, b) => b.breaches - a.breaches)
    .slice(0, max)
    .map((c: MonitorCheckState) => {
      if (monitoring.closed?.unobserved?.includes(c.name))
        return `❔ ${escape(c.name, 80)}: never reported before the window closed`;
      const last =
        c.last && !c.last.passed && c.last.detail ? ` — last: ${escape(c.last.detail, detailMax)}` : '';
      return `${c.breaches > 0 ? '⚠️' : c.passes > 0 ? '✅' : '⏳'} ${escape(c.name, 80)}: ${c.passes} ok, ${c.breaches} breached${last}`;
    });

/**
 * After a window with breaches or checks that never reported, until decided: `⚠️ Monitoring found 1 breach:
 * accept and keep, or roll back` (or `Monitoring closed with payments-api/Health never reporting: …`)
 * and a line per deciding role (who accepted, when and why, or still waiting).
 */
export const breachReviewLines = (
  state: HotfixState,
  policy: Policy,
  t: Times,
  reasonMax: number,
  inline: Inline,
): { readonly head: string; readonly lines: readonly string[] } | null => {
  if (state.phase !== 'breach_review') return null;
  const vote = openVote(state);
  const found = reviewFindings(state, (check) => inline.text(check, 80));
  const head = `⚠️ ${inline.strong(`Monitoring ${found}`)}: accept and keep, or roll back`;
  const accepted = state.breachAcceptances ?? {};
  const lines = breachDeciders(policy).map((role) => {
    const a = accepted[role];
    const label = inline.strong(inline.role(role));
    return a
      ? `✅ ${label} ${inline.person(a.by)} ${t.at(a.at)}: ${inline.text(a.reason, reasonMax)}`
      : `⏳ ${label}`;
  });
  return {
    head,
    lines: vote ? [...lines, `🗳️ Rollback vote #${vote.id} is open: it decides first`] : lines,
  };
};

/** The last closed vote: `Rollback vote #2 failed (1 for, 2 against) at 09:40`. */
export const closedVoteLine = (vote: Vote, policy: Policy, t: Times): string => {
  const tl = tally(vote, policy);
  return `Rollback vote #${vote.id} ${vote.status} (${tl.for} for, ${tl.against} against)${vote.closedAt ? ` at ${t.at(vote.closedAt)}` : ''}`;
};

/** After `Issues`: `2 open, 1 resolved`, then workarounds and observations when there are any. */
export const issueCounts = (state: HotfixState): string => {
  const { issues, observations } = state;
  const open = issues.filter((i) => !i.resolved).length;
  const workarounds = issues.filter((i) => i.workaround).length;
  return [
    ...(issues.length > 0 ? [`${open} open, ${issues.length - open} resolved`] : []),
    ...(workarounds > 0 ? [plural(workarounds, 'workaround')] : []),
    ...(observations.length > 0 ? [plural(observations.length, 'observation')] : []),
  ].join(' · ');
};

/** After `Sign-offs`: `1/2`. */
export const signoffCount = (state: HotfixState, policy: Policy): string =>
  `${policy.signoffs.length - missingSignoffs(state, policy).length}/${policy.signoffs.length}`;

/** After `Documentation updates`: `3/6 · 1 lesson learned noted`. */
export const docsProgress = (state: HotfixState): string => {
  const done = DOC_ITEMS.filter((item) => state.docs[item] !== null).length;
  const lessons =
    state.lessons.length > 0 ? ` · ${plural(state.lessons.length, 'lesson')} learned noted` : '';
  return `${done}/${DOC_ITEMS.length}${lessons}`;
};

/** `System docs: Runbook`. */
export const docLabel = (doc: DocItem): string =>
  `${doc.startsWith('system.') ? 'System docs' : 'Process docs'}: ${DOC_ITEM_LABELS[doc]}`;

/**
 * The approvals of the current plan: its status, a line per role (who approved and when, `names` of them at
 * most) and the rejections with their reasons (cut to `reasonMax`).
 */
export const approvalLines = (
  state: HotfixState,
  policy: Policy,
  t: Times,
  limits: { readonly names: number; readonly reasonMax: number },
  inline: Inline,
): { readonly status: string; readonly lines: readonly string[] } => {
  const gate = approvalGate(state, policy);
  const { names: max } = limits;
  const current = state.approvals.filter((a) => a.planHash === state.planHash);
  const rejections = state.rejections.filter((r) => r.planHash === state.planHash);
  const roles = gate.roles.map(({ role, have, need }) => {
    const by = current.filter((a) => a.role === role);
    const names = by
      .slice(0, max)
      .map((a) => `${inline.person(a.by)} ${t.at(a.at)}`)
      .join(', ');
    const more = by.length > max ? ` +${by.length - max}` : '';
    return `${have >= need ? '✅' : '⏳'} ${inline.strong(inline.role(role))} ${have}/${need}${names ? ` — ${names}${more}` : ''}`;
  });
  const rejected = rejections
    .slice(0, max)
    .map(
      (r) =>
        `❌ ${inline.strong(inline.role(r.role))} rejected by ${inline.person(r.by)} ${t.at(r.at)}: ${inline.text(r.reason, limits.reasonMax)}`,
    );
  if (rejections.length > max) rejected.push(`❌ +${rejections.length - max} more rejections`);
  const status = gate.ok ? '✅ approved' : gate.rejectedBy.length > 0 ? '❌ rejected' : '⏳ waiting';
  return { status, lines: [...roles, ...rejected] };
};

/** The latest `max` open issues (none when `max` is 0), and how many earlier open ones are left out. */
export const openIssueLines = (
  state: HotfixState,
  t: Times,
  limits: { readonly max: number; readonly textMax: number },
  inline: Inline,
): { readonly lines: readonly string[]; readonly hidden: number } => {
  const open = state.issues.filter((i) => !i.resolved);
  const { max } = limits;
  const lines = (max > 0 ? open.slice(-max) : []).map(
    (i) =>
      `• #${i.id} ${inline.text(i.text, limits.textMax)} — ${inline.person(i.loggedBy)} ${t.at(i.loggedAt)}${i.reopenings?.length ? ' (reopened)' : ''}${i.workaround ? ' (workaround set)' : ''}`,
  );
  return { lines, hidden: max > 0 ? Math.max(0, open.length - max) : 0 };
};

/** A line per sign-off role: who signed and when, or still waiting. */
export const signoffLines = (state: HotfixState, policy: Policy, t: Times, inline: Inline): string[] =>
  policy.signoffs.map((role) => {
    const s = state.signoffs[role];
    const label = inline.strong(inline.role(role));
    return s ? `✅ ${label} ${inline.person(s.by)} ${t.at(s.at)}` : `⏳ ${label}`;
  });
