import type { TemplateVariable } from '../../config/template.ts';
import type { Plan } from '../../domain/hotfix/plan.ts';

export interface TemplateVarsInput {
  readonly hotfixId: string;
  readonly plan: Pick<Plan, 'issueId' | 'version' | 'previousVersion' | 'summary' | 'severity'>;
  /** Link to the status card or thread, when the chat platform gave one. */
  readonly hotfixUrl?: string;
  /** The rest is unknown to monitors and checklists: left out, it renders as ''. */
  readonly service?: string;
  readonly runId?: string;
  readonly runKind?: 'deploy' | 'rollback';
  readonly stepName?: string;
  /** The domain attempt number of the step, 1 first. */
  readonly attempt?: number;
}

/** The value of every template variable (`{{plan.version}}`…), '' where unknown. */
export const templateVars = (input: TemplateVarsInput): Record<TemplateVariable, string> => ({
  'hotfix.id': input.hotfixId,
  'hotfix.url': input.hotfixUrl ?? '',
  'plan.issue_id': input.plan.issueId,
  'plan.version': input.plan.version,
  'plan.previous_version': input.plan.previousVersion,
  'plan.summary': input.plan.summary,
  'plan.severity': input.plan.severity,
  service: input.service ?? '',
  'run.id': input.runId ?? '',
  'run.kind': input.runKind ?? '',
  'step.name': input.stepName ?? '',
  'step.attempt': input.attempt === undefined ? '' : String(input.attempt),
});
