import type { z } from 'zod';
import { describeValue } from './messages.ts';
import type { ConfigIssue } from './rules.ts';

type Issue = z.core.$ZodIssue;

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

const plural = (count: number | bigint, one: string): string => `${count} ${one}${count === 1 ? '' : 's'}`;

/**
 * Messages for the issues a schema does not word itself, in the terms of a YAML file
 * ("a list", "a mapping") rather than JavaScript's. Passed to `safeParse` as its error map.
 */
export const issueMessage = (iss: z.core.$ZodRawIssue): string | undefined => {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'missing (required)';
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      const hint =
        iss.expected === 'string' && (typeof iss.input === 'number' || typeof iss.input === 'boolean')
          ? ` (quote it: "${String(iss.input)}")`
          : '';
      return `expected ${expected}, got ${describeValue(iss.input)}${hint}`;
    }
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${plural(iss.minimum, 'item')}`;
      if (iss.origin === 'string')
        return iss.minimum === 1 ? 'must not be empty' : `needs at least ${plural(iss.minimum, 'character')}`;
      return `must be ${iss.inclusive ? 'at least' : 'more than'} ${iss.minimum}, got ${describeValue(iss.input)}`;
    case 'too_big':
      if (iss.origin === 'array') return `takes at most ${plural(iss.maximum, 'item')}`;
      if (iss.origin === 'string') return `takes at most ${plural(iss.maximum, 'character')}`;
      return `must be ${iss.inclusive ? 'at most' : 'less than'} ${iss.maximum}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `expected ${iss.values.length === 1 ? '' : 'one of '}${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(iss.input)}`;
    case 'unrecognized_keys':
      return `unknown key${iss.keys.length === 1 ? '' : 's'} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_format':
      return `has the wrong format, got ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
};

const valueAt = (data: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    data,
  );

/**
 * How badly a union member missed: `undefined` when the value is not even of its type, otherwise the
 * number of its required keys that are absent plus the keys it does not know. A step `{ name, run: 'x' }`
 * misses `wait` by two keys but `run` by none, so its problems are the run step's; a person
 * `{ roles, slack: [ids] }` misses a role's members by its unknown `roles` key, so it is explained as a person.
 */
const distance = (
  issues: readonly Issue[],
  data: unknown,
  at: readonly PropertyKey[],
): number | undefined => {
  if (issues.some((i) => i.path.length === 0 && i.code === 'invalid_type')) return undefined;
  const missing = issues.filter(
    (i) =>
      i.path.length === 1 && i.code === 'invalid_type' && valueAt(data, [...at, ...i.path]) === undefined,
  ).length;
  const unknown = issues
    .filter((i) => i.path.length === 0 && i.code === 'unrecognized_keys')
    .reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 0), 0);
  return missing + unknown;
};

const toPath = (path: readonly PropertyKey[]): (string | number)[] =>
  path.map((key) => (typeof key === 'number' ? key : String(key)));

/**
 * Zod issues as problems at YAML paths. A failed union is explained by the member the value was
 * clearly meant to be (see `distance`), or by the union's own message when that is ambiguous.
 * Unknown keys point at the (first) key itself, so the line is the key's.
 */
export const explainIssues = (
  issues: readonly Issue[],
  data: unknown,
  base: readonly PropertyKey[] = [],
): ConfigIssue[] =>
  issues.flatMap((issue): ConfigIssue[] => {
    const at = [...base, ...issue.path];
    switch (issue.code) {
      case 'invalid_union': {
        const ranked = issue.errors
          .map((errors) => ({ errors, distance: distance(errors, data, at) }))
          .filter((r): r is { errors: Issue[]; distance: number } => r.distance !== undefined);
        const best = Math.min(...ranked.map((r) => r.distance));
        const closest = ranked.filter((r) => r.distance === best);
        if (closest.length === 1 && closest[0] !== undefined)
          return explainIssues(closest[0].errors, data, at);
        return [{ path: toPath(at), message: issue.message }];
      }
      case 'unrecognized_keys':
        return [{ path: toPath([...at, ...issue.keys.slice(0, 1)]), message: issue.message }];
      case 'invalid_key':
        return [{ path: toPath(at), message: issue.issues.map((i) => i.message).join('; ') }];
      default:
        return [{ path: toPath(at), message: issue.message }];
    }
  });
