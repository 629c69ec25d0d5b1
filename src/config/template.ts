import type { Plan, PlanFieldRules, TemplatedPlanField } from '../domain/hotfix/plan.ts';
import { planFieldProblem } from '../domain/hotfix/plan.ts';
import { didYouMean } from './messages.ts';

/**
 * The variables a step may use as `{{name}}` in argv items, URLs, headers and bodies. Substitution is
 * plain string replacement into those values (never into a shell string), done by the workers with
 * `renderTemplate`; the config check refuses any other name.
 */
export const TEMPLATE_VARIABLES = [
  'hotfix.id',
  /** Link to the hotfix's status card or thread; empty when the chat platform gave none. */
  'hotfix.url',
  'plan.issue_id',
  'plan.version',
  'plan.previous_version',
  'plan.summary',
  'plan.severity',
  'service',
  'run.id',
  /** `deploy` or `rollback`. */
  'run.kind',
  'step.name',
  /** 1 on the first attempt. */
  'step.attempt',
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Where a template is evaluated decides what is known there. */
export type TemplateScope = 'step' | 'monitor' | 'checklist';

const inScope = (prefixes: readonly string[]): readonly TemplateVariable[] =>
  TEMPLATE_VARIABLES.filter((v) => prefixes.some((p) => v === p || v.startsWith(`${p}.`)));

export const TEMPLATE_SCOPES: Readonly<Record<TemplateScope, readonly TemplateVariable[]>> = {
  step: TEMPLATE_VARIABLES,
  // Monitors run per service after the pipeline, outside any run or step.
  monitor: inScope(['hotfix', 'plan', 'service']),
  // Checklists belong to the whole hotfix, which may touch several services.
  checklist: inScope(['hotfix', 'plan']),
};

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isTemplateVariable = (name: string): name is TemplateVariable =>
  (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** What is wrong with the templates in one string, as messages; empty when every template is usable. */
export const templateProblems = (text: string, scope: TemplateScope): string[] => {
  const problems: string[] = [];
  for (const [whole, name = ''] of text.matchAll(TEMPLATE)) {
    if (!isTemplateVariable(name))
      problems.push(
        `unknown template variable "${whole}"${didYouMean(name, TEMPLATE_SCOPES[scope], (v) => `"{{${v}}}"`)}`,
      );
    else if (!TEMPLATE_SCOPES[scope].includes(name))
      problems.push(`"${whole}" is not available in a ${scope === 'step' ? 'step' : `${scope} check`}`);
  }
  const rest = text.replace(TEMPLATE, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push(`unbalanced "{{" or "}}" in ${JSON.stringify(text)}`);
  return problems;
};

/** Replaces every `{{variable}}`; a variable without a value is an error, never an empty string. */
export const renderTemplate = (
  text: string,
  values: Readonly<Partial<Record<TemplateVariable, string | number>>>,
): string =>
  text.replace(TEMPLATE, (whole, name: string) => {
    const value = isTemplateVariable(name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`no value for template variable "${whole}"`);
    return String(value);
  });

/** Replaces every template with `placeholder`, to validate the shape of a templated URL. */
export const withPlaceholders = (text: string, placeholder: string): string =>
  text.replace(TEMPLATE, placeholder);

const PLAN_FIELD_OF: Readonly<Partial<Record<string, TemplatedPlanField>>> = {
  'plan.issue_id': 'issueId',
  'plan.version': 'version',
  'plan.previous_version': 'previousVersion',
  'plan.summary': 'summary',
};

/**
 * Why a step must not render its templates, or null: a plan value it uses does not match hotfix.yml's
 * `plan_fields` (a plan recorded before the check, or a pattern tightened since). `templated` is the step's
 * spec as configured, every template in it (argv, URL, headers, body) unrendered.
 */
export const templateRefusal = (
  templated: unknown,
  plan: Pick<Plan, TemplatedPlanField>,
  rules: PlanFieldRules | undefined,
): string | null => {
  for (const [whole, name = ''] of (JSON.stringify(templated) ?? '').matchAll(TEMPLATE)) {
    const field = PLAN_FIELD_OF[name];
    const problem = field === undefined ? null : planFieldProblem(field, plan[field], rules);
    if (problem !== null)
      return `${whole} was not rendered: ${problem} Nothing was run (hotfix.yml plan_fields).`;
  }
  return null;
};
