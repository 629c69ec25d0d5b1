/** Why the domain refused a command. The edges turn each code into a specific message for the person. */
export type RuleCode =
  | 'not_found'
  | 'already_exists'
  | 'invalid_plan'
  | 'invalid_input'
  | 'not_in_role'
  | 'self_approval'
  | 'one_role_per_person'
  | 'stale_plan'
  | 'wrong_phase'
  | 'gates_not_met'
  | 'unknown_item'
  | 'unknown_step'
  | 'stale_step'
  | 'unknown_issue'
  | 'unknown_vote'
  | 'vote_closed'
  | 'not_eligible'
  | 'outcome_unknown'
  | 'signoffs_missing'
  | 'unknown_run';

export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';
  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = (code: RuleCode, message: string): never => {
  throw new RuleViolation(code, message);
};

/** The refusal a check throws, or null when it passes: how a query asks "may this happen now, and if not why". */
export const refusalOf = (check: () => void): RuleViolation | null => {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
};
