import type { Config } from '../../config/schema.ts';

/** Replaces secrets in text meant for chat (step output, errors, evidence). */
export interface Masker {
  mask(text: string): string;
}

export const MASK = '***';

/** Shorter values would mask ordinary words and numbers all over the output, revealing more than they hide. */
const MIN_SECRET_LENGTH = 4;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A secret may also appear URL-encoded (query strings) or JSON-escaped (response bodies). */
const variants = (value: string): string[] => [
  value,
  encodeURIComponent(value),
  JSON.stringify(value).slice(1, -1),
];

const globalCopy = (pattern: RegExp): RegExp =>
  new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);

/**
 * Masks every secret value (longest first, so a secret containing another is masked whole) and every match
 * of the patterns with `***`. Values shorter than 4 characters are ignored.
 */
export const createMasker = ({
  values,
  patterns,
}: {
  readonly values: readonly string[];
  readonly patterns: readonly RegExp[];
}): Masker => {
  const secrets = [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH).flatMap(variants))].sort(
    (a, b) => b.length - a.length,
  );
  // One alternation tries the longest secret first at each position.
  const literal = secrets.length > 0 ? new RegExp(secrets.map(escapeRegExp).join('|'), 'g') : undefined;
  const matchers = patterns.map(globalCopy);
  return {
    mask(text) {
      let masked = literal ? text.replace(literal, MASK) : text;
      for (const pattern of matchers) masked = masked.replace(pattern, (match) => (match === '' ? '' : MASK));
      return masked;
    },
  };
};

type MaskedConfig = Pick<Config, 'secrets' | 'services' | 'checklists'>;

/** Every `secret_env` name of the config: run steps of every pipeline and checklist run checks. */
const secretEnvNames = (config: MaskedConfig): string[] => {
  const steps = Object.values(config.services).flatMap((service) =>
    [service.deploy, service.rollback].flatMap((p) => [...p.preparation, ...p.execution, ...p.verification]),
  );
  const probes = [...config.checklists.code_readiness, ...config.checklists.environment_readiness].flatMap(
    ({ check }) => (check ? [check] : []),
  );
  return [...steps, ...probes].flatMap((s) => (s.kind === 'run' ? s.secret_env : []));
};

/** The masker for a worker: values of `secrets.env` and of every `secret_env` in `env`, and `secrets.patterns`. */
export const maskerFor = (
  config: MaskedConfig,
  env: Readonly<Record<string, string | undefined>>,
): Masker => {
  const names = new Set([...config.secrets.env, ...secretEnvNames(config)]);
  const values = [...names].flatMap((name) => {
    const value = env[name];
    return value === undefined ? [] : [value];
  });
  return createMasker({ values, patterns: config.secrets.patterns.map((source) => new RegExp(source, 'g')) });
};
