import { z } from 'zod';
import { MethodError, decodeJson, parseArgs, problem } from '../args.ts';
import { LIMITS, checkView } from '../block-kit.ts';
import type { ViewInput } from '../state/views.ts';
import type { SlackBlock } from '../types.ts';
import type { MethodTable } from './method.ts';

const plainText = z.looseObject({
  type: z.literal('plain_text'),
  text: z.string(),
  emoji: z.boolean().optional(),
});

const viewSchema = z.looseObject({
  type: z.enum(['modal', 'home']),
  title: plainText.optional(),
  submit: plainText.optional(),
  close: plainText.optional(),
  blocks: z.array(z.looseObject({ type: z.string() })),
  private_metadata: z.string().optional(),
  callback_id: z.string().optional(),
  external_id: z.string().optional(),
  clear_on_close: z.boolean().optional(),
  notify_on_close: z.boolean().optional(),
  submit_disabled: z.boolean().optional(),
});

const triggerArgs = z.looseObject({
  trigger_id: z.string().optional(),
  interactivity_pointer: z.string().optional(),
  view: z.unknown(),
});
const updateArgs = z.looseObject({
  view_id: z.string().optional(),
  external_id: z.string().optional(),
  hash: z.string().optional(),
  view: z.unknown(),
});
const publishArgs = z.looseObject({
  user_id: z.string().optional(),
  hash: z.string().optional(),
  view: z.unknown(),
});

/**
 * Parses and checks a view the way views.* do: unparseable or malformed → `invalid_arguments` with the
 * offending JSON pointer, over 250 kB → `view_too_large`, Block Kit limits (100 blocks, title 24…) enforced.
 */
export const parseView = (raw: unknown): ViewInput => {
  if (raw === undefined)
    throw new MethodError('invalid_arguments', [problem('missing required field: view', '/view')]);
  const decoded = decodeJson(raw);
  if (!decoded.ok)
    throw new MethodError('invalid_arguments', [problem('failed to parse view JSON', '/view')]);
  if (Buffer.byteLength(JSON.stringify(decoded.value) ?? '') > LIMITS.viewBytes)
    throw new MethodError('view_too_large');
  const view = parseArgs(viewSchema, decoded.value, 'invalid_arguments', '/view');
  const problems = checkView(view, view.type);
  if (problems.length > 0) throw new MethodError('invalid_arguments', problems);
  return { ...view, blocks: view.blocks as SlackBlock[] };
};

const triggerOf = (args: z.infer<typeof triggerArgs>) => {
  const trigger = args.trigger_id ?? args.interactivity_pointer;
  if (trigger === undefined || trigger === '') throw new MethodError('invalid_trigger_id');
  return trigger;
};

export const viewMethods: MethodTable = {
  'views.open': (raw, { state }) => {
    const args = parseArgs(triggerArgs, raw);
    const input = parseView(args.view);
    const { user } = state.views.exchangeTrigger(triggerOf(args));
    return { view: state.views.open(user, input).view };
  },

  'views.push': (raw, { state }) => {
    const args = parseArgs(triggerArgs, raw);
    const input = parseView(args.view);
    const { user } = state.views.exchangeTrigger(triggerOf(args));
    return { view: state.views.push(user, input).view };
  },

  'views.update': (raw, { state }) => {
    const args = parseArgs(updateArgs, raw);
    if (args.view_id === undefined && args.external_id === undefined)
      throw new MethodError('invalid_arguments', [problem('either view_id or external_id is required', '/')]);
    const input = parseView(args.view);
    const ref = args.view_id !== undefined ? { viewId: args.view_id } : { externalId: args.external_id };
    return { view: state.views.update(ref, input, args.hash).view };
  },

  'views.publish': (raw, { state }) => {
    const args = parseArgs(publishArgs, raw);
    if (args.user_id === undefined || state.workspace.user(args.user_id) === undefined)
      throw new MethodError('user_not_found');
    const input = parseView(args.view);
    return { view: state.views.publish(args.user_id, input, args.hash).view };
  },
};
