import { z } from 'zod';
import { capitalize } from '../../../domain/hotfix/format.ts';
import type { Person } from '../../../domain/hotfix/people.ts';
import { periodBounds, planFingerprint } from '../../../domain/hotfix/plan.ts';
import { reviewFindings } from '../../../domain/hotfix/queries.ts';
import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import type { Policy } from '../../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../../domain/hotfix/state.ts';
import type { Handled } from '../../../service/handler.ts';
import type { FieldOption, FormField, FormValues } from '../../common/forms.ts';
import {
  ACCEPT_BREACHES_FORM_FIELDS,
  CANCEL_FORM_FIELDS,
  ISSUE_FORM_FIELDS,
  LESSONS_FORM_FIELDS,
  PLAN_FIELDS,
  REJECT_FORM_FIELDS,
  REOPEN_ISSUE_FORM_FIELDS,
  RESOLVE_ISSUE_FORM_FIELDS,
  ROLLBACK_FORM_FIELDS,
  WORKAROUND_FORM_FIELDS,
  parseIssueForm,
  parseIssueNoteForm,
  parseWorkaroundForm,
  parseLessonsForm,
  parsePlanForm,
  parseReasonForm,
  parseRollbackForm,
  planFormFields,
  planFormValues,
  platformChoice,
  PLATFORMS_FIELD,
  REASON_FIELDS,
} from '../../common/forms.ts';
import { planUpdatedText } from '../../common/wording.ts';
import type { InvokeAnswer, TeamsActivity } from '../activity.ts';
import type { DialogContext } from '../cards/dialogs.ts';
import { dialogValues, renderDialog } from '../cards/dialogs.ts';
import type { TeamsBotDeps } from '../deps.ts';
import { identifyTeamsSender } from '../identity.ts';
import type { ActionDataOf, FormId } from '../verbs.ts';
import { FORMS, parseActionData, VERBS } from '../verbs.ts';
import {
  cancelFormRefusal,
  dialogAnswer,
  existingState,
  explain,
  messageAnswer,
  noSuchHotfix,
} from './shared.ts';

/** Where a refusal that belongs to no field is shown: on top of the dialog (no field has this id). */
const FORM_ERROR = 'form';

export const STALE_FORM =
  'This dialog is not one hotfix can read (it may be from an older version). Close it and start again.';

/** `value` of `task/fetch` and `task/submit`: the button's data, and on submit the inputs beside it. */
const taskValueSchema = z.looseObject({ data: z.record(z.string(), z.unknown()) });

type OpenForm = ActionDataOf<'hotfix.open-form'>;
type SubmitForm = ActionDataOf<'hotfix.submit-form'>;

/** What a form needs to be drawn: its title, fields, values to show and what its submit carries. */
interface FormSpec {
  readonly title: string;
  readonly intro?: string;
  readonly fields: readonly FormField[];
  readonly values?: FormValues;
  readonly submitTitle: string;
  readonly context: DialogContext;
  readonly size: 'medium' | 'large';
}

/** A dialog's answer, or the text that replaces it (the form cannot be opened or was refused outright). */
type Opened = FormSpec | string;

/** The people the plan's pickers offer: everyone in hotfix.yml's Teams lists, by Entra object id. */
const peopleOptions = (policy: Policy): FieldOption[] => {
  const roles = new Map<string, { person: Person; roles: string[] }>();
  for (const [role, members] of Object.entries(policy.people))
    for (const person of members.filter((p) => p.platform === 'teams')) {
      const known = roles.get(person.id) ?? { person, roles: [] };
      known.roles.push(capitalize(role));
      roles.set(person.id, known);
    }
  return [...roles.values()].map(({ person, roles: held }) => ({
    value: person.id,
    label: person.name ?? person.id,
    description: held.join(', '),
  }));
};

/** The title, fields and submit button of the dialogs that change a logged issue. */
const issueFormTitles = (
  form: typeof FORMS.resolveIssue | typeof FORMS.workaround | typeof FORMS.reopenIssue,
  hotfixId: string,
  issueId: number,
): [string, readonly FormField[], string] => {
  switch (form) {
    case FORMS.resolveIssue:
      return [`Resolve issue #${issueId} of ${hotfixId}`, RESOLVE_ISSUE_FORM_FIELDS, 'Resolve'];
    case FORMS.workaround:
      return [`Workaround for issue #${issueId} of ${hotfixId}`, WORKAROUND_FORM_FIELDS, 'Save workaround'];
    case FORMS.reopenIssue:
      return [`Reopen issue #${issueId} of ${hotfixId}`, REOPEN_ISSUE_FORM_FIELDS, 'Reopen'];
  }
};

/**
 * Dialogs (task modules): `task/fetch` opens the form a card button names, checked as Slack checks its
 * modals (edit while planning, reject on the plan shown); `task/submit` reads it with the shared parsers and
 * sends the command. An invalid submission or a domain refusal keeps the dialog open with the reason under
 * the field (or on top); success closes it with a short message.
 */
export const createDialogHandler = (deps: TeamsBotDeps) => {
  /** The platforms' checkboxes of a new hotfix's dialog (opened in Teams) or of an existing one's. */
  const platformsOf = (hotfix?: HotfixState) =>
    platformChoice(deps.config(), hotfix ?? { requester: { platform: 'teams' } });
  // The fields are the same for every hotfix: which platforms are offered depends on the config only.
  const planFields = () =>
    planFormFields({
      services: Object.keys(deps.config().services),
      people: deps.policy().people,
      platforms: platformsOf(),
      editCommand: '@hotfix edit',
    });

  const mustExist = async (hotfixId: string | undefined): Promise<HotfixState | string> => {
    if (hotfixId === undefined) return STALE_FORM;
    return (await existingState(deps, hotfixId)) ?? noSuchHotfix(hotfixId);
  };

  /** The issue a resolve, workaround or reopen dialog is for, or why it cannot open. */
  const issueOf = (state: HotfixState, data: OpenForm) => {
    const issue = data.issue === undefined ? undefined : state.issues.find((i) => i.id === data.issue);
    return issue ?? STALE_FORM;
  };

  /** The form a button opens, as it should be drawn now. */
  const formFor = async (data: OpenForm, activity: TeamsActivity, by: Person): Promise<Opened> => {
    if (data.form === FORMS.plan && data.hotfixId === undefined)
      return {
        title: 'Plan a hotfix',
        fields: planFields(),
        values: {
          ...(data.issueId ? { [PLAN_FIELDS.issueId]: data.issueId } : {}),
          [PLATFORMS_FIELD]: [...(platformsOf()?.checked ?? [])],
        },
        submitTitle: 'Open hotfix',
        // The fetch's activity id keys the new hotfix: submitting this dialog twice opens it once.
        context: { form: FORMS.plan, ...(activity.id ? { requestId: activity.id } : {}) },
        size: 'large',
      };
    const state = await mustExist(data.hotfixId);
    if (typeof state === 'string') return state;
    const on = { hotfixId: state.id };
    switch (data.form) {
      case FORMS.plan:
        if (state.phase !== 'planned')
          return `⏸️ ${state.id} is past planning: its plan can only change while planning.`;
        return {
          title: `Edit the plan of ${state.id}`,
          intro:
            'Saving a changed plan voids the approvals given so far, unless only where it is shown changed.',
          fields: planFields(),
          values: planFormValues(state.plan, 'teams', platformsOf(state)),
          submitTitle: 'Save plan',
          // The whole plan's fingerprint, where it is shown included: see the check when it is submitted.
          context: { form: FORMS.plan, ...on, planHash: planFingerprint(state.plan) },
          size: 'large',
        };
      case FORMS.reject:
        if (data.planHash !== undefined && data.planHash !== state.planHash)
          return '🔄 The plan changed since this card was drawn; look at the new one before rejecting it.';
        return {
          title: `Reject the plan of ${state.id}`,
          fields: REJECT_FORM_FIELDS,
          submitTitle: 'Reject plan',
          context: {
            form: FORMS.reject,
            ...on,
            planHash: state.planHash,
            ...(data.role ? { role: data.role } : {}),
          },
          size: 'medium',
        };
      case FORMS.cancel:
        return (
          cancelFormRefusal(deps, state, by) ?? {
            title: `Cancel ${state.id}`,
            fields: CANCEL_FORM_FIELDS,
            submitTitle: 'Cancel hotfix',
            context: { form: FORMS.cancel, ...on, planHash: state.planHash },
            size: 'medium',
          }
        );
      case FORMS.rollback:
        return {
          title: `Propose a rollback of ${state.id}`,
          intro: 'Opens a rollback vote in the hotfix thread; your proposal counts for it.',
          fields: ROLLBACK_FORM_FIELDS,
          submitTitle: 'Propose rollback',
          context: { form: FORMS.rollback, ...on },
          size: 'medium',
        };
      case FORMS.issue:
        return {
          title: `Log an issue on ${state.id}`,
          fields: ISSUE_FORM_FIELDS,
          values: { issue_kind: 'issue' },
          submitTitle: 'Log',
          context: { form: FORMS.issue, ...on },
          size: 'medium',
        };
      case FORMS.acceptBreaches: {
        return {
          title: `Accept the breaches of ${state.id}`,
          intro: `Monitoring ${reviewFindings(state)}. You keep the release${
            data.role ? ` as ${capitalize(data.role)}` : ''
          }; the record shows your reason.`,
          fields: ACCEPT_BREACHES_FORM_FIELDS,
          submitTitle: 'Accept and keep',
          context: { form: FORMS.acceptBreaches, ...on, ...(data.role ? { role: data.role } : {}) },
          size: 'medium',
        };
      }
      case FORMS.lessons:
        return {
          title: `Lessons learned on ${state.id}`,
          ...(state.lessons.length > 0
            ? { intro: `Noted so far:\n${state.lessons.map((l) => `• ${l.text}`).join('\n')}` }
            : {}),
          fields: LESSONS_FORM_FIELDS,
          submitTitle: 'Note lesson',
          context: { form: FORMS.lessons, ...on },
          size: 'medium',
        };
      case FORMS.resolveIssue:
      case FORMS.workaround:
      case FORMS.reopenIssue: {
        const issue = issueOf(state, data);
        if (typeof issue === 'string') return issue;
        // The message keeps its buttons once the hotfix ends: say so before a form is filled in for nothing.
        if (state.phase === 'closed' || state.phase === 'cancelled')
          return `⏸️ ${state.id} is ${state.phase}; its issues can no longer change.`;
        const [title, fields, submitTitle] = issueFormTitles(data.form, state.id, issue.id);
        return {
          title,
          intro: `Issue #${issue.id}: ${issue.text}`,
          fields,
          ...(data.form === FORMS.workaround && issue.workaround
            ? { values: { [REASON_FIELDS.workaround]: issue.workaround.text } }
            : {}),
          submitTitle,
          context: { form: data.form, ...on, issue: issue.id },
          size: 'medium',
        };
      }
      default: {
        const never: never = data.form;
        throw new Error(`unknown form ${String(never)}`);
      }
    }
  };

  const draw = (spec: FormSpec, values?: FormValues, errors?: Readonly<Record<string, string>>) =>
    dialogAnswer(
      renderDialog({
        title: spec.title,
        ...(spec.intro ? { intro: spec.intro } : {}),
        fields: spec.fields,
        ...((values ?? spec.values) ? { values: values ?? spec.values } : {}),
        ...(errors ? { errors } : {}),
        people: peopleOptions(deps.policy()),
        timezone: deps.config().timezone,
        submitTitle: spec.submitTitle,
        context: spec.context,
      }),
      spec.size,
    );

  /** A repeat is explained in the dialog, since nothing changed. */
  const send = async (hotfixId: string, command: HotfixCommand): Promise<Handled | string> => {
    const handled = await deps.handler.handle(hotfixId, command);
    return handled.events.length > 0 ? handled : 'That was already recorded; nothing changed.';
  };

  /** What a valid submission does: the command's result, or why it was refused (shown in the dialog). */
  const submitted = async (
    data: SubmitForm,
    values: FormValues,
    by: Person,
    activity: TeamsActivity,
  ): Promise<{ errors: Record<string, string> } | { done: string }> => {
    const refuse = (message: string) => ({ errors: { [FORM_ERROR]: message } });
    const settle = (outcome: Handled | string, done: (h: Handled) => string) =>
      typeof outcome === 'string' ? refuse(outcome) : { done: done(outcome) };
    const hotfixId = data.hotfixId ?? '';
    switch (data.form) {
      case FORMS.plan: {
        const current = data.hotfixId ? await deps.handler.state(data.hotfixId) : undefined;
        const initial = current?.plan;
        const parsed = parsePlanForm(values, {
          services: Object.keys(deps.config().services),
          ...(initial ? { initial } : {}),
          planFields: deps.policy().planFields,
          platform: 'teams',
          platforms: platformsOf(current),
          periodBounds: periodBounds(deps.policy()),
        });
        if (!parsed.ok) return { errors: parsed.errors };
        if (data.hotfixId === undefined) {
          const key = `teams:dialog:${data.requestId ?? activity.id ?? ''}`;
          const started = await deps.handler.start(parsed.plan, by, key);
          return {
            done: `📝 ${started.hotfixId} is open: its card is in the incident channel. Tick the checklists and ask for approvals there.`,
          };
        }
        const state = await deps.handler.state(data.hotfixId);
        if (data.planHash !== undefined && planFingerprint(state.plan) !== data.planHash)
          return refuse(
            `The plan of ${state.id} changed since you opened this dialog (someone else edited it). Close it and edit again.`,
          );
        const handled = await deps.handler.handle(state.id, { type: 'EditPlan', by, plan: parsed.plan });
        if (handled.events.length === 0) return refuse('Nothing changed in the plan.');
        return {
          done: planUpdatedText(
            state.id,
            handled.events.map((e) => e.event),
          ),
        };
      }
      case FORMS.reject: {
        const parsed = parseReasonForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const { role = '', planHash = '' } = data;
        return settle(
          await send(hotfixId, { type: 'RejectPlan', by, role, planHash, reason: parsed.reason }),
          (h) => `✋ You rejected ${h.hotfixId}'s plan; its author sees why in the thread.`,
        );
      }
      case FORMS.cancel: {
        const parsed = parseReasonForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const state = await deps.handler.state(hotfixId);
        if (data.planHash !== undefined && state.phase === 'planned' && state.planHash !== data.planHash)
          return refuse('The plan changed since you opened this dialog; look at it again before cancelling.');
        return settle(
          await send(hotfixId, { type: 'CancelHotfix', by, reason: parsed.reason }),
          (h) => `🚫 ${h.hotfixId} is cancelled.`,
        );
      }
      case FORMS.rollback: {
        const parsed = parseRollbackForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const { trigger, reason } = parsed;
        return settle(
          await send(hotfixId, { type: 'ProposeRollback', by, trigger, reason }),
          (h) => `🗳️ Rollback vote opened in ${h.hotfixId}'s thread; your proposal counts for it.`,
        );
      }
      case FORMS.issue: {
        const parsed = parseIssueForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const { text } = parsed;
        return settle(
          await send(
            hotfixId,
            parsed.kind === 'issue' ? { type: 'LogIssue', by, text } : { type: 'NoteObservation', by, text },
          ),
          (h) => `📝 Noted on ${h.hotfixId}.`,
        );
      }
      case FORMS.acceptBreaches: {
        const parsed = parseReasonForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        return settle(
          await send(hotfixId, {
            type: 'AcceptBreaches',
            by,
            reason: parsed.reason,
            ...(data.role ? { role: data.role } : {}),
          }),
          (h) =>
            h.events.some((e) => e.event.type === 'BreachesAccepted')
              ? `✅ Breaches accepted: ${h.hotfixId} is verified and can be signed off.`
              : `🤝 You accepted the breaches of ${h.hotfixId}; the other sign-off roles decide too.`,
        );
      }
      case FORMS.lessons: {
        const parsed = parseLessonsForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        return settle(
          await send(hotfixId, { type: 'NoteLessonsLearned', by, text: parsed.text }),
          (h) => `🎓 Lessons learned noted on ${h.hotfixId}.`,
        );
      }
      case FORMS.resolveIssue:
      case FORMS.reopenIssue: {
        if (data.issue === undefined) return refuse(STALE_FORM);
        const parsed = parseIssueNoteForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const { issue: issueId } = data;
        const { note } = parsed;
        if (data.form === FORMS.resolveIssue)
          return settle(
            await send(hotfixId, { type: 'ResolveIssue', by, issueId, ...(note ? { note } : {}) }),
            (h) => `✔️ Issue #${issueId} of ${h.hotfixId} is resolved.`,
          );
        return settle(
          await send(hotfixId, { type: 'ReopenIssue', by, issueId, ...(note ? { reason: note } : {}) }),
          (h) => `🔄 Issue #${issueId} of ${h.hotfixId} is open again.`,
        );
      }
      case FORMS.workaround: {
        if (data.issue === undefined) return refuse(STALE_FORM);
        const parsed = parseWorkaroundForm(values);
        if (!parsed.ok) return { errors: parsed.errors };
        const { issue: issueId } = data;
        return settle(
          await send(hotfixId, { type: 'SetWorkaround', by, issueId, text: parsed.text }),
          (h) => `🩹 Workaround noted for issue #${issueId} of ${h.hotfixId}.`,
        );
      }
      default: {
        const never: never = data.form;
        throw new Error(`unknown form ${String(never)}`);
      }
    }
  };

  /** The spec a submitted form is drawn again with (errors), from what its submit carried. */
  const specOf = (data: SubmitForm, id: FormId): FormSpec => {
    const titles: Record<FormId, [string, readonly FormField[], string]> = {
      plan: [
        data.hotfixId ? `Edit the plan of ${data.hotfixId}` : 'Plan a hotfix',
        planFields(),
        data.hotfixId ? 'Save plan' : 'Open hotfix',
      ],
      reject: [`Reject the plan of ${data.hotfixId ?? ''}`, REJECT_FORM_FIELDS, 'Reject plan'],
      cancel: [`Cancel ${data.hotfixId ?? ''}`, CANCEL_FORM_FIELDS, 'Cancel hotfix'],
      rollback: [`Propose a rollback of ${data.hotfixId ?? ''}`, ROLLBACK_FORM_FIELDS, 'Propose rollback'],
      issue: [`Log an issue on ${data.hotfixId ?? ''}`, ISSUE_FORM_FIELDS, 'Log'],
      lessons: [`Lessons learned on ${data.hotfixId ?? ''}`, LESSONS_FORM_FIELDS, 'Note lesson'],
      'issue-resolve': issueFormTitles(FORMS.resolveIssue, data.hotfixId ?? '', data.issue ?? 0),
      'issue-workaround': issueFormTitles(FORMS.workaround, data.hotfixId ?? '', data.issue ?? 0),
      'issue-reopen': issueFormTitles(FORMS.reopenIssue, data.hotfixId ?? '', data.issue ?? 0),
      'accept-breaches': [
        `Accept the breaches of ${data.hotfixId ?? ''}`,
        ACCEPT_BREACHES_FORM_FIELDS,
        'Accept and keep',
      ],
    };
    const [title, fields, submitTitle] = titles[id];
    const { verb: _verb, ...context } = data;
    return { title, fields, submitTitle, context, size: id === FORMS.plan ? 'large' : 'medium' };
  };

  return {
    /** `task/fetch`: the dialog, or a message saying why it does not open. */
    async fetch(activity: TeamsActivity): Promise<InvokeAnswer> {
      const value = taskValueSchema.safeParse(activity.value);
      const data = value.success ? parseActionData(value.data.data) : null;
      if (data?.verb !== VERBS.openForm) return messageAnswer('task/fetch', STALE_FORM) as InvokeAnswer;
      const sender = identifyTeamsSender(deps.config(), activity.from);
      if (!sender.known) return messageAnswer('task/fetch', sender.refusal) as InvokeAnswer;
      try {
        const opened = await formFor(data, activity, sender.person);
        return typeof opened === 'string'
          ? (messageAnswer('task/fetch', opened) as InvokeAnswer)
          : draw(opened);
      } catch (error) {
        return messageAnswer(
          'task/fetch',
          explain(deps, data.hotfixId ?? '', { type: 'EditPlan' }, error),
        ) as InvokeAnswer;
      }
    },

    /** `task/submit`: closes the dialog with a message once recorded, else keeps it open with the errors. */
    async submit(activity: TeamsActivity): Promise<InvokeAnswer> {
      const value = taskValueSchema.safeParse(activity.value);
      const data = value.success ? parseActionData(value.data.data) : null;
      if (data?.verb !== VERBS.submitForm || !value.success)
        return messageAnswer('task/submit', STALE_FORM) as InvokeAnswer;
      if (data.form !== FORMS.plan && data.hotfixId === undefined)
        return messageAnswer('task/submit', STALE_FORM) as InvokeAnswer;
      const sender = identifyTeamsSender(deps.config(), activity.from);
      if (!sender.known) return messageAnswer('task/submit', sender.refusal) as InvokeAnswer;
      const spec = specOf(data, data.form);
      const values = dialogValues(spec.fields, value.data.data, deps.config().timezone);
      try {
        const outcome = await submitted(data, values, sender.person, activity);
        if ('done' in outcome) return messageAnswer('task/submit', outcome.done) as InvokeAnswer;
        return draw(spec, values, outcome.errors);
      } catch (error) {
        const reason = explain(deps, data.hotfixId ?? '', { type: 'EditPlan' }, error);
        return draw(spec, values, { [FORM_ERROR]: reason });
      }
    },
  };
};
