import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { HotfixCommand } from '../../../domain/hotfix/commands.ts';
import { periodBounds, planFingerprint } from '../../../domain/hotfix/plan.ts';
import type { Handled } from '../../../service/handler.ts';
import type { Parsed, ViewStateValues } from '../blocks/modals.ts';
import {
  parseIssueNoteSubmission,
  parseIssueSubmission,
  parseLessonsSubmission,
  parsePlanSubmission,
  parseReasonSubmission,
  parseRollbackSubmission,
  parseWorkaroundSubmission,
} from '../blocks/modals.ts';
import { platformChoice } from '../../common/forms.ts';
import { planUpdatedText } from '../../common/wording.ts';
import type { BotDeps } from '../deps.ts';
import { ACK_HEARD } from '../front.ts';
import type { ModalMetadata } from '../ids.ts';
import { CALLBACKS, PLAN_BLOCKS, REASON_BLOCKS, parseModalMetadata } from '../ids.ts';
import { lateFormRefusal } from '../replies.ts';
import { explain, privateReplies, slackPerson } from './shared.ts';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Whether Slack got the ack: not when it came after the front's cutoff (the form then closed unanswered). */
const ackHeard = async (args: ViewArgs): Promise<boolean> => {
  const heard = args.context[ACK_HEARD];
  return typeof heard === 'function' ? Boolean(await (heard as () => Promise<boolean>)()) : true;
};

/**
 * Modal submissions. Unlike buttons, these decide before acking: the answer to a submission is the place to
 * say what is wrong (field errors under the field), and a domain refusal is shown the same way; the modal
 * closes only once the command is recorded. Recording takes milliseconds, well inside Slack's 3 s.
 */
export const registerViews = (app: App, deps: BotDeps): void => {
  const routes = new Map<string, (args: ViewArgs) => Promise<void>>();

  /**
   * A refusal shown in the modal, under the field that best explains it, so the person can fix it there; when
   * it came too late for the modal (slow Redis, a busy app), the person hears it privately instead.
   */
  const refuse = async (args: ViewArgs, errors: Record<string, string>, channel?: string) => {
    const shown = Object.entries(errors).map(
      ([blockId, message]) => [blockId, message.slice(0, 2000)] as const,
    );
    await args.ack({ response_action: 'errors', errors: Object.fromEntries(shown) });
    if (await ackHeard(args)) return;
    deps.log.warn(
      { view: args.view.callback_id },
      'a form was refused after Slack stopped waiting: told privately',
    );
    await privateReplies({ client: args.client, user: args.body.user.id, channel, log: deps.log })(
      lateFormRefusal(shown.map(([, message]) => message)),
    );
  };
  const errorsAck = (args: ViewArgs, blockId: string, message: string, channel?: string) =>
    refuse(args, { [blockId]: message }, channel);

  const onSubmit = <T>(
    callbackId: string,
    spec: {
      readonly needsHotfix: boolean;
      /** Where a refusal is shown. */
      readonly errorBlock: string;
      readonly parse: (values: ViewStateValues, meta: ModalMetadata) => Promise<Parsed<T>> | Parsed<T>;
      readonly run: (
        value: T,
        ctx: { meta: ModalMetadata; by: ReturnType<typeof slackPerson>; args: ViewArgs },
      ) => Promise<Handled | string>;
      readonly done: (handled: Handled, meta: ModalMetadata) => string | null;
    },
  ) => {
    routes.set(callbackId, async (args) => {
      const { view, body, client } = args;
      const meta = parseModalMetadata(view.private_metadata);
      if (meta === null || (spec.needsHotfix && meta.h === undefined))
        return errorsAck(
          args,
          spec.errorBlock,
          'This form is not one hotfix can read (it may be from an older version). Close it and start again.',
        );
      let parsed: Parsed<T>;
      try {
        parsed = await spec.parse(view.state.values as ViewStateValues, meta);
      } catch (error) {
        return errorsAck(
          args,
          spec.errorBlock,
          explain(deps, meta.h ?? '', { type: 'EditPlan' }, error),
          meta.ch,
        );
      }
      if (!parsed.ok) return refuse(args, parsed.errors, meta.ch);
      const by = slackPerson(deps.policy(), body.user.id, body.user.name);
      let result: Handled | string;
      try {
        result = await spec.run(parsed as T, { meta, by, args });
      } catch (error) {
        return errorsAck(
          args,
          spec.errorBlock,
          explain(deps, meta.h ?? '', { type: 'EditPlan' }, error),
          meta.ch,
        );
      }
      if (typeof result === 'string') return errorsAck(args, spec.errorBlock, result, meta.ch);
      await args.ack();
      const message = spec.done(result, meta);
      if (message !== null)
        await privateReplies({ client, user: body.user.id, channel: meta.ch, log: deps.log })(message);
    });
  };

  /** The command for an existing hotfix; a repeat is explained in the modal, since nothing changed. */
  const send = async (hotfixId: string, command: HotfixCommand): Promise<Handled | string> => {
    const handled = await deps.handler.handle(hotfixId, command);
    return handled.events.length > 0 ? handled : 'That was already recorded; nothing changed.';
  };

  onSubmit(CALLBACKS.plan, {
    needsHotfix: false,
    errorBlock: PLAN_BLOCKS.summary,
    parse: async (values, meta) => {
      const state = meta.h ? await deps.handler.state(meta.h) : undefined;
      const initial = state?.plan;
      return parsePlanSubmission(values, {
        services: Object.keys(deps.config().services),
        ...(initial ? { initial } : {}),
        planFields: deps.policy().planFields,
        platforms: platformChoice(deps.config(), state ?? { requester: { platform: 'slack' } }),
        periodBounds: periodBounds(deps.policy()),
      });
    },
    run: async ({ plan }, { meta, by, args }) => {
      if (meta.h === undefined) {
        // One modal opens one hotfix: a double submit or a retried delivery lands on the same id.
        return deps.handler.start(plan, by, `slack:view:${args.view.id}`);
      }
      const state = await deps.handler.state(meta.h);
      if (meta.p !== undefined && planFingerprint(state.plan) !== meta.p)
        return `The plan of ${meta.h} changed since you opened this form (someone else edited it). Close it and edit again.`;
      const handled = await deps.handler.handle(meta.h, { type: 'EditPlan', by, plan });
      return handled.events.length > 0 ? handled : 'Nothing changed in the plan.';
    },
    done: (handled, meta) =>
      meta.h === undefined
        ? `📝 ${handled.hotfixId} is open: its card is in the incident channel. Tick the checklists and ask for approvals there.`
        : planUpdatedText(
            handled.hotfixId,
            handled.events.map((e) => e.event),
          ),
  });

  onSubmit(CALLBACKS.reject, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.reason,
    parse: (values) => parseReasonSubmission(values),
    run: ({ reason }, { meta, by }) =>
      send(meta.h ?? '', { type: 'RejectPlan', by, role: meta.r ?? '', planHash: meta.p ?? '', reason }),
    done: (h) => `✋ You rejected ${h.hotfixId}'s plan; its author sees why in the thread.`,
  });

  onSubmit(CALLBACKS.acceptBreaches, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.reason,
    parse: (values) => parseReasonSubmission(values),
    run: ({ reason }, { meta, by }) =>
      send(meta.h ?? '', { type: 'AcceptBreaches', by, reason, ...(meta.r ? { role: meta.r } : {}) }),
    done: (h) =>
      h.events.some((e) => e.event.type === 'BreachesAccepted')
        ? `✅ Breaches accepted: ${h.hotfixId} is verified and can be signed off.`
        : `🤝 You accepted the breaches of ${h.hotfixId}; the other sign-off roles decide too.`,
  });

  onSubmit(CALLBACKS.cancel, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.reason,
    parse: (values) => parseReasonSubmission(values),
    run: async ({ reason }, { meta, by }) => {
      const state = await deps.handler.state(meta.h ?? '');
      if (meta.p !== undefined && state.phase === 'planned' && state.planHash !== meta.p)
        return 'The plan changed since you opened this form; look at it again before cancelling.';
      return send(meta.h ?? '', { type: 'CancelHotfix', by, reason });
    },
    done: (h) => `🚫 ${h.hotfixId} is cancelled.`,
  });

  onSubmit(CALLBACKS.rollback, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.reason,
    parse: (values) => parseRollbackSubmission(values),
    run: ({ trigger, reason }, { meta, by }) =>
      send(meta.h ?? '', { type: 'ProposeRollback', by, trigger, reason }),
    done: (h) => `🗳️ Rollback vote opened in ${h.hotfixId}'s thread; your proposal counts for it.`,
  });

  onSubmit(CALLBACKS.issue, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.issueText,
    parse: (values) => parseIssueSubmission(values),
    run: ({ kind, text }, { meta, by }) =>
      send(
        meta.h ?? '',
        kind === 'issue' ? { type: 'LogIssue', by, text } : { type: 'NoteObservation', by, text },
      ),
    done: (h) => `📝 Noted on ${h.hotfixId}.`,
  });

  onSubmit(CALLBACKS.lessons, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.lessons,
    parse: (values) => parseLessonsSubmission(values),
    run: ({ text }, { meta, by }) => send(meta.h ?? '', { type: 'NoteLessonsLearned', by, text }),
    done: (h) => `🎓 Lessons learned noted on ${h.hotfixId}.`,
  });

  // The issue forms carry the issue's number; the domain refuses an unknown one, naming those that exist.
  const STALE_ISSUE_FORM =
    'This form does not say which issue it is for (it may be from an older version). Close it and start again.';
  onSubmit(CALLBACKS.resolveIssue, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.issueNote,
    parse: (values) => parseIssueNoteSubmission(values),
    run: async ({ note }, { meta, by }) =>
      meta.i === undefined
        ? STALE_ISSUE_FORM
        : send(meta.h ?? '', {
            type: 'ResolveIssue',
            by,
            issueId: meta.i,
            ...(note === undefined ? {} : { note }),
          }),
    done: (h, meta) => `✔️ Issue #${meta.i ?? ''} of ${h.hotfixId} is resolved.`,
  });

  onSubmit(CALLBACKS.workaround, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.workaround,
    parse: (values) => parseWorkaroundSubmission(values),
    run: async ({ text }, { meta, by }) =>
      meta.i === undefined
        ? STALE_ISSUE_FORM
        : send(meta.h ?? '', { type: 'SetWorkaround', by, issueId: meta.i, text }),
    done: (h, meta) => `🩹 Workaround noted for issue #${meta.i ?? ''} of ${h.hotfixId}.`,
  });

  onSubmit(CALLBACKS.reopenIssue, {
    needsHotfix: true,
    errorBlock: REASON_BLOCKS.issueNote,
    parse: (values) => parseIssueNoteSubmission(values),
    run: async ({ note }, { meta, by }) =>
      meta.i === undefined
        ? STALE_ISSUE_FORM
        : send(meta.h ?? '', {
            type: 'ReopenIssue',
            by,
            issueId: meta.i,
            ...(note === undefined ? {} : { reason: note }),
          }),
    done: (h, meta) => `🔄 Issue #${meta.i ?? ''} of ${h.hotfixId} is open again.`,
  });

  // One Bolt listener for every modal of ours, as for actions: Bolt runs every listener's chain per request.
  app.view(/^hotfix_/, async (raw) => {
    const args = raw as unknown as ViewArgs;
    const route = routes.get(args.view.callback_id);
    if (route) return route(args);
    await args.ack();
    await privateReplies({ client: args.client, user: args.body.user.id, log: deps.log })(
      'That form is not one hotfix can read (it may be from an older version). Nothing was changed.',
    );
  });
};
