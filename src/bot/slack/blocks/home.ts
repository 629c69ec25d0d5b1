import type { Button, HomeView } from '@slack/types';
import type { PersonKey, Role } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import { keyOf, resolveKey, rolesOfKey } from '../../../domain/hotfix/policy.ts';
import {
  approvalGate,
  ballotsOf,
  reviewFindings,
  currentAnswers,
  currentRun,
  isOpen,
  missingBreachAcceptances,
  missingSignoffs,
  openVote,
  outcome,
  readinessGate,
} from '../../../domain/hotfix/queries.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import { ACTIONS, BLOCKS, CALLBACKS } from '../ids.ts';
import { voteSummary } from './card.ts';
import type { Part } from './common.ts';
import { actionButtons, actionsBlocks, button, fitParts, roleLabel, stepLabel, VIEW_FIT } from './common.ts';
import { breachActions } from '../../common/actions.ts';
import { LIMITS } from './limits.ts';
import { md, plain, userText } from './text.ts';
import { OUTCOME_LABELS, PHASE_EMOJI, PHASE_LABELS, SEVERITY_EMOJI } from '../../common/labels.ts';
import { plural } from '../../common/text.ts';
import type { Times } from '../../common/times.ts';
import { times } from '../../common/times.ts';

export interface HomeOptions {
  readonly policy: Policy;
  readonly timezone: string;
  readonly now: Date;
}

/** Something only this person can move on, with the buttons to do it. */
export interface WaitingItem {
  readonly kind: 'approval' | 'vote' | 'manual_step' | 'breaches' | 'signoff';
  readonly hotfixId: string;
  readonly text: string;
  readonly buttons: readonly Button[];
}

const title = (s: HotfixState) => `*${userText(s.id, 60, true)}* · ${userText(s.plan.issueId, 80, true)}`;

/**
 * Everything waiting on `me` in one hotfix: approvals, a vote, a manual step, breaches to accept or roll back,
 * sign-offs. `me` and every
 * recorded person are compared as the policy keys them, so a person who answered from Teams is not asked again.
 */
export const waitingOn = (state: HotfixState, me: PersonKey, policy: Policy, t: Times): WaitingItem[] => {
  if (!isOpen(state)) return [];
  const roles = rolesOfKey(policy, me);
  if (roles.length === 0) return [];
  const h = state.id;
  const items: WaitingItem[] = [];

  if (state.phase === 'planned') {
    const answers = currentAnswers(state, policy);
    const answered = [...answers.approvals, ...answers.rejections].some((a) => keyOf(policy, a.by) === me);
    const isAuthor = state.authors.some((a) => resolveKey(policy, a) === me) && !policy.selfApproval;
    const gate = approvalGate(state, policy);
    const open: Role[] = gate.roles
      .filter((r) => r.have < r.need && roles.includes(r.role))
      .map((r) => r.role);
    if (!answered && !isAuthor && open.length > 0) {
      const value = (role: Role) => ({ h, v: state.planHash, r: role });
      items.push({
        kind: 'approval',
        hotfixId: h,
        text: `👍 ${title(state)} needs your approval as ${open.map(roleLabel).join(' or ')} (plan rev ${state.planRevision}): ${userText(state.plan.summary, 200, true)}`,
        buttons: [
          ...open.map((role, i) =>
            button({
              action: ACTIONS.approve,
              index: i,
              text: `Approve as ${roleLabel(role)}`,
              value: value(role),
            }),
          ),
          ...open.map((role, i) =>
            button({
              action: ACTIONS.reject,
              index: i,
              text: `Reject as ${roleLabel(role)}`,
              value: value(role),
            }),
          ),
        ].slice(0, LIMITS.actionsElements),
      });
    }
  }

  const vote = openVote(state);
  if (
    vote &&
    Date.parse(vote.expiresAt) > t.now.getTime() &&
    !ballotsOf(vote, policy).has(me) &&
    roles.some((r) => policy.rollback.vote.eligible.includes(r))
  ) {
    const value = { h, v: String(vote.id) };
    items.push({
      kind: 'vote',
      hotfixId: h,
      text: `${title(state)}\n${voteSummary(vote, policy, t, 200)}`,
      buttons: [
        button({ action: ACTIONS.voteFor, text: 'For rollback', style: 'danger', value }),
        button({ action: ACTIONS.voteAgainst, text: 'Against', value }),
      ],
    });
  }

  const run = currentRun(state);
  const manual =
    run?.status === 'running'
      ? run.steps.find((s) => s.status === 'running' && s.kind === 'manual')
      : undefined;
  if (run && manual && (manual.roles.length === 0 || manual.roles.some((r) => roles.includes(r)))) {
    const value = { h, run: run.id, v: manual.key };
    items.push({
      kind: 'manual_step',
      hotfixId: h,
      text: `✋ ${title(state)}: confirm ${stepLabel(manual, 150)} (waiting ${t.since(manual.startedAt)})`,
      buttons: [
        button({ action: ACTIONS.confirmStep, text: 'Confirm', style: 'primary', value }),
        button({ action: ACTIONS.failStep, text: 'Fail', style: 'danger', value }),
      ],
    });
  }

  // A window that closed with breaches or checks that never reported waits for each deciding role: accept
  // and keep, or roll back.
  const deciding = missingBreachAcceptances(state, policy).filter((r) => roles.includes(r));
  const decisions = breachActions(state, policy).filter(
    (a) => a.kind !== 'accept-breaches' || (a.data.role !== undefined && deciding.includes(a.data.role)),
  );
  if (deciding.length > 0 && decisions.length > 0) {
    items.push({
      kind: 'breaches',
      hotfixId: h,
      text: `⚠️ ${title(state)}: monitoring ${reviewFindings(state, (check) => userText(check, 80))}. Accept and keep as ${deciding.map(roleLabel).join(' or ')}, or roll back`,
      buttons: actionButtons(decisions).slice(0, LIMITS.actionsElements),
    });
  }

  const result = outcome(state);
  if (result !== null) {
    const signedAlready = Object.values(state.signoffs).some((s) => keyOf(policy, s.by) === me);
    const mine = missingSignoffs(state, policy).filter((r) => roles.includes(r));
    if (!signedAlready && mine.length > 0)
      items.push({
        kind: 'signoff',
        hotfixId: h,
        text: `🖊️ ${title(state)} ended ${OUTCOME_LABELS[result]}: sign off as ${mine.map(roleLabel).join(' or ')}`,
        buttons: mine.slice(0, LIMITS.actionsElements).map((role, i) =>
          button({
            action: ACTIONS.signOff,
            index: i,
            text: `Sign off as ${roleLabel(role)}`,
            value: { h, r: role },
          }),
        ),
      });
  }
  return items;
};

/** Whether `me` is part of the hotfix: wrote the plan, is one of its resources, approved or voted. */
const involves = (state: HotfixState, me: PersonKey, policy: Policy): boolean =>
  state.authors.some((a) => resolveKey(policy, a) === me) ||
  Object.values(state.plan.resources).some((people) => people.some((p) => keyOf(policy, p) === me)) ||
  state.approvals.some((a) => keyOf(policy, a.by) === me) ||
  state.votes.some((v) => ballotsOf(v, policy).has(me));

const statusLine = (state: HotfixState, policy: Policy, t: Times): string => {
  const gate = approvalGate(state, policy);
  const ready = readinessGate(state, policy);
  const approved = gate.roles.filter((r) => r.have >= r.need).length;
  const run = currentRun(state);
  const step = run?.steps.find((s) => s.status === 'running' || s.status === 'failed');
  const parts = [
    `${SEVERITY_EMOJI[state.plan.severity]} ${state.plan.severity}`,
    `${PHASE_EMOJI[state.phase]} ${PHASE_LABELS[state.phase]}`,
    state.phase === 'planned'
      ? `approvals ${approved}/${gate.roles.length} roles · readiness ${ready.done}/${ready.total}`
      : '',
    step ? `${step.status === 'failed' ? '❌' : '▶️'} ${stepLabel(step, 60)}` : '',
    state.monitoring && !state.monitoring.closed ? `monitoring until ${t.at(state.monitoring.until)}` : '',
    `updated ${t.at(state.updatedAt)}`,
  ];
  return parts.filter((p) => p !== '').join(' · ');
};

const MAX_WAITING = 20;
const MAX_MINE = 15;
const MAX_OTHERS = 30;

/**
 * The App Home tab of one person: what is waiting on them (approvals they can give, votes they can cast,
 * manual steps they can confirm, sign-offs they can give), their open hotfixes, then the other open ones.
 */
export const renderHome = (states: readonly HotfixState[], me: PersonKey, options: HomeOptions): HomeView => {
  const t = times(options.timezone, options.now);
  const open = states.filter(isOpen).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const waiting = open.flatMap((s) => waitingOn(s, me, options.policy, t));
  const mine = open.filter((s) => involves(s, me, options.policy));
  const others = open.filter((s) => !involves(s, me, options.policy));

  const render = (level: number): Part[] => {
    const summaryMax = [200, 100, 0][level] ?? 0;
    const waitingMax = [MAX_WAITING, 10, 5][level] ?? 5;
    const mineMax = [MAX_MINE, 8, 4][level] ?? 4;
    const othersMax = [MAX_OTHERS, 15, 5][level] ?? 5;
    const parts: Part[] = [
      {
        blocks: [
          { type: 'header', block_id: `${BLOCKS.home}:header`, text: plain('Hotfixes', LIMITS.headerText) },
        ],
      },
      {
        blocks: [
          {
            type: 'section',
            block_id: `${BLOCKS.home}:waiting`,
            text: md(
              waiting.length === 0
                ? '*Waiting on you*\nNothing right now. 🎉'
                : `*Waiting on you* (${waiting.length})${waiting.length > waitingMax ? ` — the ${waitingMax} most recent` : ''}`,
            ),
          },
        ],
      },
      ...waiting.slice(0, waitingMax).map((item, i): Part => ({
        blocks: [
          { type: 'section', block_id: `${BLOCKS.home}:wait:${i}`, text: md(item.text) },
          ...actionsBlocks(`${BLOCKS.home}:wait_actions:${i}`, item.buttons),
        ],
      })),
      { blocks: [{ type: 'divider' }] },
      {
        blocks: [
          {
            type: 'section',
            block_id: `${BLOCKS.home}:mine`,
            text: md(
              mine.length === 0
                ? '*Your open hotfixes*\nNone. Start one with `/hotfix start`.'
                : `*Your open hotfixes* (${mine.length})`,
            ),
          },
        ],
      },
      ...mine.slice(0, mineMax).map((s, i): Part => ({
        blocks: [
          {
            type: 'section',
            block_id: `${BLOCKS.home}:mine:${i}`,
            text: md(
              `${title(s)}\n${statusLine(s, options.policy, t)}${summaryMax > 0 ? `\n${userText(s.plan.summary, summaryMax, true)}` : ''}`,
            ),
          },
        ],
        dropRank: 2,
      })),
    ];
    if (mine.length > mineMax)
      parts.push({
        blocks: [
          {
            type: 'context',
            elements: [
              md(`+${plural(mine.length - mineMax, 'more hotfix', 'more hotfixes')}: \`/hotfix list\``),
            ],
          },
        ],
      });
    if (others.length > 0) {
      const lines = others
        .slice(0, othersMax)
        .map(
          (s) =>
            `• ${title(s)} · ${PHASE_EMOJI[s.phase]} ${PHASE_LABELS[s.phase]} · ${SEVERITY_EMOJI[s.plan.severity]} ${s.plan.severity}`,
        );
      if (others.length > othersMax) lines.push(`_+${others.length - othersMax} more: \`/hotfix list\`_`);
      parts.push({
        blocks: [
          {
            type: 'section',
            block_id: `${BLOCKS.home}:others`,
            text: md(`*Other open hotfixes* (${others.length})\n${lines.join('\n')}`),
          },
        ],
        dropRank: 1,
      });
    }
    return parts;
  };
  const blocks = fitParts(render, {
    levels: 3,
    ...VIEW_FIT,
    note: {
      type: 'context',
      elements: [md('Some hotfixes are hidden to fit Slack; `/hotfix list` shows all.')],
    },
  });
  return { type: 'home', callback_id: CALLBACKS.home, blocks };
};
