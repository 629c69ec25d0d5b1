import { z } from 'zod';

const isHttpUrl = (text: string): boolean => {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};

const id = z.string().min(1).max(1024);
const account = z.looseObject({
  id,
  name: z.string().max(1024).optional(),
  /** The Entra object id: identity for roles (`people.<role>.teams`). */
  aadObjectId: id.optional(),
});

/** Where the Bot Connector takes the bot's answers: the activity's own, checked against the token's claim. */
export const serviceUrlSchema = z.string().max(2048).refine(isHttpUrl, { error: 'must be an http(s) URL' });

/**
 * The fields of a Bot Framework activity the Teams edge reads, typed as Teams sends them; the rest passes
 * through untouched. Checked before the bot logic sees an activity, so nothing downstream guesses at shapes.
 */
export const teamsActivitySchema = z.looseObject({
  type: z.string().min(1).max(100),
  id: id.optional(),
  /** An invoke's name: `adaptiveCard/action`, `task/fetch`, `task/submit`… */
  name: z.string().max(200).optional(),
  serviceUrl: serviceUrlSchema,
  channelId: z.string().min(1).max(100),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id,
    tenantId: id.optional(),
    conversationType: z.string().max(100).optional(),
    isGroup: z.boolean().optional(),
  }),
  text: z.string().optional(),
  entities: z.array(z.looseObject({ type: z.string().max(200) })).optional(),
  value: z.unknown().optional(),
  replyToId: id.optional(),
  channelData: z
    .looseObject({
      tenant: z.looseObject({ id }).optional(),
      channel: z.looseObject({ id }).optional(),
    })
    .optional(),
});

export type TeamsActivity = z.infer<typeof teamsActivitySchema>;

/** What the bot logic answers an invoke with: the HTTP status and JSON body Teams reads. */
export interface InvokeAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** The tenant of an activity: Teams puts it in channelData, the protocol in the conversation. */
export const tenantOf = (activity: TeamsActivity): string | undefined =>
  activity.channelData?.tenant?.id ?? activity.conversation.tenantId;
