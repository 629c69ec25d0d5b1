import { z } from 'zod';
import { CHECKLISTS } from '../../domain/hotfix/events.ts';
import type { Checklist } from '../../domain/hotfix/events.ts';
import type { PlanFieldId } from '../common/forms.ts';
import { PLAN_FIELDS, REASON_FIELDS } from '../common/forms.ts';

/** The one slash command. */
export const COMMAND = '/hotfix';

/**
 * Every `action_id` the bot renders. Several buttons of one kind in one actions block (Approve per role,
 * Sign off per role) get a `:n` suffix, because Slack wants action ids unique within a block: listeners
 * resolve an incoming id with `actionOf`, never by comparing with the bare string.
 */
export const ACTIONS = {
  approve: 'hotfix_approve',
  reject: 'hotfix_reject',
  tick: 'hotfix_tick',
  deploy: 'hotfix_deploy',
  editPlan: 'hotfix_edit_plan',
  cancel: 'hotfix_cancel',
  proposeRollback: 'hotfix_propose_rollback',
  logIssue: 'hotfix_log_issue',
  lessons: 'hotfix_lessons',
  docs: 'hotfix_docs',
  signOff: 'hotfix_sign_off',
  close: 'hotfix_close',
  record: 'hotfix_record',
  confirmStep: 'hotfix_step_confirm',
  failStep: 'hotfix_step_fail',
  retryStep: 'hotfix_step_retry',
  skipStep: 'hotfix_step_skip',
  voteFor: 'hotfix_vote_for',
  voteAgainst: 'hotfix_vote_against',
  resolveIssue: 'hotfix_issue_resolve',
  workaroundIssue: 'hotfix_issue_workaround',
  reopenIssue: 'hotfix_issue_reopen',
  acceptBreaches: 'hotfix_accept_breaches',
  rollBackBreaches: 'hotfix_roll_back_breaches',
} as const;
export type ActionKey = keyof typeof ACTIONS;
export type ActionId = (typeof ACTIONS)[ActionKey];

/** `hotfix_approve` → `hotfix_approve:2`: the n-th button of that kind in its block. */
export const indexedActionId = (base: ActionId, index: number): string =>
  index === 0 ? base : `${base}:${index}`;

const ACTION_KEYS = new Map(Object.entries(ACTIONS).map(([key, id]) => [id as string, key as ActionKey]));
/** Which action an incoming `action_id` is, or null for one the bot never renders. */
export const actionOf = (actionId: string): ActionKey | null =>
  ACTION_KEYS.get(actionId.replace(/:\d+$/, '')) ?? null;

/** `callback_id` of every view the bot opens; the manifest test checks it against these. */
export const CALLBACKS = {
  plan: 'hotfix_plan',
  reject: 'hotfix_reject_reason',
  rollback: 'hotfix_rollback_reason',
  cancel: 'hotfix_cancel_reason',
  issue: 'hotfix_log_issue',
  lessons: 'hotfix_lessons_learned',
  resolveIssue: 'hotfix_issue_resolve',
  workaround: 'hotfix_issue_workaround',
  reopenIssue: 'hotfix_issue_reopen',
  acceptBreaches: 'hotfix_accept_breaches_reason',
  home: 'hotfix_home',
} as const;
export type CallbackId = (typeof CALLBACKS)[keyof typeof CALLBACKS];

/**
 * `block_id` prefixes. Interactive blocks on the card carry the hotfix id and the card revision after the
 * prefix (`hotfix_checklist:HF-3:code_readiness:0:r17`): a checkbox payload may carry no selected option at
 * all, and a new block id per revision makes Slack drop a client's unconfirmed tick when the card is redrawn.
 */
export const BLOCKS = {
  header: 'hotfix_header',
  context: 'hotfix_context',
  summary: 'hotfix_summary',
  risk: 'hotfix_risk',
  plan: 'hotfix_plan',
  readiness: 'hotfix_readiness',
  checklistTitle: 'hotfix_checklist_title',
  checklist: 'hotfix_checklist',
  approvals: 'hotfix_approvals',
  approvalActions: 'hotfix_approval_actions',
  lock: 'hotfix_lock',
  run: 'hotfix_run',
  monitoring: 'hotfix_monitoring',
  vote: 'hotfix_vote',
  voteActions: 'hotfix_vote_actions',
  issues: 'hotfix_issues',
  issue: 'hotfix_issue',
  issueActions: 'hotfix_issue_actions',
  outcome: 'hotfix_outcome',
  signoffs: 'hotfix_signoffs',
  signoffActions: 'hotfix_signoff_actions',
  breaches: 'hotfix_breaches',
  breachActions: 'hotfix_breach_actions',
  docs: 'hotfix_docs',
  actions: 'hotfix_actions',
  line: 'hotfix_line',
  output: 'hotfix_output',
  step: 'hotfix_step',
  stepActions: 'hotfix_step_actions',
  home: 'hotfix_home',
  modal: 'hotfix_modal',
} as const;

/** Input blocks of the plan modal (the shared form's field ids): `response_action: 'errors'` is keyed by these. */
export const PLAN_BLOCKS = PLAN_FIELDS;
export type PlanBlockId = PlanFieldId;

/** Input blocks of the small modals (the shared forms' field ids). */
export const REASON_BLOCKS = REASON_FIELDS;

/** Every input element uses this action id; the block id says which field it is. */
export const INPUT_ACTION = 'value';

// ---------------------------------------------------------------------------------------------------------
// What a button carries.

/** Slack's cap on a button's `value`. */
export const MAX_BUTTON_VALUE = 2000;

/**
 * The `value` of every button: which hotfix, and what the person saw when they clicked, so a stale card is
 * refused by the domain instead of being applied to something newer.
 * - `h`: hotfix id (always).
 * - `v`: the plan hash (approve, reject, deploy, edit, cancel), the step key (confirm, fail), the vote id
 *   (for, against) or the issue number (resolve, workaround, reopen) as a decimal string.
 * - `r`: the role (approve, reject, sign off, accept breaches).
 * - `run`: the run id (confirm, fail).
 */
export interface ActionValue {
  readonly h: string;
  readonly v?: string;
  readonly r?: string;
  readonly run?: string;
}

export const actionValueSchema = z
  .object({
    h: z.string().min(1).max(200),
    v: z.string().min(1).max(1000).optional(),
    r: z.string().min(1).max(300).optional(),
    run: z.string().min(1).max(200).optional(),
  })
  .strict() satisfies z.ZodType<ActionValue>;

/** Compact JSON for a button's `value`. Throws a RangeError past Slack's 2000 characters (ids are short). */
export const encodeActionValue = (value: ActionValue): string => {
  const text = JSON.stringify(actionValueSchema.parse(value));
  if (text.length > MAX_BUTTON_VALUE)
    throw new RangeError(`button value of ${value.h} is ${text.length} characters (max ${MAX_BUTTON_VALUE})`);
  return text;
};

/** Parses a clicked button's `value`; null when it is not one of ours (forged, truncated, an older format). */
export const parseActionValue = (raw: unknown): ActionValue | null => {
  if (typeof raw !== 'string' || raw.length > MAX_BUTTON_VALUE) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = actionValueSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
};

/** The vote id a For/Against button carries, or null. */
export const voteIdOf = (value: ActionValue): number | null =>
  value.v !== undefined && /^[1-9]\d{0,8}$/.test(value.v) ? Number(value.v) : null;

/** The issue number an issue's button carries, or null. */
export const issueIdOf = voteIdOf;

// ---------------------------------------------------------------------------------------------------------
// Checklists: a checkboxes payload lists the options now selected (maybe none), so the hotfix and the
// checklist page travel in the block id; each option's value is the item's index in the checklist.

export const CHECKLIST_PAGE = 10;

const checklistBlockPattern = new RegExp(
  `^${BLOCKS.checklist}:(.{1,200}):(${CHECKLISTS.join('|')}):(\\d{1,3}):r[\\w.-]{1,40}$`,
);

export const checklistBlockId = (hotfixId: string, checklist: Checklist, page: number, rev: string): string =>
  `${BLOCKS.checklist}:${hotfixId}:${checklist}:${page}:r${rev}`;

export const parseChecklistBlockId = (
  blockId: string,
): { hotfixId: string; checklist: Checklist; page: number } | null => {
  const m = checklistBlockPattern.exec(blockId);
  if (!m) return null;
  return { hotfixId: m[1] as string, checklist: m[2] as Checklist, page: Number(m[3]) };
};

const docsBlockPattern = new RegExp(`^${BLOCKS.docs}:(.{1,200}):r[\\w.-]{1,40}$`);

/** The documentation-update checklist: options' values are the DocItem keys (`process.lessons_learned`). */
export const docsBlockId = (hotfixId: string, rev: string): string => `${BLOCKS.docs}:${hotfixId}:r${rev}`;

export const parseDocsBlockId = (blockId: string): { hotfixId: string } | null => {
  const m = docsBlockPattern.exec(blockId);
  return m ? { hotfixId: m[1] as string } : null;
};

// ---------------------------------------------------------------------------------------------------------
// Modals: what a view carries between opening and submission.

export const MAX_PRIVATE_METADATA = 3000;

/**
 * `private_metadata` of the bot's modals.
 * - `h`: hotfix id (absent when starting a new hotfix).
 * - `p`: the plan the modal was opened on (reject, cancel: its hash; edit: its `planFingerprint`, which
 *   counts where it is shown too): a submission on an older plan is stale.
 * - `r`: the role (reject, accept breaches).
 * - `i`: the issue number (resolve, work around, reopen an issue).
 * - `ch`/`ts`: where the modal was opened from (channel, message ts), so the listener can answer there.
 */
export interface ModalMetadata {
  readonly h?: string;
  readonly p?: string;
  readonly r?: string;
  readonly i?: number;
  readonly ch?: string;
  readonly ts?: string;
}

export const modalMetadataSchema = z
  .object({
    h: z.string().min(1).max(200).optional(),
    p: z.string().min(1).max(200).optional(),
    r: z.string().min(1).max(300).optional(),
    i: z.number().int().min(1).max(999_999_999).optional(),
    ch: z.string().min(1).max(100).optional(),
    ts: z.string().min(1).max(100).optional(),
  })
  .strict() satisfies z.ZodType<ModalMetadata>;

export const encodeModalMetadata = (meta: ModalMetadata): string => {
  const text = JSON.stringify(modalMetadataSchema.parse(meta));
  if (text.length > MAX_PRIVATE_METADATA)
    throw new RangeError(`private_metadata is ${text.length} characters (max ${MAX_PRIVATE_METADATA})`);
  return text;
};

/** Parses a submitted view's `private_metadata`; null when it is not ours. An empty string is `{}`. */
export const parseModalMetadata = (raw: unknown): ModalMetadata | null => {
  if (raw === '' || raw === undefined) return {};
  if (typeof raw !== 'string' || raw.length > MAX_PRIVATE_METADATA) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = modalMetadataSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
};
