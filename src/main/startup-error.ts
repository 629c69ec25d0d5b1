/**
 * Start-up cannot go on: one clear line (or one per config problem) and exit code 1. In a module of its own so
 * the CLI's entry can recognise it without loading Redis and the config loader.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}
