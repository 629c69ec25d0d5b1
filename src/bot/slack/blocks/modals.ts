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
import { DURATION_HINT, DURATION_PATTERN } from '../../../config/duration.ts';
import type { RollbackTrigger } from '../../../domain/hotfix/events.ts';
import type { Person, Role } from '../../../domain/hotfix/people.ts';
import type { Plan, Severity } from '../../../domain/hotfix/plan.ts';
import type { PlanFieldRules, TemplatedPlanField } from '../../../domain/hotfix/plan.ts';
import { planFieldProblem, planHash, SEVERITIES } from '../../../domain/hotfix/plan.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import type { ModalMetadata, PlanBlockId } from '../ids.ts';
import { BLOCKS, CALLBACKS, encodeModalMetadata, INPUT_ACTION, PLAN_BLOCKS, REASON_BLOCKS } from '../ids.ts';
import { roleLabel, SEVERITY_EMOJI } from './common.ts';
import { LIMITS } from './limits.ts';
import { md, plain, plural, truncate, userText } from './text.ts';

/** What `view_submission` carries in `view.state.values`: block id → action id → the element's state. */
export type ViewStateValues = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A parser's answer: the value, or messages keyed by block id, ready for `ack({ response_action: 'errors', errors })`. */
export type Parsed<T> =
  ({ readonly ok: true } & T) | { readonly ok: false; readonly errors: Record<string, string> };

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

const input = (
  blockId: string,
  label: string,
  element: InputBlockElement,
  options: { optional?: boolean; hint?: string } = {},
): InputBlock => ({
  type: 'input',
  block_id: blockId,
  label: plain(label, LIMITS.inputLabel),
  element,
  ...(options.optional ? { optional: true } : {}),
  ...(options.hint ? { hint: plain(options.hint, LIMITS.inputHint) } : {}),
});

const textInput = (
  initial: string | undefined,
  options: { multiline?: boolean; max?: number; placeholder?: string } = {},
): InputBlockElement => {
  const max = Math.min(options.max ?? INPUT_MAX, INPUT_MAX);
  return {
    type: 'plain_text_input',
    action_id: INPUT_ACTION,
    max_length: max,
    ...(options.multiline ? { multiline: true } : {}),
    ...(initial ? { initial_value: truncate(initial, max) } : {}),
    ...(options.placeholder ? { placeholder: plain(options.placeholder, LIMITS.placeholder) } : {}),
  };
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

const RESOURCE_ROLES = ['technical', 'support', 'business', 'management'] as const;
const RESOURCE_BLOCKS = {
  technical: PLAN_BLOCKS.resTechnical,
  support: PLAN_BLOCKS.resSupport,
  business: PLAN_BLOCKS.resBusiness,
  management: PLAN_BLOCKS.resManagement,
} as const;
const RESOURCE_LABELS = {
  technical: 'Technical team',
  support: 'Support team',
  business: 'Business users',
  management: 'Management oversight',
} as const;

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
}

/**
 * The plan modal of `/hotfix start` and `/hotfix edit`: every Plan field, services from config, people
 * pickers for the resources. `private_metadata` carries the hotfix id and the hash of the plan being edited.
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
  const serviceSelect: MultiStaticSelect = {
    type: 'multi_static_select',
    action_id: INPUT_ACTION,
    placeholder: plain('Pick the services this fix touches', LIMITS.placeholder),
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
  const severityOptions: PlainTextOption[] = SEVERITIES.map((s) => ({
    text: plain(`${SEVERITY_EMOJI[s]} ${s}`, LIMITS.optionText),
    value: s,
  }));
  const severitySelect: StaticSelect = {
    type: 'static_select',
    action_id: INPUT_ACTION,
    placeholder: plain('How bad is it?', LIMITS.placeholder),
    options: severityOptions,
    ...(initial ? { initial_option: severityOptions[SEVERITIES.indexOf(initial.severity)] } : {}),
  };
  const lines = (blockId: PlanBlockId, label: string, items: readonly string[] | undefined, hint: string) => {
    const { text, dropped } = fitLines(items ?? []);
    if (dropped > 0)
      warnings.push(
        `${label}: ${plural(dropped, 'line')} did not fit Slack's 3000 characters and will be dropped if you save.`,
      );
    return input(blockId, label, textInput(text, { multiline: true }), { optional: true, hint });
  };
  if (initial && initial.summary.length > INPUT_MAX)
    warnings.push(`The summary is longer than Slack's 3000 characters; saving keeps the first 3000.`);
  const date = (blockId: PlanBlockId, label: string, iso: string | undefined, hint: string) => {
    const at = toUnix(iso);
    return input(
      blockId,
      label,
      {
        type: 'datetimepicker',
        action_id: INPUT_ACTION,
        ...(at === undefined ? {} : { initial_date_time: at }),
      },
      { optional: true, hint },
    );
  };
  const users = (role: (typeof RESOURCE_ROLES)[number]) => {
    const ids = (initial?.resources[role] ?? []).filter((p) => p.platform === 'slack').map((p) => p.id);
    const configured = options.people?.[role]?.length ?? 0;
    return input(
      RESOURCE_BLOCKS[role],
      RESOURCE_LABELS[role],
      {
        type: 'multi_users_select',
        action_id: INPUT_ACTION,
        ...(ids.length > 0 ? { initial_users: ids } : {}),
      },
      {
        optional: true,
        ...(options.people
          ? { hint: `hotfix.yml gives the ${role} role to ${plural(configured, 'person', 'people')}.` }
          : {}),
      },
    );
  };
  const editing = options.hotfixId !== undefined;
  const fields: KnownBlock[] = [
    input(
      PLAN_BLOCKS.issueId,
      'Issue ID',
      textInput(initial?.issueId ?? options.issueId, { max: 100, placeholder: 'INC-42' }),
    ),
    input(PLAN_BLOCKS.version, 'Version', textInput(initial?.version, { max: 100, placeholder: '2.3.1' })),
    input(
      PLAN_BLOCKS.previousVersion,
      'Previous version',
      textInput(initial?.previousVersion, { max: 100, placeholder: '2.3.0' }),
      {
        optional: true,
        hint: 'The version a rollback returns to.',
      },
    ),
    input(
      PLAN_BLOCKS.summary,
      'Summary',
      textInput(initial?.summary, {
        multiline: true,
        placeholder: 'What is broken and what this fix changes',
      }),
    ),
    input(PLAN_BLOCKS.severity, 'Severity', severitySelect),
    input(PLAN_BLOCKS.services, 'Services affected', serviceSelect),
    { type: 'header', text: plain('Changes', LIMITS.headerText) },
    lines(PLAN_BLOCKS.codeChanges, 'Code changes', initial?.changes.code, 'Files or PR links, one per line.'),
    lines(
      PLAN_BLOCKS.databaseChanges,
      'Database changes',
      initial?.changes.database,
      'Migrations, one per line.',
    ),
    lines(PLAN_BLOCKS.configChanges, 'Configuration updates', initial?.changes.config, 'One per line.'),
    { type: 'header', text: plain('Dependencies', LIMITS.headerText) },
    lines(
      PLAN_BLOCKS.depSystems,
      'Systems',
      initial?.dependencies.systems,
      'One per line (or comma-separated).',
    ),
    lines(
      PLAN_BLOCKS.depServices,
      'Services',
      initial?.dependencies.services,
      'One per line (or comma-separated).',
    ),
    lines(
      PLAN_BLOCKS.depDatabases,
      'Databases',
      initial?.dependencies.databases,
      'One per line (or comma-separated).',
    ),
    lines(
      PLAN_BLOCKS.depExternal,
      'External APIs',
      initial?.dependencies.external,
      'One per line (or comma-separated).',
    ),
    { type: 'header', text: plain('Timeline', LIMITS.headerText) },
    date(PLAN_BLOCKS.start, 'Start', initial?.timeline.start, 'When the deploy should start.'),
    input(
      PLAN_BLOCKS.durationEstimate,
      'Duration estimate',
      textInput(initial?.timeline.durationEstimate, { max: 50, placeholder: '45m' }),
      {
        optional: true,
      },
    ),
    date(
      PLAN_BLOCKS.targetCompletion,
      'Target completion',
      initial?.timeline.targetCompletion,
      'After the start.',
    ),
    input(
      PLAN_BLOCKS.verificationPeriod,
      'Verification period',
      textInput(initial?.timeline.verificationPeriod, { max: 20, placeholder: '30m' }),
      {
        optional: true,
        hint: `How long to watch after deploy: ${DURATION_HINT}.`,
      },
    ),
    { type: 'header', text: plain('Resources', LIMITS.headerText) },
    ...RESOURCE_ROLES.map(users),
  ];
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
      ...(initial ? { p: planHash(initial) } : {}),
      ...originMeta(options.origin),
    },
    blocks,
  });
};

// ---------------------------------------------------------------------------------------------------------
// Reading submissions.

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

const text = (values: ViewStateValues, blockId: string): string => stateOf(values, blockId)?.value ?? '';
const selected = (values: ViewStateValues, blockId: string): string | undefined =>
  stateOf(values, blockId)?.selected_option?.value;
const selectedMany = (values: ViewStateValues, blockId: string): string[] =>
  (stateOf(values, blockId)?.selected_options ?? []).map((o) => o.value);
const usersOf = (values: ViewStateValues, blockId: string): string[] =>
  stateOf(values, blockId)?.selected_users ?? [];
const dateTime = (values: ViewStateValues, blockId: string): number | null | undefined =>
  stateOf(values, blockId)?.selected_date_time;

const splitLines = (raw: string, commas: boolean): string[] =>
  raw
    .split(commas ? /[\r\n,]+/ : /\r\n?|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** zod issues → `{ [block_id]: message }`, first message per block. */
const errorsOf = (error: z.ZodError): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
};

const required = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `Please give ${what}.` })
    .max(max, { error: `Keep it under ${max} characters.` });

const lineList = z.array(z.string().max(1000, { error: 'A line is longer than 1000 characters.' }));

const unixDate = (label: string) =>
  z
    .number({ error: `${label}: pick a date and time.` })
    .int({ error: `${label}: not a valid date.` })
    .min(946_684_800, { error: `${label}: not a valid date.` })
    .max(4_102_444_800, { error: `${label}: not a valid date.` })
    .nullish();

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'Not a Slack user.' });

const TEMPLATED_FIELD_BLOCKS = [
  ['issueId', PLAN_BLOCKS.issueId],
  ['version', PLAN_BLOCKS.version],
  ['previousVersion', PLAN_BLOCKS.previousVersion],
  ['summary', PLAN_BLOCKS.summary],
] as const satisfies readonly (readonly [TemplatedPlanField, PlanBlockId])[];

/** The plan modal's fields, keyed by block id, so zod's issue paths are the block ids Slack wants. */
const planFormSchema = (services: readonly string[], rules: PlanFieldRules | undefined) =>
  z
    .object({
      [PLAN_BLOCKS.issueId]: required('the issue ID', 100),
      [PLAN_BLOCKS.version]: required('the version being deployed', 100),
      [PLAN_BLOCKS.previousVersion]: z.string().trim().max(100),
      [PLAN_BLOCKS.summary]: required('a summary', INPUT_MAX),
      [PLAN_BLOCKS.severity]: z.enum(SEVERITIES, { error: 'Pick a severity.' }),
      [PLAN_BLOCKS.services]: z
        .array(z.string())
        .min(1, { error: 'Pick at least one service.' })
        .superRefine((names, ctx) => {
          const unknown = names.filter((n) => !services.includes(n));
          if (unknown.length > 0)
            ctx.addIssue({
              code: 'custom',
              message: truncate(
                `Unknown service: ${unknown.join(', ')} (configured: ${services.join(', ')}).`,
                500,
              ),
            });
          if (new Set(names).size !== names.length)
            ctx.addIssue({ code: 'custom', message: 'A service is listed twice.' });
        }),
      [PLAN_BLOCKS.codeChanges]: lineList,
      [PLAN_BLOCKS.databaseChanges]: lineList,
      [PLAN_BLOCKS.configChanges]: lineList,
      [PLAN_BLOCKS.depSystems]: lineList,
      [PLAN_BLOCKS.depServices]: lineList,
      [PLAN_BLOCKS.depDatabases]: lineList,
      [PLAN_BLOCKS.depExternal]: lineList,
      [PLAN_BLOCKS.start]: unixDate('Start'),
      [PLAN_BLOCKS.durationEstimate]: z.string().trim().max(50, { error: 'Keep it short, e.g. 45m.' }),
      [PLAN_BLOCKS.targetCompletion]: unixDate('Target completion'),
      [PLAN_BLOCKS.verificationPeriod]: z
        .string()
        .trim()
        .refine((v) => v === '' || DURATION_PATTERN.test(v), { error: `Expected ${DURATION_HINT}.` }),
      [PLAN_BLOCKS.resTechnical]: z.array(slackUserId),
      [PLAN_BLOCKS.resSupport]: z.array(slackUserId),
      [PLAN_BLOCKS.resBusiness]: z.array(slackUserId),
      [PLAN_BLOCKS.resManagement]: z.array(slackUserId),
    })
    .superRefine((form, ctx) => {
      // The fields that reach step templates: refused under the field, before the domain refuses the plan.
      for (const [field, blockId] of TEMPLATED_FIELD_BLOCKS) {
        const problem = planFieldProblem(field, form[blockId], rules);
        if (problem !== null) ctx.addIssue({ code: 'custom', path: [blockId], message: problem });
      }
      const start = form[PLAN_BLOCKS.start];
      const target = form[PLAN_BLOCKS.targetCompletion];
      if (typeof start === 'number' && typeof target === 'number' && target <= start)
        ctx.addIssue({
          code: 'custom',
          path: [PLAN_BLOCKS.targetCompletion],
          message: 'Target completion must be after the start.',
        });
    });

const isoOf = (unix: number | null | undefined): string | undefined =>
  typeof unix === 'number' ? new Date(unix * 1000).toISOString() : undefined;

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
  },
): Parsed<{ plan: Plan }> => {
  const { services } = config;
  const known = new Map(
    Object.values(config.initial?.resources ?? {})
      .flat()
      .filter((p) => p.platform === 'slack')
      .map((p) => [p.id, p]),
  );
  const personOf = (id: string): Person => known.get(id) ?? { platform: 'slack', id };
  const form = {
    [PLAN_BLOCKS.issueId]: text(values, PLAN_BLOCKS.issueId),
    [PLAN_BLOCKS.version]: text(values, PLAN_BLOCKS.version),
    [PLAN_BLOCKS.previousVersion]: text(values, PLAN_BLOCKS.previousVersion),
    [PLAN_BLOCKS.summary]: text(values, PLAN_BLOCKS.summary),
    [PLAN_BLOCKS.severity]: selected(values, PLAN_BLOCKS.severity),
    [PLAN_BLOCKS.services]: selectedMany(values, PLAN_BLOCKS.services).map((v) => serviceOf(v, services)),
    [PLAN_BLOCKS.codeChanges]: splitLines(text(values, PLAN_BLOCKS.codeChanges), false),
    [PLAN_BLOCKS.databaseChanges]: splitLines(text(values, PLAN_BLOCKS.databaseChanges), false),
    [PLAN_BLOCKS.configChanges]: splitLines(text(values, PLAN_BLOCKS.configChanges), false),
    [PLAN_BLOCKS.depSystems]: splitLines(text(values, PLAN_BLOCKS.depSystems), true),
    [PLAN_BLOCKS.depServices]: splitLines(text(values, PLAN_BLOCKS.depServices), true),
    [PLAN_BLOCKS.depDatabases]: splitLines(text(values, PLAN_BLOCKS.depDatabases), true),
    [PLAN_BLOCKS.depExternal]: splitLines(text(values, PLAN_BLOCKS.depExternal), true),
    [PLAN_BLOCKS.start]: dateTime(values, PLAN_BLOCKS.start),
    [PLAN_BLOCKS.durationEstimate]: text(values, PLAN_BLOCKS.durationEstimate),
    [PLAN_BLOCKS.targetCompletion]: dateTime(values, PLAN_BLOCKS.targetCompletion),
    [PLAN_BLOCKS.verificationPeriod]: text(values, PLAN_BLOCKS.verificationPeriod),
    [PLAN_BLOCKS.resTechnical]: usersOf(values, PLAN_BLOCKS.resTechnical),
    [PLAN_BLOCKS.resSupport]: usersOf(values, PLAN_BLOCKS.resSupport),
    [PLAN_BLOCKS.resBusiness]: usersOf(values, PLAN_BLOCKS.resBusiness),
    [PLAN_BLOCKS.resManagement]: usersOf(values, PLAN_BLOCKS.resManagement),
  };
  const parsed = planFormSchema(services, config.planFields).safeParse(form);
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error) };
  const f = parsed.data;
  const start = isoOf(f[PLAN_BLOCKS.start]);
  const target = isoOf(f[PLAN_BLOCKS.targetCompletion]);
  const duration = f[PLAN_BLOCKS.durationEstimate];
  const period = f[PLAN_BLOCKS.verificationPeriod];
  const plan: Plan = {
    issueId: f[PLAN_BLOCKS.issueId],
    version: f[PLAN_BLOCKS.version],
    previousVersion: f[PLAN_BLOCKS.previousVersion],
    summary: f[PLAN_BLOCKS.summary],
    severity: f[PLAN_BLOCKS.severity] as Severity,
    services: f[PLAN_BLOCKS.services],
    changes: {
      code: f[PLAN_BLOCKS.codeChanges],
      database: f[PLAN_BLOCKS.databaseChanges],
      config: f[PLAN_BLOCKS.configChanges],
    },
    dependencies: {
      systems: f[PLAN_BLOCKS.depSystems],
      services: f[PLAN_BLOCKS.depServices],
      databases: f[PLAN_BLOCKS.depDatabases],
      external: f[PLAN_BLOCKS.depExternal],
    },
    timeline: {
      ...(start ? { start } : {}),
      ...(duration ? { durationEstimate: duration } : {}),
      ...(target ? { targetCompletion: target } : {}),
      ...(period ? { verificationPeriod: period } : {}),
    },
    resources: {
      technical: f[PLAN_BLOCKS.resTechnical].map(personOf),
      support: f[PLAN_BLOCKS.resSupport].map(personOf),
      business: f[PLAN_BLOCKS.resBusiness].map(personOf),
      management: f[PLAN_BLOCKS.resManagement].map(personOf),
    },
  };
  return { ok: true, plan };
};

// ---------------------------------------------------------------------------------------------------------
// The small modals: a reason, an issue, a lesson.

const reasonInput = (
  label: string,
  placeholder: string,
  blockId: string = REASON_BLOCKS.reason,
): InputBlock => input(blockId, label, textInput(undefined, { multiline: true, max: 2000, placeholder }));

const intro = (textMd: string): KnownBlock => ({
  type: 'section',
  block_id: `${BLOCKS.modal}:intro`,
  text: md(textMd),
});

const parseText = (
  values: ViewStateValues,
  blockId: string,
  what: string,
  max = 2000,
): Parsed<{ text: string }> => {
  const parsed = required(what, max).safeParse(text(values, blockId));
  return parsed.success
    ? { ok: true, text: parsed.data }
    : { ok: false, errors: { [blockId]: parsed.error.issues[0]?.message ?? 'Invalid.' } };
};

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
      reasonInput('Why?', 'What must change before you approve'),
    ],
  });

/** `{ ok: true, reason }` or the error under the reason field. */
export const parseReasonSubmission = (values: ViewStateValues): Parsed<{ reason: string }> => {
  const r = parseText(values, REASON_BLOCKS.reason, 'a reason');
  return r.ok ? { ok: true, reason: r.text } : r;
};

/** The triggers a person can give (failed steps and checks are raised by the system). */
export const PERSON_ROLLBACK_TRIGGERS = [
  'critical_error',
  'data_issue',
  'performance_problem',
  'business_impact',
] as const satisfies readonly RollbackTrigger[];
export type PersonRollbackTrigger = (typeof PERSON_ROLLBACK_TRIGGERS)[number];

const TRIGGER_LABELS: Readonly<Record<PersonRollbackTrigger, string>> = {
  critical_error: 'Critical error',
  data_issue: 'Data issue',
  performance_problem: 'Performance problem',
  business_impact: 'Business impact',
};

export interface RollbackModalOptions {
  readonly hotfixId: string;
  readonly origin?: ModalOrigin;
  /** A reason typed after `/hotfix rollback <id>`. */
  readonly reason?: string;
}

/** Proposes a rollback: the trigger and the reason; submitting opens the vote in the thread. */
export const renderRollbackModal = (options: RollbackModalOptions): ModalView => {
  const triggerOptions: PlainTextOption[] = PERSON_ROLLBACK_TRIGGERS.map((t) => ({
    text: plain(TRIGGER_LABELS[t], LIMITS.optionText),
    value: t,
  }));
  return modal({
    callbackId: CALLBACKS.rollback,
    title: 'Propose a rollback',
    submit: 'Propose',
    meta: { h: options.hotfixId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `A rollback of *${userText(options.hotfixId, 60, true)}* is decided by a vote in its thread. Your proposal counts as a vote for it.`,
      ),
      input(REASON_BLOCKS.trigger, 'Trigger', {
        type: 'static_select',
        action_id: INPUT_ACTION,
        placeholder: plain('What went wrong?', LIMITS.placeholder),
        options: triggerOptions,
      }),
      input(
        REASON_BLOCKS.reason,
        'Reason',
        textInput(options.reason, {
          multiline: true,
          max: 2000,
          placeholder: 'What you see, and since when',
        }),
      ),
    ],
  });
};

/** `{ ok: true, trigger, reason }` or errors under the trigger and reason fields. */
export const parseRollbackSubmission = (
  values: ViewStateValues,
): Parsed<{ trigger: PersonRollbackTrigger; reason: string }> => {
  const schema = z.object({
    [REASON_BLOCKS.trigger]: z.enum(PERSON_ROLLBACK_TRIGGERS, { error: 'Pick a trigger.' }),
    [REASON_BLOCKS.reason]: required('a reason', 2000),
  });
  const parsed = schema.safeParse({
    [REASON_BLOCKS.trigger]: selected(values, REASON_BLOCKS.trigger),
    [REASON_BLOCKS.reason]: text(values, REASON_BLOCKS.reason),
  });
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error) };
  return { ok: true, trigger: parsed.data[REASON_BLOCKS.trigger], reason: parsed.data[REASON_BLOCKS.reason] };
};

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
      reasonInput('Why?', 'e.g. fixed by the vendor, superseded by HF-12'),
    ],
  });

export interface IssueModalOptions {
  readonly hotfixId: string;
  readonly origin?: ModalOrigin;
  /** Text typed after `/hotfix issue <id>`. */
  readonly text?: string;
}

/** Logs an issue, or a business observation, on the hotfix. */
export const renderIssueModal = (options: IssueModalOptions): ModalView => {
  const kinds: PlainTextOption[] = [
    {
      text: plain('Issue', LIMITS.optionText),
      value: 'issue',
      description: plain('Something is wrong; it can be resolved or worked around', LIMITS.optionDescription),
    },
    {
      text: plain('Observation', LIMITS.optionText),
      value: 'observation',
      description: plain('A business observation for the record', LIMITS.optionDescription),
    },
  ];
  return modal({
    callbackId: CALLBACKS.issue,
    title: 'Log an issue',
    submit: 'Log',
    meta: { h: options.hotfixId, ...originMeta(options.origin) },
    blocks: [
      intro(
        `For *${userText(options.hotfixId, 60, true)}*: it goes to the thread and the deployment record.`,
      ),
      input(REASON_BLOCKS.issueKind, 'Kind', {
        type: 'radio_buttons',
        action_id: INPUT_ACTION,
        options: kinds,
        initial_option: kinds[0],
      }),
      input(
        REASON_BLOCKS.issueText,
        'What happened?',
        textInput(options.text, { multiline: true, max: 2000 }),
      ),
    ],
  });
};

/** `{ ok: true, kind, text }`: `issue` → LogIssue, `observation` → NoteObservation. */
export const parseIssueSubmission = (
  values: ViewStateValues,
): Parsed<{ kind: 'issue' | 'observation'; text: string }> => {
  const kind = selected(values, REASON_BLOCKS.issueKind) ?? 'issue';
  if (kind !== 'issue' && kind !== 'observation')
    return { ok: false, errors: { [REASON_BLOCKS.issueKind]: 'Pick issue or observation.' } };
  const r = parseText(values, REASON_BLOCKS.issueText, 'a description');
  return r.ok ? { ok: true, kind, text: r.text } : r;
};

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
      input(REASON_BLOCKS.lessons, 'Lesson', textInput(undefined, { multiline: true, max: INPUT_MAX })),
    ],
  });
};

/** `{ ok: true, text }` or the error under the lesson field. */
export const parseLessonsSubmission = (values: ViewStateValues): Parsed<{ text: string }> =>
  parseText(values, REASON_BLOCKS.lessons, 'the lesson', INPUT_MAX);
