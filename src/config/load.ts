import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import type { Policy } from '../domain/hotfix/policy.ts';
import { explainIssues, issueMessage } from './issues.ts';
import { toPolicy } from './policy.ts';
import { processWarnings } from './process-warnings.ts';
import { crossFieldIssues } from './rules.ts';
import type { ConfigIssue, ConfigPath } from './rules.ts';
import { hotfixConfigSchema } from './schema.ts';
import type { Config } from './schema.ts';

export type { Config } from './schema.ts';

/** One thing wrong with a config file, where to fix it and why. */
export interface Problem {
  readonly file: string;
  /** 1-based; 0 when the problem concerns the whole file (it cannot be read). */
  readonly line: number;
  /** Dotted YAML path (`services.api.deploy.execution[0].run`); empty for syntax errors. */
  readonly path: string;
  readonly message: string;
}

export type ConfigResult =
  | {
      readonly ok: true;
      readonly config: Config;
      readonly policy: Policy;
      /** What the config leaves out of the hotfix process (process-warnings.ts): valid, but worth fixing. */
      readonly warnings: readonly Problem[];
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** `hotfix.yml:14 policy.approvals.qa: unknown role "qa"` — the line `hotfix config check` prints. */
export const formatProblem = ({ file, line, path, message }: Problem): string =>
  `${file}${line > 0 ? `:${line}` : ''}${path === '' ? '' : ` ${path}`}: ${message}`;

/** `['services', 'api', 'deploy', 'execution', 0]` → `services.api.deploy.execution[0]`. */
export const formatPath = (path: ConfigPath): string =>
  path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[\w-]+$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');

/**
 * The schema plus the cross-field rules, reported as zod issues so both kinds come out alike. The rules
 * assume a well-typed config, so they run only once the structure is free of problems.
 */
const validatedConfigSchema = hotfixConfigSchema.superRefine(
  (config, ctx) => {
    for (const { path, message } of crossFieldIssues(config))
      ctx.addIssue({ code: 'custom', path: [...path], message });
  },
  { when: (payload) => payload.issues.length === 0 },
);

/**
 * The line of the node at `path`, or of its nearest ancestor present in the file (a missing key is
 * reported on the line of the mapping that lacks it). A mapping entry's line is its key's.
 */
const lineOf = (doc: Document, lines: LineCounter, path: ConfigPath): number => {
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lines.linePos(offset).line;
  let node: unknown = doc.contents;
  let line = isScalar(node) || isMap(node) || isSeq(node) ? lineAt(node.range?.[0]) : 1;
  for (const key of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key));
      if (pair === undefined) break;
      if (isScalar(pair.key)) line = lineAt(pair.key.range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item: unknown = node.items[key];
      if (isScalar(item) || isMap(item) || isSeq(item) || isAlias(item)) line = lineAt(item.range?.[0]);
      else break;
      node = item;
    } else break;
  }
  return line;
};

const yamlMessage = (error: YAMLError, text: string): string => {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      // The error spans only the key's first character.
      return `duplicate key ${JSON.stringify(/^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0].trim())}`;
    case 'MULTIPLE_DOCS':
      return 'hotfix.yml holds one YAML document; remove the second "---"';
    default:
      return error.message;
  }
};

const sortProblems = (problems: Problem[]): Problem[] =>
  problems.sort((a, b) => a.line - b.line || a.path.localeCompare(b.path));

/**
 * Parses and validates the text of a hotfix.yml. Problems come from YAML syntax, the schema and the
 * cross-field rules, each with the line to fix; `fileName` is only used to label them.
 */
export const parseConfig = (text: string, fileName: string): ConfigResult => {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (line: number, path: string, message: string): Problem => ({
    file: fileName,
    line,
    path,
    message,
  });

  const syntax = [...doc.errors, ...doc.warnings].map((e) =>
    at(lines.linePos(e.pos[0]).line, '', yamlMessage(e, text)),
  );
  visit(doc, {
    Alias: (_, alias) => {
      if (alias.resolve(doc) === undefined)
        syntax.push(at(lines.linePos(alias.range?.[0] ?? 0).line, '', `unknown anchor "*${alias.source}"`));
    },
  });
  if (syntax.length > 0) return { ok: false, problems: sortProblems(syntax) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [at(1, '', (error as Error).message)] };
  }
  if (data === null || data === undefined) return { ok: false, problems: [at(1, '', 'the file is empty')] };

  const result = validatedConfigSchema.safeParse(data, { error: issueMessage });
  if (!result.success) {
    const problems = explainIssues(result.error.issues, data).map(({ path, message }: ConfigIssue) =>
      at(lineOf(doc, lines, path), formatPath(path), message),
    );
    return { ok: false, problems: sortProblems(problems) };
  }
  const warnings = processWarnings(result.data).map(({ path, message }) =>
    at(lineOf(doc, lines, path), formatPath(path), message),
  );
  return { ok: true, config: result.data, policy: toPolicy(result.data), warnings: sortProblems(warnings) };
};

/** Reads and parses a config file; a file that cannot be read is one problem. */
export const loadConfigFile = async (path: string): Promise<ConfigResult> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'no such file (give a path, or set HOTFIX_CONFIG)'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read: ${(error as Error).message}`;
    return { ok: false, problems: [{ file: path, line: 0, path: '', message }] };
  }
  return parseConfig(text, path);
};
