import type { RegisterCommand } from './command.ts';

export const registerDemoCommand: RegisterCommand = (program, deps) => {
  program
    .command('demo')
    .description(
      'play a scripted hotfix and a rollback drill through the playground, headless (exit 0 when both end well)',
    )
    .action(async () => (await import('../demo.ts')).demo(deps));
};
