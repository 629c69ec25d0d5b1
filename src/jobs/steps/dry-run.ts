import { resolve } from 'node:path';
import { renderTemplate } from '../../config/template.ts';
import type { CommandSpec } from './command.ts';
import type { HttpStepSpec } from './http-step.ts';
import { buildRequest } from './http-step.ts';
import type { StepContext, StepOutcome } from './types.ts';

const quoted = (items: readonly string[]) => items.map((item) => JSON.stringify(item)).join(' ');

const succeeded = (lines: readonly string[], detail: string, ctx: StepContext): StepOutcome => ({
  ok: true,
  output: ctx.masker.mask(lines.join('\n')),
  durationMs: 0,
  detail: ctx.masker.mask(detail),
  dryRun: true,
});

const failed = (error: unknown, ctx: StepContext): StepOutcome => ({
  ok: false,
  output: '',
  durationMs: 0,
  error: ctx.masker.mask((error as Error).message),
});

/**
 * A `run` step in a dry run: nothing is spawned; the output is the command exactly as it would run (each
 * rendered argv item JSON-quoted, so spaces and quotes are visible), its working directory and the names
 * of the variables it would get. A template that cannot be rendered fails as it would for real.
 */
export const describeRun = (spec: CommandSpec, ctx: StepContext): StepOutcome => {
  let argv: string[];
  try {
    argv = spec.run.map((item) => renderTemplate(item, ctx.vars));
  } catch (error) {
    return failed(error, ctx);
  }
  const names = [
    ...Object.keys(spec.env),
    ...spec.secret_env.map((name) => `${name} (secret, from the worker's environment)`),
  ];
  return succeeded(
    [
      'dry run: not executed',
      `would run: ${quoted(argv)}`,
      `in: ${JSON.stringify(resolve(spec.cwd ?? '.'))}`,
      ...(names.length > 0 ? [`with env: ${names.join(', ')}`] : []),
    ],
    `dry run: ${argv[0] ?? ''} not executed`,
    ctx,
  );
};

/** An `http` step in a dry run: nothing is sent; the output is the method and URL, and what would go with them. */
export const describeHttp = (http: HttpStepSpec, ctx: StepContext): StepOutcome => {
  let request;
  try {
    request = buildRequest(http, ctx);
  } catch (error) {
    return failed(error, ctx);
  }
  const headers = Object.keys(request.headers);
  return succeeded(
    [
      'dry run: not sent',
      `would send: ${request.method} ${JSON.stringify(request.url)}`,
      headers.length > 0 ? `with headers: ${headers.join(', ')} (values not shown)` : 'with no headers',
      request.body === undefined
        ? 'with no body'
        : `with a body of ${Buffer.byteLength(request.body)} bytes (not shown)`,
    ],
    `dry run: ${request.method} ${request.url} not sent`,
    ctx,
  );
};
