export type { Clock } from './openid.ts';

/** A person of the tenant, as Teams knows them. */
export interface TeamsUser {
  /** Entra object id: `from.aadObjectId`, what roles are keyed by. */
  readonly aadObjectId: string;
  /** Teams' per-app user id (`29:…`); derived from the object id when not given. */
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly givenName?: string;
  readonly surname?: string;
}

export interface TeamsChannel {
  /** `19:…@thread.tacv2`; the team's General channel has the team's id. */
  readonly id: string;
  readonly name: string;
}

export interface Tenant {
  readonly tenantId: string;
  readonly bot: { readonly appId: string; readonly name: string };
  readonly team: { readonly id: string; readonly name: string; readonly aadGroupId: string };
  readonly channels: readonly TeamsChannel[];
  readonly users: readonly TeamsUser[];
}

/** A JSON activity as it travels on the wire. */
export type ActivityJson = Readonly<Record<string, unknown>>;

export type ConversationKind = 'channel' | 'personal';

export interface StandInConversation {
  /** The base id: a channel's `19:…@thread.tacv2`, or a 1:1 chat's `a:…`. */
  readonly id: string;
  readonly kind: ConversationKind;
  /** The other party of a 1:1 chat (aadObjectId). */
  readonly user?: string;
}

export interface ActivityVersion {
  readonly at: Date;
  readonly activity: ActivityJson;
}

/** An activity the stand-in holds, with its edits applied. */
export interface StandInActivity {
  readonly id: string;
  /** The base conversation (channel or 1:1 chat), never a `;messageid=` thread id. */
  readonly conversation: string;
  /** In a channel: the id of the thread's root (the root's own id for a root). */
  readonly threadId?: string;
  /** Who wrote it: `bot`, or a user's aadObjectId. */
  readonly author: string;
  readonly createdAt: Date;
  readonly updatedAt?: Date;
  /** The current content, as posted or last updated, with `id`, `conversation` and `timestamp` filled in. */
  readonly activity: ActivityJson;
  /** Earlier contents, oldest first (empty until the activity is updated). */
  readonly history: readonly ActivityVersion[];
}

export type ConnectorFailure =
  | { readonly status: 429; readonly retryAfter?: number }
  | { readonly status: 403 | 404 | 412 | 500 | 502 | 503 | 504; readonly code?: string }
  /** A send answered 202 with no id: the message was delivered, split by the service, and its id is lost. */
  | { readonly status: 202; readonly withoutId: true };

/** Which calls a forced failure or a delay applies to; everything when empty. */
export interface CallMatch {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A substring or pattern of the path after the service URL (e.g. `/activities`). */
  readonly path?: string | RegExp;
  /** A conversation id; a thread id (`…;messageid=N`) matches only that thread, a channel id all its threads. */
  readonly conversation?: string;
}

export interface RecordedCall {
  readonly method: string;
  /** The path after the service URL prefix, decoded (`/v3/conversations/19:…;messageid=1/activities`). */
  readonly path: string;
  readonly conversation?: string;
  readonly activityId?: string;
  readonly body: unknown;
  readonly token: string | undefined;
  readonly time: Date;
  readonly status: number;
  readonly response: unknown;
}

export interface StandInEvents {
  /** A new activity: posted by the bot, or written by a person through a delivery. */
  posted: StandInActivity;
  updated: StandInActivity;
  conversation: StandInConversation;
  call: RecordedCall;
}

export interface RateWindow {
  readonly max: number;
  readonly windowMs: number;
}
