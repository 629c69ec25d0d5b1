import { z } from 'zod';
import type { Clock, Workspace } from './types.ts';

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack member id such as U0123ABCD');
const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD');

const userSchema = z.strictObject({
  id: userId,
  name: z.string().min(1),
  real_name: z.string().min(1),
  email: z.string().optional(),
  tz: z.string().optional(),
});

const channelSchema = z.strictObject({
  id: channelId,
  name: z
    .string()
    .regex(/^[a-z0-9_-]{1,80}$/, 'a channel name: lowercase letters, digits, - or _, at most 80 characters'),
  is_private: z.boolean().optional(),
  members: z.array(userId).optional(),
  botMember: z.boolean().optional(),
});

const botSchema = z.strictObject({
  userId: userId.default('U0HOTFIXBOT'),
  botId: z
    .string()
    .regex(/^B[A-Z0-9]{2,}$/)
    .default('B0HOTFIXBOT'),
  appId: z
    .string()
    .regex(/^A[A-Z0-9]{2,}$/)
    .default('A0HOTFIXAPP'),
  name: z.string().min(1).default('hotfix'),
});

const workspaceSchema = z
  .strictObject({
    teamId: z.string().regex(/^T[A-Z0-9]{2,}$/, 'a Slack team id such as T0123ABCD'),
    teamName: z.string().min(1).default('Hotfix'),
    domain: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default('hotfix-playground'),
    bot: botSchema.default({
      userId: 'U0HOTFIXBOT',
      botId: 'B0HOTFIXBOT',
      appId: 'A0HOTFIXAPP',
      name: 'hotfix',
    }),
    users: z.array(userSchema).default([]),
    channels: z.array(channelSchema).default([]),
  })
  .superRefine((workspace, ctx) => {
    const users = new Set(workspace.users.map((user) => user.id));
    if (users.has(workspace.bot.userId))
      ctx.addIssue({ code: 'custom', message: 'the bot user id is also a user' });
    workspace.channels.forEach((channel, i) =>
      (channel.members ?? []).forEach((member) => {
        if (!users.has(member))
          ctx.addIssue({
            code: 'custom',
            path: ['channels', i, 'members'],
            message: `unknown member ${member}`,
          });
      }),
    );
  });

const optionsSchema = z.strictObject({
  port: z.int().min(0).max(65_535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  workspace: workspaceSchema,
  clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function').optional(),
  botToken: z
    .string()
    .regex(/^xoxb-\S+$/, 'a bot token (xoxb-…)')
    .optional(),
  /** Socket Mode: the app-level token `apps.connections.open` accepts (any `xapp-…` when absent). */
  appToken: z
    .string()
    .regex(/^xapp-\S+$/, 'an app-level token (xapp-…)')
    .optional(),
  triggerTtlMs: z.int().positive().default(3000),
  rateLimits: z
    .record(z.string(), z.strictObject({ perMinute: z.int().positive(), perChannel: z.boolean().optional() }))
    .default({}),
  maxRecordedCalls: z.int().positive().default(10_000),
});

/** Options of `createSlackStandIn`. Only `workspace.teamId` is required. */
export type SlackStandInOptions = z.input<typeof optionsSchema>;

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly workspace: Workspace;
  readonly clock: Clock;
  readonly botToken: string | undefined;
  readonly appToken: string | undefined;
  readonly triggerTtlMs: number;
  readonly rateLimits: Readonly<
    Record<string, { readonly perMinute: number; readonly perChannel?: boolean }>
  >;
  /** The oldest recorded calls are dropped past this many, so a long playground session does not grow forever. */
  readonly maxRecordedCalls: number;
}

const systemClock: Clock = { now: () => new Date() };

/** Validates the options; a mistake (a malformed id, an unknown member) fails here with every problem named. */
export const resolveOptions = (options: SlackStandInOptions): ResolvedOptions => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new Error(`createSlackStandIn: invalid options\n${z.prettifyError(parsed.error)}`);
  const { clock, botToken, appToken, ...rest } = parsed.data;
  return { ...rest, clock: clock ?? systemClock, botToken, appToken };
};
