import { z } from 'zod';
import { CHECKLISTS, DOC_ITEMS } from '../../domain/hotfix/events.ts';

/**
 * Every `verb` the bot's Adaptive Cards carry. A button is an `Action.Execute` (invoke `adaptiveCard/action`,
 * `value.action.verb` + `value.action.data`) with an `Action.Submit` fallback (a message activity whose
 * `value` is the data alone), so the verb travels inside `data` too: the router parses `data` with
 * `actionDataSchema` and, for an invoke, checks that `value.action.verb` equals `data.verb`.
 */
export const VERBS = {
  approve: 'hotfix.approve',
  toggleItem: 'hotfix.toggle-item',
  deploy: 'hotfix.deploy',
  toggleDoc: 'hotfix.toggle-doc',
  signOff: 'hotfix.sign-off',
  close: 'hotfix.close',
  record: 'hotfix.record',
  confirmStep: 'hotfix.step-confirm',
  failStep: 'hotfix.step-fail',
  retryStep: 'hotfix.step-retry',
  skipStep: 'hotfix.step-skip',
  voteFor: 'hotfix.vote-for',
  voteAgainst: 'hotfix.vote-against',
  /** Roll back instead of keeping a release whose monitoring found breaches: a rollback proposal. */
  rollBackBreaches: 'hotfix.roll-back-breaches',
  /** Buttons that open a dialog: `Action.Submit` with `msteams.type = 'task/fetch'`; `data.form` names it. */
  openForm: 'hotfix.open-form',
  /** A dialog's submit button (`task/submit`): `data.form` names the form, the inputs' values sit beside it. */
  submitForm: 'hotfix.submit-form',
} as const;
export type VerbKey = keyof typeof VERBS;
export type Verb = (typeof VERBS)[VerbKey];

/** The dialogs (task modules) a button opens; `task/fetch` carries the id in `data.form`. */
export const FORMS = {
  plan: 'plan',
  reject: 'reject',
  rollback: 'rollback',
  issue: 'issue',
  cancel: 'cancel',
  lessons: 'lessons',
  resolveIssue: 'issue-resolve',
  workaround: 'issue-workaround',
  reopenIssue: 'issue-reopen',
  acceptBreaches: 'accept-breaches',
} as const;
export type FormId = (typeof FORMS)[keyof typeof FORMS];

const hotfixId = z.string().min(1).max(200);
const planHash = z.string().min(1).max(200);
const role = z.string().min(1).max(300);
const runId = z.string().min(1).max(200);
const stepKey = z.string().min(1).max(1000);

/** Set on a prompt's button drawn on the hotfix card: the clicker gets the card back, not the prompt. */
const onCard = z.literal(true).optional();
/** What a step button saw: which run and which step (a click on an older run's card is refused). */
const stepData = { hotfixId, runId, step: stepKey, onCard };
/** What a vote button saw: which vote (a click after it closed is refused). */
const voteData = { hotfixId, voteId: z.number().int().min(1).max(999_999_999), onCard };

/**
 * Which dialog; `planHash`: the plan the person saw (edit, reject, cancel: a dialog opened on an older plan
 * is stale); `role`: the role they reject as, or accept a monitoring window's breaches as.
 */
const formData = {
  form: z.enum([
    FORMS.plan,
    FORMS.reject,
    FORMS.rollback,
    FORMS.issue,
    FORMS.cancel,
    FORMS.lessons,
    FORMS.resolveIssue,
    FORMS.workaround,
    FORMS.reopenIssue,
    FORMS.acceptBreaches,
  ]),
  planHash: planHash.optional(),
  role: role.optional(),
  /** The logged issue's number (resolve, work around, reopen it). */
  issue: z.number().int().min(1).max(999_999_999).optional(),
  /** The issue a new plan is for (`@hotfix start INC-42`): the plan dialog opens with it filled in. */
  issueId: z.string().min(1).max(80).optional(),
  /**
   * One dialog, one request: set when a plan dialog for a new hotfix opens, so a double submit or a
   * redelivered one lands on the same hotfix.
   */
  requestId: z.string().min(1).max(100).optional(),
};

/*
 * Objects strip unknown keys rather than refuse them: Teams merges the card's input values (none on these
 * cards) into `data`, and may add `msteams` to a Submit's data.
 */
export const actionDataSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal(VERBS.approve), hotfixId, planHash, role }),
  /** `ticked`: whether the card the person clicked showed the item ticked (a tick on a stale card is not an untick). */
  z.object({
    verb: z.literal(VERBS.toggleItem),
    hotfixId,
    checklist: z.enum(CHECKLISTS),
    index: z.number().int().min(0).max(9999),
    ticked: z.boolean(),
  }),
  z.object({ verb: z.literal(VERBS.deploy), hotfixId, planHash }),
  z.object({ verb: z.literal(VERBS.toggleDoc), hotfixId, doc: z.enum(DOC_ITEMS), ticked: z.boolean() }),
  z.object({ verb: z.literal(VERBS.signOff), hotfixId, role }),
  z.object({ verb: z.literal(VERBS.close), hotfixId }),
  z.object({ verb: z.literal(VERBS.record), hotfixId }),
  z.object({ verb: z.literal(VERBS.confirmStep), ...stepData }),
  z.object({ verb: z.literal(VERBS.failStep), ...stepData }),
  z.object({ verb: z.literal(VERBS.retryStep), ...stepData }),
  z.object({ verb: z.literal(VERBS.skipStep), ...stepData }),
  z.object({ verb: z.literal(VERBS.voteFor), ...voteData }),
  z.object({ verb: z.literal(VERBS.voteAgainst), ...voteData }),
  z.object({ verb: z.literal(VERBS.rollBackBreaches), hotfixId }),
  /** No hotfix id: the plan dialog of a new hotfix (`@hotfix start`). */
  z.object({ verb: z.literal(VERBS.openForm), ...formData, hotfixId: hotfixId.optional() }),
  /**
   * A dialog's submission: what it was opened on (no hotfix id when it starts one); the inputs' values are
   * beside these keys in the raw data (read them with `dialogValues`).
   */
  z.object({ verb: z.literal(VERBS.submitForm), ...formData, hotfixId: hotfixId.optional() }),
]);

export type ActionData = z.infer<typeof actionDataSchema>;
export type ActionDataOf<V extends Verb> = Extract<ActionData, { verb: V }>;

/** Parses a clicked button's data; null when it is not one of ours (forged, truncated, an older format). */
export const parseActionData = (raw: unknown): ActionData | null => {
  const parsed = actionDataSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
};
