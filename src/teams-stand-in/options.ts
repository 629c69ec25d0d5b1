import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock, RateWindow, Tenant } from './types.ts';

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID such as 8a2f0c1e-…');
const channelId = z
  .string()
  .regex(/^19:[^;\s]+@thread\.(tacv2|skype)$/, 'a channel id such as 19:abc@thread.tacv2');

const userSchema = z.strictObject({
  aadObjectId: guid,
  id: z
    .string()
    .regex(/^29:\S+$/, 'a Teams user id such as 29:1abc…')
    .optional(),
  name: z.string().min(1),
  email: z.email(),
  givenName: z.string().optional(),
  surname: z.string().optional(),
});

const tenantSchema = z
  .strictObject({
    tenantId: guid,
    bot: z.strictObject({ appId: guid, name: z.string().min(1).default('hotfix') }),
    team: z.strictObject({ id: channelId, name: z.string().min(1).default('Hotfix'), aadGroupId: guid }),
    /** The team's channels besides General (which has the team's id). */
    channels: z.array(z.strictObject({ id: channelId, name: z.string().min(1) })).default([]),
    users: z.array(userSchema).default([]),
  })
  .superRefine((tenant, ctx) => {
    const seen = new Set<string>();
    tenant.users.forEach((user, i) => {
      if (seen.has(user.aadObjectId))
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'aadObjectId'],
          message: 'a second user with this id',
        });
      seen.add(user.aadObjectId);
    });
    tenant.channels.forEach((channel, i) => {
      if (channel.id === tenant.team.id)
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'id'],
          message: 'General (the team id) is always there',
        });
    });
  });

/** Teams' documented per-bot, per-conversation limits. */
export const TEAMS_RATE_LIMITS: readonly RateWindow[] = [
  { max: 7, windowMs: 1_000 },
  { max: 8, windowMs: 2_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1_800, windowMs: 3_600_000 },
];

/** Teams refuses a bot message above 100 KB with 413 MessageSizeTooBig. */
export const MAX_ACTIVITY_BYTES = 100 * 1024;

const optionsSchema = z.strictObject({
  port: z.int().min(0).max(65_535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  tenant: tenantSchema,
  clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function').optional(),
  /**
   * Authenticated mode: every connector call must carry `Authorization: Bearer <botToken>` (else 401), and
   * deliveries carry a signed channel token. Without it, calls need no token and deliveries carry none.
   */
  botToken: z.string().min(1).optional(),
  rateLimits: z
    .array(z.strictObject({ max: z.int().positive(), windowMs: z.int().positive() }))
    .default([...TEAMS_RATE_LIMITS]),
  maxActivityBytes: z.int().positive().default(MAX_ACTIVITY_BYTES),
  /** The path of the service URL after the origin, as Teams' regional ones have (`/amer/`). */
  servicePath: z
    .string()
    .regex(/^\/([a-z0-9-]+\/)*$/, 'a path such as /amer/')
    .default('/amer/'),
  maxRecordedCalls: z.int().positive().default(10_000),
});

/** Options of `createTeamsStandIn`. `tenant` (ids of the tenant, bot, team) is required. */
export type TeamsStandInOptions = z.input<typeof optionsSchema>;

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly tenant: Tenant;
  readonly clock: Clock;
  readonly botToken: string | undefined;
  readonly rateLimits: readonly RateWindow[];
  readonly maxActivityBytes: number;
  readonly servicePath: string;
  readonly maxRecordedCalls: number;
}

/** Teams' user ids are opaque; a stable one per object id keeps runs comparable. */
export const teamsUserId = (aadObjectId: string) =>
  `29:1${createHash('sha256').update(aadObjectId).digest('base64url').slice(0, 40)}`;

const systemClock: Clock = { now: () => new Date() };

/** Validates the options; a mistake fails here with every problem named. */
export const resolveOptions = (options: TeamsStandInOptions): ResolvedOptions => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new Error(`createTeamsStandIn: invalid options\n${z.prettifyError(parsed.error)}`);
  const { clock, botToken, tenant, ...rest } = parsed.data;
  return {
    ...rest,
    clock: clock ?? systemClock,
    botToken,
    tenant: {
      ...tenant,
      users: tenant.users.map((user) => ({ ...user, id: user.id ?? teamsUserId(user.aadObjectId) })),
    },
  };
};
