import { z } from 'zod';

/** A Web API method's arguments as received: strings from form bodies, any JSON value from JSON bodies. */
export type Args = Readonly<Record<string, unknown>>;

/** A Slack error answer: `{ ok: false, error, response_metadata: { messages } }` with HTTP 200. */
export class MethodError extends Error {
  override readonly name = 'MethodError';
  constructor(
    readonly error: string,
    readonly messages: readonly string[] = [],
  ) {
    super(messages.length > 0 ? `${error}: ${messages.join('; ')}` : error);
  }
}

/** Slack's wording for a field problem: `[ERROR] must be less than 51 items [json-pointer:/blocks]`. */
export const problem = (message: string, pointer: string) => `[ERROR] ${message} [json-pointer:${pointer}]`;

const pointerOf = (path: readonly PropertyKey[]) => `/${path.map(String).join('/')}`;

/** Parses `args` or throws `errorCode` (default `invalid_arguments`) with one message per zod issue. */
export const parseArgs = <T extends z.ZodType>(
  schema: T,
  args: unknown,
  errorCode = 'invalid_arguments',
  pointerPrefix = '',
): z.infer<T> => {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  throw new MethodError(
    errorCode,
    parsed.error.issues.map((issue) => problem(issue.message, `${pointerPrefix}${pointerOf(issue.path)}`)),
  );
};

/** A boolean sent as `true`/`false`/`1`/`0` in a form body or as a JSON boolean. */
export const flag = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  return value;
}, z.boolean());

/** An integer sent as a form string or a JSON number. */
export const integer = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z.int(),
);

/** A timestamp such as `1700000000.000100`; JSON clients sometimes send it as a number. */
export const timestamp = z.preprocess(
  (value) => (typeof value === 'number' ? value.toFixed(6) : value),
  z.string().regex(/^\d+\.\d+$/, 'must be a message timestamp'),
);

/** A comma-separated list (form) or an array (JSON). */
export const idList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== '')
      : value,
  z.array(z.string().min(1)),
);

export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

/** Form bodies carry structured arguments as JSON strings; JSON bodies may carry either. */
export const decodeJson = (value: unknown): Decoded => {
  if (typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
};

/** The argument names Slack expects as JSON (strings in form bodies). */
export const JSON_ARGS = ['blocks', 'view', 'attachments', 'files', 'metadata'] as const;

/** Arguments with their JSON-string fields decoded where they parse: what a test wants to look at. */
export const readableArgs = (args: Args): Record<string, unknown> => {
  const readable: Record<string, unknown> = { ...args };
  for (const key of JSON_ARGS) {
    const decoded = decodeJson(readable[key]);
    if (key in readable && decoded.ok) readable[key] = decoded.value;
  }
  return readable;
};
