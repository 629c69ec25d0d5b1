import { STAGES } from '../domain/hotfix/policy.ts';
import type { RunKind } from '../domain/hotfix/policy.ts';
import { formatDuration } from './duration.ts';
import { didYouMean } from './messages.ts';
import type { CheckProbe, ChecklistItem, Config, PipelineConfig, Step } from './schema.ts';
import { templateProblems } from './template.ts';
import type { TemplateScope } from './template.ts';

export type ConfigPath = readonly (string | number)[];

/** A problem found by relating one part of hotfix.yml to another, at the YAML path to fix. */
export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly message: string;
}

type Report = (path: ConfigPath, message: string) => void;

const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

/**
 * Everyone in a role, one key per human: the handle in the persons form; `platform:id` in the role form,
 * which cannot say that a Slack and a Teams id are the same human.
 */
const membersOf = (config: Config, role: string): string[] => {
  if (config.directory.length > 0)
    return config.directory.filter((p) => p.roles.includes(role)).map((p) => `person:${p.handle}`);
  const people = config.people[role];
  if (people === undefined) return [];
  return [
    ...new Set([...people.slack.map((id) => `slack:${id}`), ...people.teams.map((id) => `teams:${id}`)]),
  ];
};

/** Reports each item listed a second time. */
const checkUnique = (items: readonly string[], path: ConfigPath, report: Report): void => {
  items.forEach((item, i) => {
    const first = items.indexOf(item);
    if (first !== i) report([...path, i], `"${item}" is listed twice (first at [${first}])`);
  });
};

/**
 * The most approvals distinct people can give when each person counts for one role only: a maximum
 * bipartite matching of approval slots to people (Kuhn's augmenting paths; a handful of slots).
 */
const maxDistinctApprovals = (slots: readonly (readonly string[])[]): number => {
  const slotOf = new Map<string, number>();
  const assign = (slot: number, visited: Set<string>): boolean => {
    for (const person of slots[slot] ?? []) {
      if (visited.has(person)) continue;
      visited.add(person);
      const taken = slotOf.get(person);
      if (taken === undefined || assign(taken, visited)) {
        slotOf.set(person, slot);
        return true;
      }
    }
    return false;
  };
  return slots.filter((_, slot) => assign(slot, new Set())).length;
};

const checkPeople = (config: Config, report: Report): void => {
  for (const [role, people] of Object.entries(config.people)) {
    if (people.slack.length + people.teams.length === 0)
      report(['people', role], `role "${role}" has nobody in it: list slack or teams user ids`);
    checkUnique(people.slack, ['people', role, 'slack'], report);
    checkUnique(people.teams, ['people', role, 'teams'], report);
  }
};

const checkPolicy = (
  config: Config,
  report: Report,
  knownRole: (role: string, path: ConfigPath) => boolean,
) => {
  const { approvals, signoffs, rollback } = config.policy;

  let approvalsPossible = true;
  for (const [role, count] of Object.entries(approvals)) {
    const path = ['policy', 'approvals', role];
    if (!knownRole(role, path)) {
      approvalsPossible = false;
      continue;
    }
    const members = membersOf(config, role).length;
    if (count > members) {
      approvalsPossible = false;
      report(
        path,
        `needs ${plural(count, 'approval')} but role "${role}" has only ${plural(members, 'person', 'people')}: no plan could ever be approved`,
      );
    }
  }
  if (approvalsPossible) {
    const slots = Object.entries(approvals).flatMap(([role, count]) =>
      Array.from({ length: count }, () => membersOf(config, role)),
    );
    const possible = maxDistinctApprovals(slots);
    if (possible < slots.length)
      report(
        ['policy', 'approvals'],
        `needs ${slots.length} distinct approvers, but one person counts for one role only and these roles share people: at most ${possible} can approve, so no plan could ever be approved`,
      );
  }

  signoffs.forEach((role, i) => knownRole(role, ['policy', 'signoffs', i]));
  checkUnique(signoffs, ['policy', 'signoffs'], report);

  const votePath = ['policy', 'rollback', 'vote'];
  const { eligible, quorum, require } = rollback.vote;
  eligible?.forEach((role, i) => knownRole(role, [...votePath, 'eligible', i]));
  checkUnique(eligible ?? [], [...votePath, 'eligible'], report);
  require.forEach((role, i) => {
    if (knownRole(role, [...votePath, 'require', i]) && eligible !== undefined && !eligible.includes(role))
      report(
        [...votePath, 'require', i],
        `role "${role}" is required to vote but is not eligible: add it to eligible`,
      );
  });
  checkUnique(require, [...votePath, 'require'], report);

  for (const key of ['deployers', 'closers'] as const) {
    const roles = config.policy[key] ?? [];
    roles.forEach((role, i) => knownRole(role, ['policy', key, i]));
    checkUnique(roles, ['policy', key], report);
  }

  checkVerificationBounds(config, report);
  checkReminders(config, report, knownRole);

  const voterRoles = (eligible ?? Object.keys(config.people)).filter((role) =>
    Object.hasOwn(config.people, role),
  );
  const voters = new Set(voterRoles.flatMap((role) => membersOf(config, role))).size;
  if (quorum > voters)
    report(
      [...votePath, 'quorum'],
      `quorum ${quorum} is more than the ${plural(voters, 'person', 'people')} who may vote (${voterRoles.join(', ')}): no rollback vote could pass`,
    );
};

const checkVerificationBounds = (config: Config, report: Report): void => {
  const {
    verification_period: period,
    verification_period_min: min,
    verification_period_max: max,
  } = config.policy;
  if (min !== undefined && min > period)
    report(
      ['policy', 'verification_period_min'],
      `${formatDuration(min)} is longer than policy.verification_period (${formatDuration(period)}): the default period must lie within the bounds`,
    );
  if (max !== undefined && max < period)
    report(
      ['policy', 'verification_period_max'],
      `${formatDuration(max)} is shorter than policy.verification_period (${formatDuration(period)}): the default period must lie within the bounds`,
    );
};

const checkReminders = (
  config: Config,
  report: Report,
  knownRole: (role: string, path: ConfigPath) => boolean,
): void => {
  const reminders = config.policy.reminders;
  if (reminders === undefined) return;
  if (reminders.escalate_to !== undefined)
    knownRole(reminders.escalate_to, ['policy', 'reminders', 'escalate_to']);
  const expiresAfter = config.policy.rollback.vote.expires_after;
  if (reminders.vote !== undefined && reminders.vote >= expiresAfter)
    report(
      ['policy', 'reminders', 'vote'],
      `a reminder ${formatDuration(reminders.vote)} before the vote expires would come as the vote opens (policy.rollback.vote.expires_after is ${formatDuration(expiresAfter)}): make it shorter`,
    );
};

/** Stakeholder channels: each once, and never the incident channel, which already has the card and thread. */
const checkNotify = (config: Config, report: Report): void => {
  for (const platform of ['slack', 'teams'] as const) {
    const section = config[platform];
    if (section === undefined) continue;
    const notify = section.notify ?? [];
    const incident = platform === 'teams' ? section.incident_channel.toLowerCase() : section.incident_channel;
    notify.forEach((channel, i) => {
      if ((platform === 'teams' ? channel.toLowerCase() : channel) === incident)
        report(
          [platform, 'notify', i],
          `${channel} is the incident channel, which has the card and the whole thread: name other channels here`,
        );
    });
    checkUnique(notify, [platform, 'notify'], report);
  }
};

const checkTemplates = (text: string, path: ConfigPath, scope: TemplateScope, report: Report): void => {
  for (const message of templateProblems(text, scope)) report(path, message);
};

/** Every string in a JSON body is a template. */
const checkBodyTemplates = (value: unknown, path: ConfigPath, report: Report): void => {
  if (typeof value === 'string') checkTemplates(value, path, 'step', report);
  else if (Array.isArray(value)) value.forEach((item, i) => checkBodyTemplates(item, [...path, i], report));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) checkBodyTemplates(item, [...path, key], report);
};

/** A `{{…}}` where nothing substitutes it would reach the command or the comparison verbatim. */
const checkNoTemplate = (text: string | undefined, path: ConfigPath, report: Report): void => {
  if (text?.includes('{{'))
    report(path, 'templates are not substituted here, only in run arguments, URLs, headers and http bodies');
};

const checkProbeTemplates = (
  probe: CheckProbe,
  path: ConfigPath,
  scope: TemplateScope,
  report: Report,
): void => {
  checkTemplates(probe.url, [...path, 'url'], scope, report);
  for (const [name, value] of Object.entries(probe.headers))
    checkTemplates(value, [...path, 'headers', name], scope, report);
  checkNoTemplate(probe.expect.body_contains, [...path, 'expect', 'body_contains'], report);
  probe.expect.json.forEach(({ value }, i) => {
    if (typeof value === 'string') checkNoTemplate(value, [...path, 'expect', 'json', i, 'value'], report);
  });
};

const checkCommand = (
  command: {
    run: readonly string[];
    cwd?: string;
    env: Record<string, string>;
    secret_env: readonly string[];
  },
  path: ConfigPath,
  scope: TemplateScope,
  report: Report,
): void => {
  command.run.forEach((arg, i) => checkTemplates(arg, [...path, 'run', i], scope, report));
  checkNoTemplate(command.cwd, [...path, 'cwd'], report);
  for (const [name, value] of Object.entries(command.env))
    checkNoTemplate(value, [...path, 'env', name], report);
  command.secret_env.forEach((name, i) => {
    if (Object.hasOwn(command.env, name))
      report(
        [...path, 'secret_env', i],
        `"${name}" is also set in env: a secret comes from the worker's environment only`,
      );
  });
  checkUnique(command.secret_env, [...path, 'secret_env'], report);
};

const checkStep = (
  step: Step,
  path: ConfigPath,
  report: Report,
  knownRole: (role: string, path: ConfigPath) => boolean,
): void => {
  step.roles.forEach((role, i) => knownRole(role, [...path, 'roles', i]));
  checkUnique(step.tags, [...path, 'tags'], report);
  if (step.interval !== undefined && step.backoff !== undefined)
    report([...path, 'backoff'], 'use interval (fixed delay) or backoff (doubling delay), not both');
  switch (step.kind) {
    case 'run':
      checkCommand(step, path, 'step', report);
      break;
    case 'http':
      checkTemplates(step.http.url, [...path, 'http', 'url'], 'step', report);
      for (const [name, value] of Object.entries(step.http.headers))
        checkTemplates(value, [...path, 'http', 'headers', name], 'step', report);
      checkBodyTemplates(step.http.body, [...path, 'http', 'body'], report);
      break;
    case 'check':
      checkProbeTemplates(step.check, [...path, 'check'], 'step', report);
      break;
    case 'manual':
    case 'wait':
      break;
    default: {
      const unknownStep: never = step;
      throw new Error(`unhandled step ${JSON.stringify(unknownStep)}`);
    }
  }
};

const checkPipeline = (
  pipeline: PipelineConfig,
  path: ConfigPath,
  kind: RunKind,
  report: Report,
  knownRole: (role: string, path: ConfigPath) => boolean,
): void => {
  if (pipeline.execution.length === 0)
    report(
      [...path, 'execution'],
      kind === 'deploy'
        ? 'a service needs at least one deploy execution step'
        : 'a service needs at least one rollback execution step (a manual step will do), or a passed rollback vote would do nothing',
    );
  const firstUse = new Map<string, string>();
  for (const stage of STAGES) {
    pipeline[stage].forEach((step, i) => {
      const stepPath = [...path, stage, i];
      const where = `${kind}.${stage}[${i}]`;
      const earlier = firstUse.get(step.name);
      if (earlier === undefined) firstUse.set(step.name, where);
      else
        report(
          [...stepPath, 'name'],
          `step name "${step.name}" is already used by ${earlier}: names identify steps in chat`,
        );
      checkStep(step, stepPath, report, knownRole);
    });
  }
};

const checkServices = (
  config: Config,
  report: Report,
  knownRole: (role: string, path: ConfigPath) => boolean,
): void => {
  const period = config.policy.verification_period;
  for (const [service, { deploy, rollback, monitor }] of Object.entries(config.services)) {
    checkPipeline(deploy, ['services', service, 'deploy'], 'deploy', report, knownRole);
    checkPipeline(rollback, ['services', service, 'rollback'], 'rollback', report, knownRole);
    monitor.forEach((check, i) => {
      const path = ['services', service, 'monitor', i];
      const first = monitor.findIndex((m) => m.name === check.name);
      if (first !== i)
        report(
          [...path, 'name'],
          `another monitor check is already named "${check.name}" (monitor[${first}])`,
        );
      if (check.every > period)
        report(
          [...path, 'every'],
          `every ${formatDuration(check.every)} is longer than policy.verification_period (${formatDuration(period)}): this check would never run`,
        );
      checkProbeTemplates(check.check, [...path, 'check'], 'monitor', report);
    });
  }
};

const checkChecklists = (config: Config, report: Report): void => {
  for (const list of ['code_readiness', 'environment_readiness'] as const) {
    const items: readonly ChecklistItem[] = config.checklists[list];
    const labels = items.map((item) => item.item);
    labels.forEach((label, i) => {
      const first = labels.indexOf(label);
      if (first !== i)
        report(
          items[i]?.check === undefined ? ['checklists', list, i] : ['checklists', list, i, 'item'],
          `"${label}" is listed twice (first at [${first}]): ticks are recorded by label`,
        );
    });
    items.forEach(({ check }, i) => {
      const path = ['checklists', list, i, 'check'];
      if (check?.kind === 'run') checkCommand(check, path, 'checklist', report);
      else if (check?.kind === 'check') checkProbeTemplates(check, path, 'checklist', report);
    });
  }
};

/** The rules that relate one part of hotfix.yml to another; `config` has already passed the schema. */
export const crossFieldIssues = (config: Config): ConfigIssue[] => {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  const roles = Object.keys(config.people);
  const knownRole = (role: string, path: ConfigPath): boolean => {
    if (Object.hasOwn(config.people, role)) return true;
    report(
      path,
      `unknown role "${role}"${didYouMean(role, roles) || ` (people defines: ${roles.join(', ')})`}`,
    );
    return false;
  };

  checkPeople(config, report);
  checkNotify(config, report);
  checkPolicy(config, report, knownRole);
  checkChecklists(config, report);
  checkServices(config, report, knownRole);
  return issues;
};
