import { z } from 'zod';
import { MethodError, flag, parseArgs, readableArgs, timestamp } from './args.ts';
import { parseContent } from './methods/content.ts';
import type { ParsedBody } from './body.ts';
import type { Answer } from './router.ts';
import type { State } from './state/store.ts';
import type { ResponseUrlContext, StandInEphemeral } from './types.ts';

/** PLATFORM.md: a response_url works 5 times within 30 minutes. */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

const payloadSchema = z.looseObject({
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
  response_type: z.enum(['in_channel', 'ephemeral']).optional(),
  replace_original: flag.optional(),
  delete_original: flag.optional(),
  thread_ts: timestamp.optional(),
});

interface Issued {
  readonly context: ResponseUrlContext;
  readonly issuedAt: number;
  uses: number;
}

export interface ResponseUrls {
  /** A new response_url path id for an interaction in `context`. */
  issue(context: ResponseUrlContext): string;
  /** Applies a post to `/response/:id` as Slack would, and records it. */
  handle(id: string, body: ParsedBody): Answer;
  reset(): void;
}

const apply = (
  state: State,
  context: ResponseUrlContext,
  payload: z.infer<typeof payloadSchema>,
  source: StandInEphemeral['source'],
) => {
  const { messages } = state;
  const original = context.messageTs;
  if (payload.delete_original === true) {
    if (original === undefined) throw new MethodError('message_not_found');
    if (context.ephemeral === true) messages.removeEphemeral(context.user, original);
    else messages.remove(context.channel, original);
    return;
  }
  const content = parseContent(payload, { required: true });
  const shown = {
    text: content.text ?? '',
    ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
  };
  if (payload.replace_original === true) {
    if (original === undefined) throw new MethodError('message_not_found');
    if (context.ephemeral === true) messages.replaceEphemeral(context.user, original, shown);
    else messages.edit(context.channel, original, shown);
    return;
  }
  if (payload.response_type === 'in_channel') {
    messages.post({
      channel: context.channel,
      user: state.workspace.workspace.bot.userId,
      ...shown,
      ...(payload.thread_ts === undefined ? {} : { thread_ts: payload.thread_ts }),
    });
    return;
  }
  messages.postEphemeral({
    channel: context.channel,
    user: context.user,
    ...shown,
    ...(payload.thread_ts === undefined ? {} : { thread_ts: payload.thread_ts }),
    source,
  });
};

/**
 * Shows a message the app sent back for an interaction in `context` as Slack does: ephemeral to the user by
 * default, in the channel for `response_type: 'in_channel'`, or replacing / deleting the source message.
 * The same rules serve a post to a response_url and a slash command's acknowledgement body. Throws
 * `MethodError` (`no_text`, `invalid_blocks`, `message_not_found`…) for a message Slack would refuse.
 */
export const showResponse = (
  state: State,
  context: ResponseUrlContext,
  message: unknown,
  source: 'response_url' | 'ack' = 'response_url',
): void => apply(state, context, parseArgs(payloadSchema, message), source);

export const createResponseUrls = (state: State): ResponseUrls => {
  let issued = new Map<string, Issued>();

  const answer = (id: string, body: ParsedBody, now: number): Answer => {
    const entry = issued.get(id);
    if (entry === undefined || now - entry.issuedAt > RESPONSE_URL_TTL_MS)
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (entry.uses >= RESPONSE_URL_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    if (!body.json) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    try {
      showResponse(state, entry.context, body.fields);
    } catch (error) {
      if (!(error instanceof MethodError)) throw error;
      const status = error.error === 'message_not_found' ? 404 : 400;
      return { status, body: { ok: false, error: error.error } };
    }
    entry.uses += 1;
    return { status: 200, body: { ok: true } };
  };

  return {
    issue(context) {
      const id = `${state.ids.serial()}-${state.ids.hex(`response:${context.channel}:${context.user}:${state.ids.serial()}`, 24)}`;
      issued.set(id, { context, issuedAt: state.clock.now().getTime(), uses: 0 });
      return id;
    },
    handle(id, body) {
      const now = state.clock.now();
      const result = answer(id, body, now.getTime());
      state.record({
        kind: 'response_url',
        method: id,
        args: readableArgs(body.fields),
        token: undefined,
        time: now,
        status: result.status,
        response: result.body,
      });
      return result;
    },
    reset() {
      issued = new Map();
    },
  };
};
