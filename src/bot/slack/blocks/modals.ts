import type {
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextOption,
  StaticSelect,
  MultiStaticSelect,
} from '@slack/types';
import { z } from 'zod';
import type { Plan, PlanFieldRules, VerificationPeriodBounds } from '../../../domain/hotfix/plan.ts';
import { planFingerprint } from '../../../domain/hotfix/plan.ts';
import type { Role } from '../../../domain/hotfix/people.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import { windowFindings } from '../../../domain/hotfix/queries.ts';
import type {
  FormField,
  FormValues,
  Parsed,
  PersonRollbackTrigger,
  PlatformChoice,
} from '../../common/forms.ts';
import {
  CANCEL_FORM_FIELDS,
  ISSUE_FORM_FIELDS,
  LESSONS_FORM_FIELDS,
  parseIssueForm,
  parseIssueNoteForm,
  parseLessonsForm,
  parsePlanForm,
  parseReasonForm,
  parseRollbackForm,
  planFormFields,
  parseWorkaroundForm,
  REJECT_FORM_FIELDS,
  ACCEPT_BREACHES_FORM_FIELDS,
  REOPEN_ISSUE_FORM_FIELDS,
  RESOLVE_ISSUE_FORM_FIELDS,
  ROLLBACK_FORM_FIELDS,
  WORKAROUND_FORM_FIELDS,
} from '../../common/forms.ts';
import type { ModalMetadata } from '../ids.ts';
import { BLOCKS, CALLBACKS, encodeModalMetadata, INPUT_ACTION, PLAN_BLOCKS, REASON_BLOCKS } from '../ids.ts';
import { roleLabel } from './common.ts';
import { LIMITS } from './limits.ts';
import { md, plain, truncate, userText } from './text.ts';
import { SEVERITY_EMOJI } from '../../common/labels.ts';
import { plural } from '../../common/text.ts';

export type { Parsed, PersonRollbackTrigger } from '../../common/forms.ts';
export { PERSON_ROLLBACK_TRIGGERS } from '../../common/forms.ts';

/** What `view_submission` carries in `view.state.values`: block id → action id → the element's state. */
export type ViewStateValues = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Where a modal was opened from, carried in `private_metadata` so the listener can answer there. */
export interface ModalOrigin {
  readonly channel?: string;
  readonly ts?: string;
}

const originMeta = (origin?: ModalOrigin): Pick<ModalMetadata, 'ch' | 'ts'> => ({
  ...(origin?.channel ? { ch: origin.channel } : {}),
  ...(origin?.ts ? { ts: origin.ts } : {}),
});

const INPUT_MAX = LIMITS.inputValue;

const modal = (spec: {
  callbackId: string;
  title: string;
  submit: string;
  meta: ModalMetadata;
  blocks: KnownBlock[];
}): ModalView => ({
  type: 'modal',
  callback_id: spec.callbackId,
  title: plain(spec.title, LIMITS.viewTitle),
  submit: plain(spec.submit, LIMITS.viewSubmit),
  close: plain('Cancel', LIMITS.viewClose),
  private_metadata: encodeModalMetadata(spec.meta),
  blocks: spec.blocks,
});

/** A shared form field as an input block (its id is the block id) around `element`. */
const input = (field: FormField, element: InputBlockElement): InputBlock => ({
  type: 'input',
  block_id: field.id,
  label: plain(field.label, LIMITS.inputLabel),
  element,
  ...(field.required ? {} : { optional: true }),
  ...(field.hint ? { hint: plain(field.hint, LIMITS.inputHint) } : {}),
});

const textInput = (field: FormField, initial: string | undefined): InputBlockElement => {
  const max = Math.min(field.maxLength ?? INPUT_MAX, INPUT_MAX);
  return {
    type: 'plain_text_input',
    action_id: INPUT_ACTION,
    max_length: max,
    ...(field.kind === 'multiline' ? { multiline: true } : {}),
    ...(initial ? { initial_value: truncate(initial, max) } : {}),
    ...(field.placeholder ? { placeholder: plain(field.placeholder, LIMITS.placeholder) } : {}),
  };
};

/** A select field: radio buttons when its options are shown expanded, else a dropdown. */
const selectInput = (
  field: FormField,
  initial: string | undefined,
  label: (option: { value: string; label: string }) => string = (o) => o.label,
): InputBlockElement => {
  const expanded = field.expanded === true;
  const options: PlainTextOption[] = (field.options ?? []).map((o) => ({
    text: plain(label(o), LIMITS.optionText),
    value: o.value,
    ...(expanded && o.description ? { description: plain(o.description, LIMITS.optionDescription) } : {}),
  }));
  const initialOption = options.find((o) => initial !== undefined && o.value === initial);
  if (expanded)
    return {
      type: 'radio_buttons',
      action_id: INPUT_ACTION,
      options,
      ...(initialOption ? { initial_option: initialOption } : {}),
    };
  const select: StaticSelect = {
    type: 'static_select',
    action_id: INPUT_ACTION,
    ...(field.placeholder ? { placeholder: plain(field.placeholder, LIMITS.placeholder) } : {}),
    options,
    ...(initialOption ? { initial_option: initialOption } : {}),
  };
  return select;
};

/** The input block of a small form's field, with what was typed after the command as its initial value. */
const smallInput = (field: FormField, initial?: string): InputBlock =>
  input(field, field.kind === 'select' ? selectInput(field, initial) : textInput(field, initial));

const fieldOf = (fields: readonly FormField[], id: string): FormField => {
  const field = fields.find((f) => f.id === id);
  if (!field) throw new Error(`no form field ${id}`);
  return field;
};

/** Lines that fit one Slack text input (3000 characters); how many did not. */
const fitLines = (items: readonly string[]): { text: string; dropped: number } => {
  let text = '';
  let kept = 0;
  for (const item of items) {
    const next = kept === 0 ? item : `${text}\n${item}`;
    if (next.length > INPUT_MAX) break;
    text = next;
    kept++;
  }
  return { text, dropped: items.length - kept };
};

const toUnix = (iso: string | undefined): number | undefined => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : undefined;
};

/**
 * Option values are capped at 75 characters: a service name that long travels as `#<index>` into the
 * configured list instead.
 */
const serviceValue = (name: string, index: number): string =>
  name.length <= LIMITS.optionValue && !name.startsWith('#') ? name : `#${index}`;

const serviceOf = (value: string, services: readonly string[]): string => {
  const m = /^#(\d+)$/.exec(value);
  return (m ? services[Number(m[1])] : undefined) ?? value;
};

/** The plan's list a multiline plan field prefills from. */
const PLAN_LISTS: Readonly<Partial<Record<string, (plan: Plan) => readonly string[]>>> = {
  [PLAN_BLOCKS.codeChanges]: (p) => p.changes.code,
  [PLAN_BLOCKS.databaseChanges]: (p) => p.changes.database,
  [PLAN_BLOCKS.configChanges]: (p) => p.changes.config,
  [PLAN_BLOCKS.depSystems]: (p) => p.dependencies.systems,
  [PLAN_BLOCKS.depServices]: (p) => p.dependencies.services,
  [PLAN_BLOCKS.depDatabases]: (p) => p.dependencies.databases,
  [PLAN_BLOCKS.depExternal]: (p) => p.dependencies.external,
};

/** The plan's value a single-line or date plan field prefills from. */
const PLAN_TEXTS: Readonly<Partial<Record<string, (plan: Plan) => string | undefined>>> = {
  [PLAN_BLOCKS.issueId]: (p) => p.issueId,
  [PLAN_BLOCKS.version]: (p) => p.version,
  [PLAN_BLOCKS.previousVersion]: (p) => p.previousVersion,
  [PLAN_BLOCKS.summary]: (p) => p.summary,
  [PLAN_BLOCKS.durationEstimate]: (p) => p.timeline.durationEstimate,
  [PLAN_BLOCKS.verificationPeriod]: (p) => p.timeline.verificationPeriod,
  [PLAN_BLOCKS.start]: (p) => p.timeline.start,
  [PLAN_BLOCKS.targetCompletion]: (p) => p.timeline.targetCompletion,
  [PLAN_BLOCKS.severity]: (p) => p.severity,
  [PLAN_BLOCKS.riskLevel]: (p) => p.risk?.level,
  [PLAN_BLOCKS.riskAssessment]: (p) => p.risk?.assessment,
  [PLAN_BLOCKS.communicationPlan]: (p) => p.communicationPlan,
};

const RESOURCE_OF: Readonly<Partial<Record<string, keyof Plan['resources']>>> = {
  [PLAN_BLOCKS.resTechnical]: 'technical',
  [PLAN_BLOCKS.resSupport]: 'support',
  [PLAN_BLOCKS.resBusiness]: 'business',
  [PLAN_BLOCKS.resManagement]: 'management',
};

export interface PlanModalOptions {
  /** Services from config, in config order: the only ones a plan may name. */
  readonly services: readonly string[];
  /** People per role from config (policy.people): hints under the resource pickers. */
  readonly people?: Policy['people'];
  /** The plan to edit; absent when starting a hotfix. */
  readonly initial?: Plan;
  /** The hotfix being edited; absent when starting one. */
  readonly hotfixId?: string;
  /** Issue id typed after `/hotfix start`. */
  readonly issueId?: string;
  /** Messages by block id to show at the top (e.g. a refusal from the domain after submission). */
  readonly errors?: Readonly<Record<string, string>>;
  readonly origin?: ModalOrigin;
  /** Both platforms configured: the incident channels to show the hotfix in, as checkboxes. */
  readonly platforms?: PlatformChoice | undefined;
}

/**
 * The plan modal of `/hotfix start` and `/hotfix edit`: the shared plan form's fields, services from config,
 * people pickers for the resources. `private_metadata` carries the hotfix id and the hash of the plan being
 * edited.
 */
export const renderPlanModal = (options: PlanModalOptions): ModalView => {
  const { initial, services } = options;
  const warnings: string[] = [];
  const serviceOptions: PlainTextOption[] = services.map((name, i) => ({
    text: plain(name, LIMITS.optionText),
    value: serviceValue(name, i),
  }));
  const initialServices = (initial?.services ?? []).flatMap((name) => {
    const i = services.indexOf(name);
    const option = serviceOptions[i];
    if (!option) warnings.push(`Service ${name} is no longer configured; pick the services again.`);
    return option ? [option] : [];
  });
  const formFields = planFormFields({
    services,
    ...(options.people ? { people: options.people } : {}),
    platforms: options.platforms,
  });
  const servicesField = fieldOf(formFields, PLAN_BLOCKS.services);
  const serviceSelect: MultiStaticSelect = {
    type: 'multi_static_select',
    action_id: INPUT_ACTION,
    placeholder: plain(servicesField.placeholder ?? '', LIMITS.placeholder),
    ...(serviceOptions.length <= LIMITS.selectOptions
      ? { options: serviceOptions }
      : {
          option_groups: Array.from(
            { length: Math.ceil(serviceOptions.length / LIMITS.selectOptions) },
            (_, g) => ({
              label: plain(
                `Services ${g * LIMITS.selectOptions + 1}–${Math.min(serviceOptions.length, (g + 1) * LIMITS.selectOptions)}`,
                LIMITS.optionText,
              ),
              options: serviceOptions.slice(g * LIMITS.selectOptions, (g + 1) * LIMITS.selectOptions),
            }),
          ).slice(0, LIMITS.optionGroups),
        }),
    ...(initialServices.length > 0 ? { initial_options: initialServices } : {}),
  };
  if (initial && initial.summary.length > INPUT_MAX)
    warnings.push(`The summary is longer than Slack's 3000 characters; saving keeps the first 3000.`);
  const element = (field: FormField): InputBlockElement => {
    switch (field.kind) {
      case 'text':
        return textInput(
          field,
          initial
            ? PLAN_TEXTS[field.id]?.(initial)
            : field.id === PLAN_BLOCKS.issueId
              ? options.issueId
              : undefined,
        );
      case 'multiline': {
        const list = PLAN_LISTS[field.id];
        if (!list) return textInput(field, initial ? PLAN_TEXTS[field.id]?.(initial) : undefined);
        const { text, dropped } = fitLines(initial ? list(initial) : []);
        if (dropped > 0)
          warnings.push(
            `${field.label}: ${plural(dropped, 'line')} did not fit Slack's 3000 characters and will be dropped if you save.`,
          );
        return textInput(field, text);
      }
      case 'select':
        return selectInput(
          field,
          initial ? PLAN_TEXTS[field.id]?.(initial) : undefined,
          field.id === PLAN_BLOCKS.severity
            ? (o) => `${SEVERITY_EMOJI[o.value as keyof typeof SEVERITY_EMOJI]} ${o.label}`
            : undefined,
        );
      case 'multi-select': {
        if (!field.expanded) return serviceSelect;
        // The platforms' checkboxes: few options, all shown.
        const boxes = (field.options ?? []).map((o) => ({
          text: plain(o.label, LIMITS.optionText),
          value: o.value,
        }));
        const checked = boxes.filter((b) =>
          (options.platforms?.checked as readonly string[] | undefined)?.includes(b.value),
        );
        return {
          type: 'checkboxes',
          action_id: INPUT_ACTION,
          options: boxes,
          ...(checked.length > 0 ? { initial_options: checked } : {}),
        };
      }
      case 'date-time': {
        const at = toUnix(initial ? PLAN_TEXTS[field.id]?.(initial) : undefined);
        return {
          type: 'datetimepicker',
          action_id: INPUT_ACTION,
          ...(at === undefined ? {} : { initial_date_time: at }),
        };
      }
      case 'people': {
        const role = RESOURCE_OF[field.id];
        const ids = ((role && initial?.resources[role]) || [])
          .filter((p) => p.platform === 'slack')
          .map((p) => p.id);
        return {
          type: 'multi_users_select',
          action_id: INPUT_ACTION,
          ...(ids.length > 0 ? { initial_users: ids } : {}),
        };
      }
    }
  };
  const editing = options.hotfixId !== undefined;
  const fields: KnownBlock[] = [];
  let section: string | undefined;
  for (const field of formFields) {
    if (field.divider !== undefined)
      fields.push(
        { type: 'divider' },
        { type: 'context', elements: [plain(field.divider, LIMITS.textObject)] },
      );
    if (field.section !== undefined && field.section !== section)
      fields.push({ type: 'header', text: plain(field.section, LIMITS.headerText) });
    section = field.section;
    fields.push(input(field, element(field)));
  }
  const errors = Object.entries(options.errors ?? {});
  const notices: KnownBlock[] = [
    ...(errors.length > 0
      ? [
          {
            type: 'section' as const,
            block_id: `${BLOCKS.modal}:errors`,
            text: md(
              `⚠️ ${errors
                .map(([, m]) => userText(m, 400, true))
                .join('\n⚠️ ')
                .slice(0, 2900)}`,
            ),
          },
        ]
      : []),
    ...(warnings.length > 0
      ? [
          {
            type: 'context' as const,
            block_id: `${BLOCKS.modal}:warnings`,
            elements: warnings.slice(0, 10).map((w) => md(userText(w, 500))),
          },
        ]
      : []),
  ];
  const blocks = [...notices, ...fields];
  return modal({
    callbackId: CALLBACKS.plan,
    title: editing ? `Edit ${options.hotfixId}` : 'Start a hotfix',
    submit: editing ? 'Save plan' : 'Start',
    meta: {
      ...(options.hotfixId ? { h: options.hotfixId } : {}),
      ...(initial ? { p: planFingerprint(initial) } : {}),
      ...originMeta(options.origin),
    },
    blocks,
  });
};

// ---------------------------------------------------------------------------------------------------------
// Reading submissions: Slack's view state, flattened into the shared forms' values.

const elementState = z
  .object({
    type: z.string(),
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).loose().nullish(),
    selected_options: z.array(z.object({ value: z.string() }).loose()).nullish(),
    selected_users: z.array(z.string()).nullish(),
    selected_date_time: z.number().nullish(),
  })
  .loose();
type ElementState = z.infer<typeof elementState>;

/** The state of the one input element in `blockId` (its action id is `INPUT_ACTION`, or whatever it is). */
const stateOf = (values: ViewStateValues, blockId: string): ElementState | undefined => {
  const block = values[blockId];
  if (!block) return undefined;
  const raw = block[INPUT_ACTION] ?? Object.values(block)[0];
  const parsed = elementState.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
};

/** A submitted view as the shared forms read it: each field's value, by field id. */
export const formValuesOf = (values: ViewStateValues, fields: readonly FormField[]): FormValues =>
  Object.fromEntries(
    fields.map((field) => {
      const state = stateOf(values, field.id);
      switch (field.kind) {
        case 'text':
        case 'multiline':
          return [field.id, state?.value ?? undefined];
        case 'select':
          return [field.id, state?.selected_option?.value];
        case 'multi-select':
          return [field.id, (state?.selected_options ?? []).map((o) => o.value)];
        case 'people':
          return [field.id, state?.selected_users ?? []];
        case 'date-time': {
          const at = state?.selected_date_time;
          return [field.id, typeof at === 'number' ? String(at) : undefined];
        }
      }
    }),
  );

/**
 * Reads a plan modal submission. `{ ok: true, plan }`, or `{ ok: false, errors }` keyed by block id, for
 * `ack({ response_action: 'errors', errors })`. Services are checked against the configured ones. With the
 * plan being edited as `initial`, people already on it keep their Person (name included), so saving an
 * unchanged plan keeps its hash and voids no approval.
 */
export const parsePlanSubmission = (
  values: ViewStateValues,
  config: {
    readonly services: readonly string[];
    readonly initial?: Plan;
    /** hotfix.yml `plan_fields`; the defaults when absent. */
    readonly planFields?: PlanFieldRules | undefined;
    /** The platform choice the modal offered (see `platformChoice`). */
    readonly platforms?: PlatformChoice | undefined;
    /** The policy's bounds on the verification period. */
    readonly periodBounds?: VerificationPeriodBounds | undefined;
  },
): Parsed<{ plan: Plan }> => {
  const form = formValuesOf(
    values,
    planFormFields({ services: config.services, platforms: config.platforms }),
  );
  const picked = form[PLAN_BLOCKS.services];
  return parsePlanForm(
    {
      ...form,
      [PLAN_BLOCKS.services]: Array.isArray(picked)
        ? picked.map((v: string) => serviceOf(v, config.services))
        : picked,
    },
    { ...config, platform: 'slack' },
  );
};

// ---------------------------------------------------------------------------------------------------------
// The small modals: a reason, an issue, a lesson.

const intro = (textMd: string): KnownBlock => ({
  type: 'section',
  block_id: `${BLOCKS.modal}:intro`,
  text: md(textMd),
});

export interface RejectModalOptions {
  readonly hotfixId: string;
  readonly planHash: string;
  readonly role: Role;
  readonly origin?: ModalOrigin;
}

/** Asks why the plan is rejected; `private_metadata` carries the hotfix, plan hash and role of the click. */
export const renderRejectModal = (options: RejectModalOptions): ModalView =>
  modal({
    callbackId: CALLBACKS.reject,
    title: 'Reject the plan',
    submit: 'Reject',
    meta: { h: options.hotfixId, p: options.planHash, r: options.role, ...originMeta(options.origin) },
    blocks: [
      intro(
        `You are rejecting the plan of *${userText(options.hotfixId, 60, true)}* as *${userText(roleLabel(options.role), 100, true)}*. Deploy stays blocked until you approve or the plan changes.`,
      ),
      ...REJECT_FORM_FIELDS.map((field) => smallInput(field)),
    ],
  });

export interface AcceptBreachesModalOptions {
  readonly hotfixId: string;
  readonly role: Role;
  readonly breaches: number;
  /** The checks the window never heard from. */
  readonly unobserved: readonly string[];
  readonly origin?: ModalOrigin;
}

/** Asks why the release is kept despite its breaches; `private_metadata` carries the hotfix and role. */
export const renderAcceptBreachesModal = (options: AcceptBreachesModalOptions): ModalView =>
  modal({
    callbackId: CALLBACKS.acceptBreaches,
    title: 'Accept the breaches',
    submit: 'Accept and keep',
    meta: { h: options.hotfixId, r: options.role, ...originMeta(options.origin) },
    blocks: [
      intro(
        `Monitoring of *${userText(options.hotfixId, 60, true)}* ${windowFindings(
          options.breaches,
          options.unobserved,
          (check) => userText(check, 80, true),
        )}. You keep the release as *${userText(roleLabel(options.role), 100, true)}*; the record shows your reason.`,
      ),
      ...ACCEPT_BREACHES_FORM_FIELDS.map((field) => smallInput(field)),
    ],
  });

/** `{ ok: true, reason }` or the error under the reason field (the reject and cancel modals). */
export const parseReasonSubmission = (values: ViewStateValues): Parsed<{ reason: string }> =>
  parseReasonForm(formValuesOf(values, REJECT_FORM_FIELDS));

export interface RollbackModalOptions {
  readonly hotfixId: string;
  readonly origin?: ModalOrigin;
  /** A reason typed after `/hotfix rollback <id>`. */
  readonly reason?: string;
}

/** Proposes a rollback: the trigger and the reason; submitting opens the vote in the thread. */
export const renderRollbackModal = (options: RollbackModalOptions): ModalView =>
  modal({
    callbackId: CALLBACKS.rollback,
    title: 'Propose a rollback',
    submit: 'Propose',
    meta: { h: options.hotfixId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `A rollback of *${userText(options.hotfixId, 60, true)}* is decided by a vote in its thread. Your proposal counts as a vote for it.`,
      ),
      ...ROLLBACK_FORM_FIELDS.map((field) =>
        smallInput(field, field.id === REASON_BLOCKS.reason ? options.reason : undefined),
      ),
    ],
  });

/** `{ ok: true, trigger, reason }` or errors under the trigger and reason fields. */
export const parseRollbackSubmission = (
  values: ViewStateValues,
): Parsed<{ trigger: PersonRollbackTrigger; reason: string }> =>
  parseRollbackForm(formValuesOf(values, ROLLBACK_FORM_FIELDS));

export interface CancelModalOptions {
  readonly hotfixId: string;
  readonly planHash: string;
  readonly origin?: ModalOrigin;
}

/** Asks why the hotfix is cancelled (parse with `parseReasonSubmission`). */
export const renderCancelModal = (options: CancelModalOptions): ModalView =>
  modal({
    callbackId: CALLBACKS.cancel,
    title: 'Cancel the hotfix',
    submit: 'Cancel hotfix',
    meta: { h: options.hotfixId, p: options.planHash, ...originMeta(options.origin) },
    blocks: [
      intro(
        `Cancelling *${userText(options.hotfixId, 60, true)}* ends it before deploy; it cannot be reopened.`,
      ),
      ...CANCEL_FORM_FIELDS.map((field) => smallInput(field)),
    ],
  });

export interface IssueModalOptions {
  readonly hotfixId: string;
  readonly origin?: ModalOrigin;
  /** Text typed after `/hotfix issue <id>`. */
  readonly text?: string;
}

/** Logs an issue, or a business observation, on the hotfix. */
export const renderIssueModal = (options: IssueModalOptions): ModalView =>
  modal({
    callbackId: CALLBACKS.issue,
    title: 'Log an issue',
    submit: 'Log',
    meta: { h: options.hotfixId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `For *${userText(options.hotfixId, 60, true)}*: it goes to the thread and the deployment record.`,
      ),
      ...ISSUE_FORM_FIELDS.map((field) =>
        smallInput(field, field.id === REASON_BLOCKS.issueKind ? 'issue' : options.text),
      ),
    ],
  });

/** `{ ok: true, kind, text }`: `issue` → LogIssue, `observation` → NoteObservation. */
export const parseIssueSubmission = (
  values: ViewStateValues,
): Parsed<{ kind: 'issue' | 'observation'; text: string }> =>
  parseIssueForm(formValuesOf(values, ISSUE_FORM_FIELDS));

export interface LessonsModalOptions {
  readonly hotfixId: string;
  readonly origin?: ModalOrigin;
  /** Lessons already noted, shown for context. */
  readonly noted?: readonly string[];
}

/** The lessons-learned note of the record. */
export const renderLessonsModal = (options: LessonsModalOptions): ModalView => {
  const noted = options.noted ?? [];
  const shown = noted
    .slice(-5)
    .map((l) => `• ${userText(l, 300, true)}`)
    .join('\n');
  return modal({
    callbackId: CALLBACKS.lessons,
    title: 'Lessons learned',
    submit: 'Save',
    meta: { h: options.hotfixId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `What should the team keep or change after *${userText(options.hotfixId, 60, true)}*?${
          shown ? `\n*Already noted* (${noted.length}):\n${shown}` : ''
        }`,
      ),
      ...LESSONS_FORM_FIELDS.map((field) => smallInput(field)),
    ],
  });
};

/** `{ ok: true, text }` or the error under the lesson field. */
export const parseLessonsSubmission = (values: ViewStateValues): Parsed<{ text: string }> =>
  parseLessonsForm(formValuesOf(values, LESSONS_FORM_FIELDS));

/** What the issue forms show: the hotfix, the issue's number and text, and what a command typed after it. */
export interface IssueChangeModalOptions {
  readonly hotfixId: string;
  readonly issueId: number;
  readonly issueText: string;
  /** The current workaround (the workaround form starts from it). */
  readonly workaround?: string;
  readonly origin?: ModalOrigin;
}

type IssueChange = 'resolve' | 'workaround' | 'reopen';

const ISSUE_CHANGES: Readonly<
  Record<IssueChange, { callbackId: string; title: string; submit: string; fields: readonly FormField[] }>
> = {
  resolve: {
    callbackId: CALLBACKS.resolveIssue,
    title: 'Resolve an issue',
    submit: 'Resolve',
    fields: RESOLVE_ISSUE_FORM_FIELDS,
  },
  workaround: {
    callbackId: CALLBACKS.workaround,
    title: 'Set a workaround',
    submit: 'Save',
    fields: WORKAROUND_FORM_FIELDS,
  },
  reopen: {
    callbackId: CALLBACKS.reopenIssue,
    title: 'Reopen an issue',
    submit: 'Reopen',
    fields: REOPEN_ISSUE_FORM_FIELDS,
  },
};

/** Resolves (optional note), sets a workaround for (its text) or reopens (optional reason) a logged issue. */
export const renderIssueChangeModal = (change: IssueChange, options: IssueChangeModalOptions): ModalView => {
  const spec = ISSUE_CHANGES[change];
  return modal({
    callbackId: spec.callbackId,
    title: spec.title,
    submit: spec.submit,
    meta: { h: options.hotfixId, i: options.issueId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `*${userText(options.hotfixId, 60, true)}* issue #${options.issueId}: ${userText(options.issueText, 1000, true)}`,
      ),
      ...spec.fields.map((field) =>
        smallInput(field, field.id === REASON_BLOCKS.workaround ? options.workaround : undefined),
      ),
    ],
  });
};

/** The resolve and reopen modals: `{ ok: true, note }` (none when blank) or the error under the note. */
export const parseIssueNoteSubmission = (values: ViewStateValues): Parsed<{ note?: string }> =>
  parseIssueNoteForm(formValuesOf(values, RESOLVE_ISSUE_FORM_FIELDS));

/** `{ ok: true, text }` or the error under the workaround field. */
export const parseWorkaroundSubmission = (values: ViewStateValues): Parsed<{ text: string }> =>
  parseWorkaroundForm(formValuesOf(values, WORKAROUND_FORM_FIELDS));
