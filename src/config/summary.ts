import { STAGES } from '../domain/hotfix/policy.ts';
import type { Config, PipelineConfig } from './schema.ts';

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const steps = (pipeline: PipelineConfig): number =>
  STAGES.reduce((sum, stage) => sum + pipeline[stage].length, 0);

/** `4 roles` (`5 people in 4 roles` in the persons form), `1 service (payments-api: 6 deploy steps, 2 rollback steps, 1 monitor check), 8 checklist items` */
export const describeConfig = (config: Config): string => {
  const services = Object.entries(config.services).map(
    ([name, service]) =>
      `${name}: ${count(steps(service.deploy), 'deploy step')}, ${count(steps(service.rollback), 'rollback step')}, ${count(service.monitor.length, 'monitor check')}`,
  );
  const items = config.checklists.code_readiness.length + config.checklists.environment_readiness.length;
  return [
    config.directory.length === 0
      ? count(Object.keys(config.people).length, 'role')
      : `${count(config.directory.length, 'person', 'people')} in ${count(Object.keys(config.people).length, 'role')}`,
    `${count(services.length, 'service')} (${services.join('; ')})`,
    count(items, 'checklist item'),
  ].join(', ');
};
