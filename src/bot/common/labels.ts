import type { Severity } from '../../domain/hotfix/plan.ts';
import type { Outcome, Phase, StepState } from '../../domain/hotfix/state.ts';

/** How a hotfix's phase reads on its card, in lists and in answers. */
export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  none: 'Not started',
  planned: 'Planning',
  deploy_requested: 'Deploy requested',
  deploying: 'Deploying',
  monitoring: 'Monitoring',
  breach_review: 'Breaches to decide',
  verified: 'Verified',
  deploy_failed: 'Deploy failed',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
  rollback_failed: 'Rollback failed',
  cancelled: 'Cancelled',
  closed: 'Closed',
};

export const PHASE_EMOJI: Readonly<Record<Phase, string>> = {
  none: '⚪',
  planned: '📝',
  deploy_requested: '⏳',
  deploying: '🚀',
  monitoring: '👀',
  breach_review: '⚠️',
  verified: '✅',
  deploy_failed: '❌',
  rolling_back: '⏪',
  rolled_back: '↩️',
  rollback_failed: '🆘',
  cancelled: '🚫',
  closed: '🏁',
};

export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🟢',
};

/** How a finished hotfix ended, on its card and in the sign-off reminder. */
export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  deployed: '✅ deployed',
  rolled_back: '↩️ rolled back',
  failed: '❌ failed',
};

export const STEP_EMOJI: Readonly<Record<StepState['status'], string>> = {
  pending: '◻️',
  running: '▶️',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
};
