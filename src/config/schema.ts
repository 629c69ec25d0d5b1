import { z } from 'zod';
import type { PlanFieldRule } from '../domain/hotfix/plan.ts';
import { DEFAULT_PLAN_FIELD_RULES } from '../domain/hotfix/plan.ts';
import { DERIVED_ITEM_SOURCES, STEP_TAGS } from '../domain/hotfix/policy.ts';
import type { Stage } from '../domain/hotfix/policy.ts';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from './duration.ts';
import { JSON_PATH_PATTERN } from './json-path.ts';
import { describeValue, didYouMean } from './messages.ts';
import { withPlaceholders } from './template.ts';

/**
 * The structure of hotfix.yml (PRODUCT.md §2). Rules that relate one part of the file to another
 * (roles exist, quorum is reachable, templates are known…) live in rules.ts; `parseConfig` applies both.
 * Durations are parsed to milliseconds; every object is strict so a misspelt key is reported, not ignored.
 */

const got = (iss: { input?: unknown }): string => `got ${describeValue(iss.input)}`;

/** A strict object whose unknown-key message names the key and suggests the one probably meant. */
const strict = <Shape extends z.core.$ZodLooseShape>(shape: Shape, expected?: string) =>
  z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const allowed = Object.keys(shape);
        const [first, ...more] = iss.keys;
        if (first !== undefined && more.length === 0)
          return `unknown key "${first}"${didYouMean(first, allowed) || ` (expected one of: ${allowed.join(', ')})`}`;
        return `unknown keys ${iss.keys.map((k) => `"${k}"`).join(', ')} (expected one of: ${allowed.join(', ')})`;
      }
      if (iss.code === 'invalid_type' && expected !== undefined && iss.input !== undefined)
        return `expected ${expected}, ${got(iss)}`;
      return undefined;
    },
  });

const matching = (pattern: RegExp, expected: string) =>
  z.string().regex(pattern, { error: (iss) => `expected ${expected}, ${got(iss)}` });

const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });

const durationError = (iss: { input?: unknown }) => `expected ${DURATION_HINT}, ${got(iss)}`;

const duration = (options: { allowZero?: boolean } = {}) =>
  z
    .string({ error: durationError })
    .regex(DURATION_PATTERN, { error: durationError })
    .transform((text, ctx) => {
      try {
        return parseDuration(text, options);
      } catch (error) {
        ctx.issues.push({ code: 'custom', input: text, message: (error as Error).message });
        return z.NEVER;
      }
    });

/** Milliseconds in the parsed config; `30s`, `10m`, `1h30m` in the file. */
const positiveDuration = duration().meta({ description: `${DURATION_HINT}, longer than 0` });
const durationOrZero = duration({ allowZero: true }).meta({ description: `${DURATION_HINT}, or 0s` });

const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

export const ROLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const roleName = matching(ROLE_NAME_PATTERN, 'a role name (a letter, then letters, digits, - or _)').meta({
  id: 'RoleName',
});
const roleList = z.array(roleName);

/** Service names end up in lock keys, BullMQ job ids (no `:`) and channel names. */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const serviceName = matching(SERVICE_NAME_PATTERN, 'a service name (letters, digits, ., - or _)');

const envName = matching(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as API_TOKEN');

const slackUserId = matching(
  /^[UW][A-Z0-9]{2,}$/,
  'a Slack member id such as U0123ABCD (profile → ⋮ → Copy member ID)',
);
const teamsUserId = matching(/^\S+$/, 'a Teams user id (the AAD object id or 29:… id, no spaces)');

const personList = strict(
  {
    slack: z.array(slackUserId).default([]).meta({ description: 'Slack member ids (U…)' }),
    teams: z.array(teamsUserId).default([]).meta({ description: 'Teams user ids' }),
  },
  '{ slack: [member ids], teams: [user ids] }',
).meta({ description: 'the role form: who fills this role, per platform (one id = one person)' });

/** A person's id on a platform: one, even where the role form takes a list. */
const oneId = (pattern: RegExp, expected: string) => {
  const error = (iss: { input?: unknown }) =>
    iss.input === undefined ? undefined : `expected ${expected}, ${got(iss)}`;
  return z.string({ error }).regex(pattern, { error });
};

const personEntry = strict(
  {
    name: nonEmpty.optional().meta({ description: 'shown in cards and records; the handle when absent' }),
    roles: roleList.min(1, { error: 'a person needs at least one role' }),
    slack: oneId(/^[UW][A-Z0-9]{2,}$/, 'one Slack member id such as U0123ABCD')
      .optional()
      .meta({ description: 'their Slack member id (U…)' }),
    teams: oneId(/^\S+$/, 'one Teams user id (the Entra object id or 29:… id, no spaces)')
      .optional()
      .meta({ description: 'their Entra object id (or 29:… Teams user id)' }),
  },
  '{ roles: [roles], name, slack: member id, teams: user id }',
)
  .refine((p) => p.slack !== undefined || p.teams !== undefined, {
    error: 'a person needs a slack or a teams id (or both)',
  })
  .meta({ description: 'the persons form: one human, their roles and their id on each platform' });

/** One human as hotfix.yml names them (the persons form of `people`). */
export interface DirectoryEntry {
  readonly handle: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly slack?: string;
  readonly teams?: string;
}

type RoleMembers = z.output<typeof personList>;
type PersonEntry = z.output<typeof personEntry>;
const isPersonEntry = (entry: RoleMembers | PersonEntry): entry is PersonEntry => 'roles' in entry;

/**
 * A role's members never have `roles`: that key makes the entry a person. Zod's union takes the one member
 * that failed only on unknown keys as the answer, so without this a person with a wrong id would be reported
 * as a role's members with an unknown key "roles".
 */
const notAPerson = (ctx: z.core.ParsePayload<RoleMembers>): void => {
  if (ctx.issues.some((iss) => iss.code === 'unrecognized_keys' && iss.keys.includes('roles')))
    ctx.issues.push({ code: 'custom', input: ctx.value, message: 'an entry with roles is a person' });
};

const PERSON_FORM = 'a person ({ roles, slack, teams })';
const ROLE_FORM = "a role's members ({ slack: [ids], teams: [ids] })";

/**
 * `people:` in either of its forms, told apart by shape (an entry with `roles` is a person): parsed to the
 * role → ids map the rules and the policy read, plus the directory of persons (empty for the role form).
 */
const peopleSchema = z
  .record(
    matching(ROLE_NAME_PATTERN, 'a role name or a handle (a letter, then letters, digits, - or _)'),
    z.union([personEntry, personList.check(notAPerson)], {
      error: (iss) => `expected ${PERSON_FORM} or ${ROLE_FORM}, ${got(iss)}`,
    }),
  )
  .superRefine((people, ctx) => {
    const entries = Object.entries(people);
    const first = entries[0];
    if (first === undefined) {
      ctx.addIssue({ code: 'custom', message: 'define at least one role' });
      return;
    }
    const persons = isPersonEntry(first[1]);
    const other = entries.find(([, entry]) => isPersonEntry(entry) !== persons);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [other[0]],
        message: `"${other[0]}" is ${persons ? ROLE_FORM : PERSON_FORM}, but "${first[0]}" is ${persons ? PERSON_FORM : ROLE_FORM}: use one form for all of people`,
      });
      return;
    }
    if (!persons) return;
    for (const platform of ['slack', 'teams'] as const) {
      const owner = new Map<string, string>();
      for (const [name, entry] of entries) {
        const id = isPersonEntry(entry) ? entry[platform] : undefined;
        if (id === undefined) continue;
        const same = owner.get(platform === 'teams' ? id.toLowerCase() : id);
        if (same !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name, platform],
            message: `${id} is already ${same}'s ${platform} id: one id belongs to one person`,
          });
        else owner.set(platform === 'teams' ? id.toLowerCase() : id, name);
      }
    }
    for (const [name, entry] of entries)
      if (isPersonEntry(entry))
        entry.roles.forEach((role, i) => {
          if (entry.roles.indexOf(role) !== i)
            ctx.addIssue({
              code: 'custom',
              path: [name, 'roles', i],
              message: `"${role}" is listed twice (first at [${entry.roles.indexOf(role)}])`,
            });
        });
  })
  .transform((people) => {
    const directory: DirectoryEntry[] = [];
    const byRole: Record<string, RoleMembers> = {};
    for (const [key, entry] of Object.entries(people)) {
      if (!isPersonEntry(entry)) {
        byRole[key] = entry;
        continue;
      }
      directory.push({
        handle: key,
        name: entry.name ?? key,
        roles: entry.roles,
        ...(entry.slack === undefined ? {} : { slack: entry.slack }),
        ...(entry.teams === undefined ? {} : { teams: entry.teams }),
      });
      for (const role of entry.roles) {
        const members = (byRole[role] ??= { slack: [], teams: [] });
        if (entry.slack !== undefined) members.slack.push(entry.slack);
        if (entry.teams !== undefined) members.teams.push(entry.teams);
      }
    }
    return { byRole, directory };
  })
  .meta({
    description:
      'handle → a person { name, roles, slack, teams } (the persons form), or role → { slack: [ids], teams: [ids] } (the role form, where an id on each platform counts as two people)',
  });

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const isHttpUrl = (text: string): boolean => {
  try {
    const url = new URL(withPlaceholders(text, 'x'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** Templates may stand anywhere in the URL; the shape is checked with them replaced. */
const templatedUrl = z
  .string()
  .refine(isHttpUrl, { error: (iss) => `expected an http:// or https:// URL, ${got(iss)}` })
  .meta({ description: 'http(s) URL; may use {{templates}}' });

const headers = z
  .record(matching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), z.string())
  .meta({ description: 'header name → value; values may use {{templates}}' });

const statusCode = z.int().min(100).max(599);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// Declared by hand (not z.json()) to give the recursive JSON Schema definition a readable name.
const jsonValue: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(jsonValue),
      z.record(z.string(), jsonValue),
    ]),
  )
  .meta({ id: 'JsonValue' });

/** argv, executed without a shell: `[./scripts/deploy.sh, "{{service}}"]`. */
const argv = z
  .array(z.string(), { error: (iss) => `expected a command as a list, [program, ...args], ${got(iss)}` })
  .min(1, { error: 'needs at least the program to run' })
  .refine((items) => items[0]?.trim() !== '', {
    error: 'the program (first item) must not be empty',
    path: [0],
  })
  .meta({ description: 'argv, run without a shell: [program, ...args]; items may use {{templates}}' });

const runFields = {
  run: argv,
  cwd: nonEmpty.optional().meta({ description: 'working directory, relative to where the worker runs' }),
  env: z.record(envName, z.string()).default({}).meta({ description: 'extra environment variables' }),
  secret_env: z.array(envName).default([]).meta({
    description: "names of the worker's environment variables passed to the command; masked in output",
  }),
};

export const COMPARISONS = ['lt', 'lte', 'gt', 'gte', 'eq', 'ne'] as const;
const ORDERED: ReadonlySet<string> = new Set(['lt', 'lte', 'gt', 'gte']);

const jsonExpectation = strict({
  path: matching(JSON_PATH_PATTERN, 'a JSON path such as status, checks.db.ok or items[0].state'),
  op: z.enum(COMPARISONS).default('eq'),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()], {
    error: (iss) => `expected a string, number, boolean or null, ${got(iss)}`,
  }),
}).superRefine((expectation, ctx) => {
  if (ORDERED.has(expectation.op) && typeof expectation.value !== 'number')
    ctx.addIssue({
      code: 'custom',
      path: ['value'],
      message: `"${expectation.op}" compares numbers: value must be a number`,
    });
});

const checkProbe = strict({
  url: templatedUrl,
  method: z.enum(HTTP_METHODS).default('GET'),
  headers: headers.default({}),
  expect: strict({
    status: statusCode.optional().meta({ description: 'expected status; any 2xx when absent' }),
    body_contains: nonEmpty.optional(),
    json: z.array(jsonExpectation).default([]),
    latency_ms_under: z.int().min(1).optional(),
  })
    .prefault({})
    .meta({ description: 'all must hold; no expectation means any 2xx status' }),
  attempts: z.int().min(1).max(1000).default(1).meta({ description: 'probes until the expectations hold' }),
  interval: durationOrZero.prefault('5s').meta({ description: 'between probes' }),
}).meta({ id: 'CheckProbe', description: 'an HTTP probe with expectations' });

const stepCommon = {
  name: nonEmpty,
  timeout: positiveDuration
    .optional()
    .meta({ description: "the step fails after this; the worker's default otherwise" }),
  attempts: z
    .int()
    .min(1)
    .max(100)
    .default(1)
    .meta({ description: 'runs of the step before it counts as failed' }),
  interval: durationOrZero.optional().meta({ description: 'fixed delay between attempts' }),
  backoff: positiveDuration
    .optional()
    .meta({ description: 'exponential delay between attempts: this, then doubled' }),
  when: z
    .enum(['database_changes', 'config_changes', 'code_changes'])
    .optional()
    .meta({ description: 'run only when the plan lists changes of this kind' }),
  roles: roleList
    .default([])
    .meta({ description: 'who may confirm (manual) or skip the step; empty = anyone with a role' }),
  tags: z.array(z.enum(STEP_TAGS)).default([]).meta({
    description:
      "what the step changes: the deployment record's database scripts, services restarted, config updates and code deployed come from the steps that ran with these tags",
  }),
};

const STEP_KINDS_TEXT = 'run, http, check, manual or wait';

const stepSchema = z
  .union(
    [
      strict({ ...stepCommon, ...runFields }).transform((s) => ({ kind: 'run' as const, ...s })),
      strict({
        ...stepCommon,
        http: strict({
          method: z.enum(HTTP_METHODS).default('POST'),
          url: templatedUrl,
          headers: headers.default({}),
          body: jsonValue.optional().meta({ description: 'JSON body; strings may use {{templates}}' }),
          expect_status: statusCode.optional().meta({ description: 'any 2xx when absent' }),
        }),
      }).transform((s) => ({ kind: 'http' as const, ...s })),
      strict({ ...stepCommon, check: checkProbe }).transform((s) => ({ kind: 'check' as const, ...s })),
      strict({
        ...stepCommon,
        manual: nonEmpty.meta({ description: 'what the person confirming must check' }),
      }).transform((s) => ({ kind: 'manual' as const, ...s })),
      strict({ ...stepCommon, wait: positiveDuration }).transform((s) => ({ kind: 'wait' as const, ...s })),
    ],
    { error: `a step needs a name and exactly one of ${STEP_KINDS_TEXT}` },
  )
  .meta({ id: 'Step' });

const pipelineSchema = strict({
  preparation: z.array(stepSchema).default([]),
  execution: z.array(stepSchema).default([]),
  verification: z.array(stepSchema).default([]),
} satisfies Record<Stage, unknown>).prefault({});

const monitorSchema = strict({
  name: nonEmpty,
  check: checkProbe,
  every: positiveDuration,
});

const serviceSchema = strict({
  deploy: pipelineSchema,
  rollback: pipelineSchema,
  monitor: z
    .array(monitorSchema)
    .default([])
    .meta({ description: 'run every `every` for policy.verification_period' }),
});

const probeSchema = z.union(
  [
    strict({ ...runFields, timeout: positiveDuration.optional() }).transform((p) => ({
      kind: 'run' as const,
      ...p,
    })),
    checkProbe.transform((p) => ({ kind: 'check' as const, ...p })),
  ],
  { error: 'a check is either { run: [program, ...args] } or an HTTP probe { url, expect }' },
);

const checklistItem = z.union(
  [
    nonEmpty.transform((item) => ({ item, check: undefined })),
    strict({ item: nonEmpty, check: probeSchema.meta({ description: 'ticks the item when it passes' }) }),
    strict({
      item: nonEmpty,
      from: z.enum(DERIVED_ITEM_SOURCES).meta({
        description: 'ticked by the engine, never by hand: approvals = when the approval gate is met',
      }),
    }).transform(({ item, from }) => ({ item, check: undefined, from })),
  ],
  {
    error: (iss) =>
      `expected a label, { item: label, check: {...} } or { item: label, from: approvals }, ${got(iss)}`,
  },
);

const isRegExp = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

const planFieldRule = (defaults: PlanFieldRule) =>
  strict({
    pattern: z
      .string()
      .refine(isRegExp, { error: (iss) => `expected a regular expression, ${got(iss)}` })
      .default(defaults.pattern)
      .meta({ description: 'a regular expression (JavaScript syntax) every value must match' }),
    hint: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .optional()
      .meta({ description: 'how a refusal words the pattern: "The version must be <hint>."' }),
  })
    .prefault({})
    .transform(({ pattern, hint }): PlanFieldRule => ({
      pattern,
      hint: hint ?? (pattern === defaults.pattern ? defaults.hint : `text matching /${pattern}/`),
    }));

const slackChannel = matching(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (not its #name)');
const teamsChannel = matching(/^19:\S+@thread\.\S+$/, 'a Teams channel id such as "19:abc@thread.tacv2"');
const teamsConversation = matching(
  /^19:\S+@thread\.\S+$/,
  'a Teams channel or group chat id such as "19:abc@thread.tacv2"',
);

/** Left out: every role named `technical` when there is one, else every role (see toPolicy). */
const actingRoles = (what: string) =>
  roleList
    .min(1, { error: 'name at least one role, or leave the key out' })
    .optional()
    .meta({ description: `roles that may ${what}; technical when left out (every role when there is none)` });

/**
 * `slack.mirror` / `teams.mirror`: with both platforms configured, does this one show hotfixes started on the
 * other? Absent means yes (left optional, so configs built in code need not name it).
 */
const mirror = (platform: string) =>
  z
    .boolean()
    .optional()
    .meta({
      default: true,
      description: `show every hotfix in ${platform} (false: only those started in ${platform}, from the CLI, or whose plan lists ${platform})`,
    });

export const hotfixConfigSchema = strict({
  timezone: z
    .string()
    .refine(isTimeZone, {
      error: (iss) => `expected an IANA time zone such as UTC or Europe/Paris, ${got(iss)}`,
    })
    .default('UTC')
    .meta({ description: 'dates in cards and records' }),
  slack: strict({
    incident_channel: slackChannel,
    channel_per_hotfix: z
      .boolean()
      .default(false)
      .meta({ description: "open #hotfix-<id> and invite the plan's people" }),
    mirror: mirror('Slack'),
    notify: z.array(slackChannel).optional().meta({
      default: [],
      description:
        'stakeholder channels: one short message each at start, at deploy and at the outcome, without the thread',
    }),
  }).optional(),
  teams: strict({
    incident_channel: teamsChannel,
    mirror: mirror('Teams'),
    notify: z.array(teamsConversation).optional().meta({
      default: [],
      description:
        'stakeholder channels or group chats: one short message each at start, at deploy and at the outcome, without the thread',
    }),
  }).optional(),
  thread: strict({
    step_lines: z.boolean().optional().meta({
      default: false,
      description:
        'a thread line for every step start, success and skip, checklist tick, lock and manual confirmation too (false: those are left to the card, which shows them edited in place)',
    }),
  })
    .optional()
    .meta({
      description: "what a hotfix's thread carries; the lines one command causes always come as one message",
    }),
  people: peopleSchema,
  policy: strict({
    approvals: z
      .record(roleName, z.int().min(1).max(50))
      .refine((approvals) => Object.keys(approvals).length > 0, {
        error: 'name at least one role that approves plans',
      })
      .meta({ description: 'role → distinct approvers needed' }),
    self_approval: z.boolean().default(false).meta({ description: "may the plan's author approve it" }),
    signoffs: roleList.default([]).meta({ description: 'roles that sign the deployment record off' }),
    verification_period: positiveDuration
      .prefault('30m')
      .meta({ description: 'the monitoring window when the plan gives none' }),
    // Left optional (not defaulted) so a config with a short verification_period stays valid: see toPolicy.
    verification_period_min: positiveDuration.optional().meta({
      default: '5m',
      description: "the shortest period a plan may ask for (5m, or verification_period when that's shorter)",
    }),
    verification_period_max: positiveDuration.optional().meta({
      default: '24h',
      description: "the longest period a plan may ask for (24h, or verification_period when that's longer)",
    }),
    deployers: actingRoles('request the deploy'),
    closers: actingRoles('close the hotfix'),
    reminders: strict({
      approval: positiveDuration.optional().meta({
        description: 're-mention the missing approvers after this long without the approval gate met',
      }),
      manual_step: positiveDuration.optional().meta({
        description: 're-mention who may confirm a manual step after it has waited this long',
      }),
      vote: positiveDuration.optional().meta({
        description:
          'this long before a rollback vote expires, remind the eligible voters who have not voted',
      }),
      signoff: positiveDuration.optional().meta({
        description: 're-mention the missing sign-off roles after the outcome has been known this long',
      }),
      escalate_to: roleName
        .optional()
        .meta({ description: 'a role the second reminder for the same thing also mentions' }),
    })
      .optional()
      .meta({
        description: 'when to re-mention the people still missing; a kind left out is never reminded',
      }),
    rollback: strict({
      on_failure: z.enum(['off', 'propose', 'execute']).default('propose'),
      vote: strict({
        eligible: roleList
          .min(1)
          .optional()
          .meta({ description: 'roles that may vote; every role when absent' }),
        quorum: z.int().min(1).max(100).default(1).meta({ description: 'yes votes needed' }),
        require: roleList.default([]).meta({ description: 'roles that must each cast a yes vote' }),
        expires_after: positiveDuration.prefault('15m'),
      }).prefault({}),
    }).prefault({}),
  }),
  checklists: strict({
    code_readiness: z.array(checklistItem).default([]),
    environment_readiness: z.array(checklistItem).default([]),
  }).prefault({}),
  services: z
    .record(serviceName, serviceSchema)
    .refine((services) => Object.keys(services).length > 0, { error: 'define at least one service' }),
  plan_fields: strict({
    issue_id: planFieldRule(DEFAULT_PLAN_FIELD_RULES.issueId),
    version: planFieldRule(DEFAULT_PLAN_FIELD_RULES.version),
    previous_version: planFieldRule(DEFAULT_PLAN_FIELD_RULES.previousVersion),
    summary: planFieldRule(DEFAULT_PLAN_FIELD_RULES.summary),
  })
    .prefault({})
    .meta({
      description:
        'what the plan fields that reach step templates ({{plan.issue_id}}, {{plan.version}}…) must look like; checked in the form, on every path that starts or edits a plan, and again before a step renders them',
    }),
  secrets: strict({
    env: z
      .array(envName)
      .default([])
      .meta({ description: 'the values of these variables are masked in step output' }),
    patterns: z
      .array(
        z
          .string()
          .refine(isRegExp, { error: (iss) => `expected a regular expression, ${got(iss)}` })
          .refine((source) => !isRegExp(source) || !new RegExp(source).test(''), {
            error: 'matches the empty string, so it would mask nothing useful',
          }),
      )
      .default([])
      .meta({ description: 'regular expressions (JavaScript syntax) whose matches are masked' }),
  }).prefault({}),
})
  .transform(({ people, ...config }) => ({ ...config, people: people.byRole, directory: people.directory }))
  .meta({ title: 'hotfix.yml', description: 'Configuration of the hotfix chatops bot' });

export type Config = z.output<typeof hotfixConfigSchema>;
export type ServiceConfig = Config['services'][string];
export type PipelineConfig = ServiceConfig['deploy'];
export type Step = z.output<typeof stepSchema>;
export type CheckProbe = z.output<typeof checkProbe>;
export type MonitorCheck = ServiceConfig['monitor'][number];
export type ChecklistItem = z.output<typeof checklistItem>;
export type ChecklistProbe = z.output<typeof probeSchema>;
