/**
 * Start-up stops with this: one line naming each variable that is wrong, never a secret's value. In a module of
 * its own so the CLI's entry can recognise it without loading zod and the env schema (`hotfix --help` stays fast).
 */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}
