import type { Args } from '../args.ts';
import type { State } from '../state/store.ts';

export interface MethodContext {
  readonly state: State;
  /** The stand-in's origin (`http://127.0.0.1:PORT`), for the URLs it hands out. */
  readonly origin: string;
}

/** Answers a Web API call: the fields of an `ok: true` body, or throws `MethodError`. */
export type MethodHandler = (args: Args, ctx: MethodContext) => Record<string, unknown>;

export type MethodTable = Readonly<Record<string, MethodHandler>>;
