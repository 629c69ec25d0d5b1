import type { Args } from './args.ts';
import { MethodError, readableArgs } from './args.ts';
import type { Faults } from './faults.ts';
import type { MethodTable } from './methods/method.ts';
import type { State } from './state/store.ts';
import type { Failure } from './types.ts';

export interface ApiRequest {
  readonly method: string;
  readonly fields: Args;
  /** From `Authorization: Bearer …`. */
  readonly headerToken: string | undefined;
  /** JSON bodies cannot carry the token (Slack requires the header for them). */
  readonly json: boolean;
  /** The body could not be parsed: `invalid_json` or `invalid_form_data`. */
  readonly malformed?: string;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

export const failureAnswer = (failure: Failure): Answer => {
  if ('error' in failure) return { status: 200, body: { ok: false, error: failure.error } };
  if (failure.status === 429)
    return {
      status: 429,
      headers: { 'retry-after': String(failure.retryAfter ?? 1) },
      body: { ok: false, error: 'ratelimited' },
    };
  return { status: failure.status, body: { ok: false, error: 'service_unavailable' } };
};

const errorBody = (error: MethodError) => ({
  ok: false,
  error: error.error,
  ...(error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {}),
});

const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

/**
 * One Web API call: faults first (as Slack's edge answers 429 before looking at the call), then the token,
 * then the method. Every call is recorded, whatever its answer.
 */
export const createApiRouter = (deps: {
  readonly state: State;
  readonly faults: Faults;
  readonly methods: MethodTable;
  /** When set, the only token accepted; otherwise any `xoxb-…` token is. */
  readonly botToken: string | undefined;
  /** The same for the methods that take an app-level token (`xapp-…`): `apps.connections.open`. */
  readonly appToken: string | undefined;
  readonly origin: () => string;
}) => {
  const { state, faults, methods } = deps;

  const authError = (method: string, token: string | undefined) => {
    if (token === undefined || token === '') return 'not_authed';
    const [expected, kind] = APP_TOKEN_METHODS.has(method)
      ? [deps.appToken, /^xapp-\S+$/]
      : [deps.botToken, /^xoxb-\S+$/];
    if (expected === undefined ? kind.test(token) : token === expected) return undefined;
    // An app-level token where a bot token belongs, or the other way round.
    return /^(xoxb|xapp)-/.test(token) && !kind.test(token) ? 'not_allowed_token_type' : 'invalid_auth';
  };

  const handle = (method: string, args: Args, token: string | undefined, now: Date): Answer => {
    const failure = faults.take(method, now, typeof args.channel === 'string' ? args.channel : undefined);
    if (failure !== undefined) return failureAnswer(failure);
    const denied = authError(method, token);
    if (denied !== undefined) return { status: 200, body: { ok: false, error: denied } };
    const handler = methods[method];
    if (handler === undefined)
      return { status: 200, body: { ok: false, error: 'unknown_method', req_method: method } };
    try {
      return { status: 200, body: { ok: true, ...handler(args, { state, origin: deps.origin() }) } };
    } catch (error) {
      if (error instanceof MethodError) return { status: 200, body: errorBody(error) };
      // A bug in the stand-in itself: say so loudly rather than pretend Slack refused.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return { status: 500, body: { ok: false, error: 'internal_error', stand_in_error: message } };
    }
  };

  return (request: ApiRequest): Answer => {
    const now = state.clock.now();
    const { token: fieldToken, ...args } = request.fields;
    const token =
      request.headerToken ?? (!request.json && typeof fieldToken === 'string' ? fieldToken : undefined);
    const answer: Answer =
      request.malformed === undefined
        ? handle(request.method, args, token, now)
        : { status: 200, body: { ok: false, error: request.malformed } };
    state.record({
      kind: 'api',
      method: request.method,
      args: readableArgs(args),
      token,
      time: now,
      status: answer.status,
      response: answer.body,
    });
    return answer;
  };
};
