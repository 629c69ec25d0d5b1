import type { ConfigIssue } from './rules.ts';
import type { Config, PipelineConfig } from './schema.ts';

/**
 * What a valid config leaves out of the hotfix process (../shared/reference/hotfix-deployment-process.md):
 * parts the bot can run without, but a release manager following the process would expect. `hotfix config
 * check` prints them as warnings, and `--strict` counts them as problems. Reminders are optional in the
 * process too, so their absence is no warning.
 */
export const processWarnings = (config: Config): ConfigIssue[] => {
  const warnings: ConfigIssue[] = [];
  const warn = (path: ConfigIssue['path'], message: string): void => {
    warnings.push({ path, message });
  };

  checkChecklists(config, warn);
  checkApprovals(config, warn);
  if (config.policy.signoffs.length === 0)
    warn(
      ['policy', 'signoffs'],
      'no role signs the deployment record off, so a hotfix can close without anyone confirming its outcome: the process has technical, business and support sign off; name the roles here',
    );
  for (const [name, service] of Object.entries(config.services)) {
    checkVerification(service.deploy, ['services', name, 'deploy'], `${name}'s deploy`, DEPLOY_CHECKS, warn);
    checkVerification(
      service.rollback,
      ['services', name, 'rollback'],
      `${name}'s rollback`,
      ROLLBACK_CHECKS,
      warn,
    );
    if (service.monitor.length === 0)
      warn(
        ['services', name, 'monitor'],
        `no monitor checks for ${name}: nothing watches it after the deploy, so its monitoring window always ends clean; add checks of its health, errors or performance`,
      );
  }
  return warnings;
};

type Warn = (path: ConfigIssue['path'], message: string) => void;

const CHECKLIST_ITEMS = {
  code_readiness: ['code readiness', 'code review, tests, documentation and approvals'],
  environment_readiness: [
    'environment readiness',
    'system status, resource availability, tool access and support coverage',
  ],
} as const;

const checkChecklists = (config: Config, warn: Warn): void => {
  for (const list of ['code_readiness', 'environment_readiness'] as const) {
    if (config.checklists[list].length > 0) continue;
    const [what, items] = CHECKLIST_ITEMS[list];
    warn(
      ['checklists', list],
      `no ${what} checklist: the process has ${items} checked before every deploy; list those items here`,
    );
  }
};

/**
 * Every approval slot needs a distinct person (one person counts for one role only), so a gate of two or more
 * approvals always takes two people; a gate of one is met by a single person, the plan's author too when
 * self-approval is allowed.
 */
const checkApprovals = (config: Config, warn: Warn): void => {
  const { approvals, self_approval: selfApproval } = config.policy;
  const total = Object.values(approvals).reduce((sum, count) => sum + count, 0);
  if (total > 1) return;
  const given = Object.entries(approvals)
    .map(([role, count]) => `${role}: ${count}`)
    .join(', ');
  warn(
    ['policy', 'approvals'],
    selfApproval
      ? `one approval (${given}) is enough to deploy, and self_approval lets the plan's author give it: one person alone can plan and deploy a hotfix with nobody else looking. Ask for two approvals or more (for example technical: 1 and management: 1), or set self_approval: false`
      : `one approval (${given}) is enough to deploy: a single person can let a hotfix through. Ask for two approvals or more, from different roles if you can (for example technical: 1 and management: 1)`,
  );
};

const DEPLOY_CHECKS = {
  what: 'that the fix works before the monitoring window',
  steps: 'a system check, a function test, performance and user validation',
};
const ROLLBACK_CHECKS = {
  what: 'that the service works again after a rollback',
  steps: 'a system check, data validation, user testing and a performance check',
};

const checkVerification = (
  pipeline: PipelineConfig,
  path: ConfigIssue['path'],
  label: string,
  checks: { what: string; steps: string },
  warn: Warn,
): void => {
  const steps = pipeline.verification;
  if (steps.length === 0)
    warn(
      [...path, 'verification'],
      `no verification steps in ${label}, so nothing checks ${checks.what}: the process verifies with ${checks.steps}`,
    );
  else if (steps.every((step) => step.when !== undefined))
    warn(
      [...path, 'verification'],
      `every verification step in ${label} runs only when the plan lists some kind of change (when:), so most hotfixes skip verification: add one that always runs`,
    );
};
