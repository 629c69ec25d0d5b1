import type { Button, ConfirmationDialog, KnownBlock } from '@slack/types';
import { capitalize } from '../../../domain/hotfix/format.ts';
import type { StepState } from '../../../domain/hotfix/state.ts';
import type { HotfixAction, HotfixActionKind } from '../../common/actions.ts';
import type { Inline } from '../../common/text.ts';
import type { ActionId, ActionValue } from '../ids.ts';
import { ACTIONS, encodeActionValue, indexedActionId } from '../ids.ts';
import { LIMITS, RENDER_BUDGET, totalStrings } from './limits.ts';
import { mention, plain, userText } from './text.ts';

/** A message as `chat.postMessage` / `chat.update` take it. */
export interface SlackMessage {
  /** Notification and fallback text. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** `Technical`, for a role in a button or a heading. */
export const roleLabel = (role: string): string => capitalize(role);

/** Shared sentences in mrkdwn: people as live mentions, labels in bold. */
export const SLACK_INLINE: Inline = {
  text: (text, max) => userText(text, max, true),
  person: mention,
  strong: (markup) => `*${markup}*`,
  role: roleLabel,
};

/** A step as people read it: `execution · “Code deployment” (payments-api)`, escaped for mrkdwn. */
export const stepLabel = (step: Pick<StepState, 'stage' | 'name' | 'service'>, max = 200): string =>
  `${step.stage} · “${userText(step.name, max, true)}” (${userText(step.service, 80, true)})`;

export interface ButtonSpec {
  readonly action: ActionId;
  /** Position among buttons of the same action in one block (becomes the `:n` suffix). */
  readonly index?: number;
  readonly text: string;
  readonly value: ActionValue;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: { readonly title: string; readonly text: string; readonly ok: string };
}

export const button = (spec: ButtonSpec): Button => {
  const confirm: ConfirmationDialog | undefined = spec.confirm && {
    title: plain(spec.confirm.title, LIMITS.confirmTitle),
    text: plain(spec.confirm.text, LIMITS.confirmText),
    confirm: plain(spec.confirm.ok, LIMITS.confirmButton),
    deny: plain('Not now', LIMITS.confirmButton),
    ...(spec.style === 'danger' ? { style: 'danger' as const } : {}),
  };
  return {
    type: 'button',
    action_id: indexedActionId(spec.action, spec.index ?? 0),
    text: plain(spec.text, LIMITS.buttonText),
    value: encodeActionValue(spec.value),
    ...(spec.style ? { style: spec.style } : {}),
    ...(confirm ? { confirm } : {}),
  };
};

/** The action id of each shared action kind. */
const ACTION_IDS: Readonly<Record<HotfixActionKind, ActionId>> = {
  approve: ACTIONS.approve,
  reject: ACTIONS.reject,
  deploy: ACTIONS.deploy,
  edit: ACTIONS.editPlan,
  rollback: ACTIONS.proposeRollback,
  issue: ACTIONS.logIssue,
  lessons: ACTIONS.lessons,
  cancel: ACTIONS.cancel,
  'sign-off': ACTIONS.signOff,
  close: ACTIONS.close,
  record: ACTIONS.record,
  retry: ACTIONS.retryStep,
  skip: ACTIONS.skipStep,
  'confirm-step': ACTIONS.confirmStep,
  'fail-step': ACTIONS.failStep,
  'vote-for': ACTIONS.voteFor,
  'vote-against': ACTIONS.voteAgainst,
  'resolve-issue': ACTIONS.resolveIssue,
  'workaround-issue': ACTIONS.workaroundIssue,
  'reopen-issue': ACTIONS.reopenIssue,
  'accept-breaches': ACTIONS.acceptBreaches,
  'roll-back-breaches': ACTIONS.rollBackBreaches,
};

/** What a shared action's button carries: `v` is the plan hash, the step key, the vote id or the issue number. */
const actionValue = ({ data }: HotfixAction): ActionValue => {
  const number = data.voteId ?? data.issueId;
  const v = data.planHash ?? data.stepKey ?? (number === undefined ? undefined : String(number));
  return {
    h: data.hotfixId,
    ...(v === undefined ? {} : { v }),
    ...(data.role === undefined ? {} : { r: data.role }),
    ...(data.runId === undefined ? {} : { run: data.runId }),
  };
};

/** Shared actions as buttons of one block: the n-th of a kind gets the `:n` suffix. */
export const actionButtons = (actions: readonly HotfixAction[]): Button[] => {
  const seen = new Map<HotfixActionKind, number>();
  return actions.map((a) => {
    const index = seen.get(a.kind) ?? 0;
    seen.set(a.kind, index + 1);
    return button({
      action: ACTION_IDS[a.kind],
      index,
      text: a.label,
      value: actionValue(a),
      ...(a.style ? { style: a.style } : {}),
      ...(a.confirm ? { confirm: a.confirm } : {}),
    });
  });
};

/** Splits elements into actions blocks of at most 25, with block ids `${prefix}`, `${prefix}:1`… */
export const actionsBlocks = (blockId: string, elements: readonly Button[]): KnownBlock[] => {
  const out: KnownBlock[] = [];
  for (let i = 0; i < elements.length; i += LIMITS.actionsElements)
    out.push({
      type: 'actions',
      block_id: i === 0 ? blockId : `${blockId}:${i / LIMITS.actionsElements}`,
      elements: elements.slice(i, i + LIMITS.actionsElements),
    });
  return out;
};

/** A part of a surface: its blocks and whether it may be left out when the surface would be too big. */
export interface Part {
  readonly blocks: readonly KnownBlock[];
  /** Lower is dropped first; undefined = never dropped. */
  readonly dropRank?: number;
}

/**
 * Renders at the richest level that fits Slack's limits: `render(level)` for level 0 (full) … `levels - 1`
 * (most compact); if even that does not fit, optional parts are dropped (lowest `dropRank` first) and
 * `note` is added in their place.
 */
export const fitParts = (
  render: (level: number) => readonly Part[],
  options: {
    readonly levels: number;
    readonly maxBlocks: number;
    readonly maxStrings: number;
    note: KnownBlock;
  },
): KnownBlock[] => {
  const fits = (blocks: readonly KnownBlock[]) =>
    blocks.length <= options.maxBlocks && totalStrings(blocks) <= options.maxStrings;
  let parts: readonly Part[] = [];
  for (let level = 0; level < options.levels; level++) {
    parts = render(level);
    const blocks = parts.flatMap((p) => p.blocks);
    if (fits(blocks)) return blocks;
  }
  const kept = [...parts];
  const droppable = kept
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.dropRank !== undefined)
    .sort((a, b) => (a.p.dropRank ?? 0) - (b.p.dropRank ?? 0));
  const dropped = new Set<number>();
  const current = () => [...kept.filter((_, i) => !dropped.has(i)).flatMap((p) => p.blocks), options.note];
  for (const { i } of droppable) {
    if (fits(current())) break;
    dropped.add(i);
  }
  return current().slice(0, options.maxBlocks);
};

export const MESSAGE_FIT = { maxBlocks: LIMITS.messageBlocks, maxStrings: RENDER_BUDGET.messageStrings };
export const VIEW_FIT = { maxBlocks: LIMITS.viewBlocks, maxStrings: RENDER_BUDGET.viewStrings };
