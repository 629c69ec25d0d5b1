import type { RegisterCommand } from './command.ts';

export const registerWorkerCommand: RegisterCommand = (program, deps) => {
  program
    .command('worker')
    .description('run the deploy, rollback and monitoring workers (scale these out)')
    .action(async () => (await import('../worker.ts')).runWorker(deps));
};
