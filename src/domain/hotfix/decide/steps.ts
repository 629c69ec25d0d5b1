import type { PlannedStep } from '../events.ts';
import type { Plan } from '../plan.ts';
import type { Policy, RunKind, StepSpec } from '../policy.ts';
import { STAGES } from '../policy.ts';

/** The steps of a run, fixed at its start: per stage, per service of the plan, the configured steps that apply. */
export function plannedSteps(plan: Plan, policy: Policy, kind: RunKind): PlannedStep[] {
  return STAGES.flatMap((stage) =>
    plan.services.flatMap((service) =>
      (policy.services[service]?.[kind][stage] ?? []).flatMap((spec, index) =>
        appliesTo(spec, plan)
          ? [
              {
                key: `${stage}.${service}.${index}`,
                stage,
                service,
                index,
                name: spec.name,
                kind: spec.kind,
                roles: [...spec.roles],
                spec,
              },
            ]
          : [],
      ),
    ),
  );
}

const appliesTo = (spec: StepSpec, plan: Plan): boolean => {
  switch (spec.when) {
    case undefined:
      return true;
    case 'database_changes':
      return plan.changes.database.length > 0;
    case 'config_changes':
      return plan.changes.config.length > 0;
    case 'code_changes':
      return plan.changes.code.length > 0;
  }
};
