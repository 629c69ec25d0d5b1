/** hotfix.yml's durations: the parser lives in the domain, which reads a plan's verification period with it. */
export * from '../domain/hotfix/duration.ts';
