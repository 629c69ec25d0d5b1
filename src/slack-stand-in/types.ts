import type { Block, KnownBlock, PlainTextElement } from '@slack/types';

/** The stand-in's notion of time: message ts, trigger expiry, response_url lifetime, rate windows. */
export interface Clock {
  now(): Date;
}

export type SlackBlock = KnownBlock | Block;

export interface WorkspaceUser {
  readonly id: string;
  readonly name: string;
  readonly real_name: string;
  readonly email?: string;
  readonly tz?: string;
}

export interface WorkspaceChannel {
  readonly id: string;
  readonly name: string;
  readonly is_private?: boolean;
  /** Human members; all workspace users when omitted. */
  readonly members?: readonly string[];
  /** Whether the bot is in the channel (default true); posting elsewhere fails with `not_in_channel`. */
  readonly botMember?: boolean;
}

/** The app's bot user, as `auth.test` reports it. */
export interface BotIdentity {
  readonly userId: string;
  readonly botId: string;
  readonly appId: string;
  readonly name: string;
}

export interface Workspace {
  readonly teamId: string;
  readonly teamName: string;
  /** Subdomain used in `auth.test`'s url and in permalinks. */
  readonly domain: string;
  readonly bot: BotIdentity;
  readonly users: readonly WorkspaceUser[];
  readonly channels: readonly WorkspaceChannel[];
}

export interface ChannelInfo {
  readonly id: string;
  readonly name: string;
  readonly is_private: boolean;
  readonly is_im: boolean;
  /** The other party of a DM. */
  readonly user?: string;
  readonly created: number;
  readonly creator: string;
  /** Humans and the bot currently in the channel. */
  readonly members: readonly string[];
}

/** A file object as Slack returns it (the subset the bot can see). */
export interface FileObject {
  readonly id: string;
  readonly created: number;
  readonly timestamp: number;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly filetype: string;
  readonly pretty_type: string;
  readonly user: string;
  readonly size: number;
  readonly mode: 'hosted';
  readonly is_external: false;
  readonly is_public: boolean;
  readonly url_private: string;
  readonly url_private_download: string;
  readonly permalink: string;
  readonly channels: readonly string[];
}

export interface StandInFile extends FileObject {
  /** The uploaded bytes (empty until the upload URL received them). */
  readonly content: Buffer;
  readonly uploaded: boolean;
  readonly completed: boolean;
}

/** A channel message as Slack would return it in `conversations.history`, plus its channel. */
export interface StandInMessage {
  readonly type: 'message';
  readonly subtype?: 'thread_broadcast';
  readonly channel: string;
  readonly ts: string;
  /** Set on replies (the parent's ts) and on a parent once it has replies (its own ts). */
  readonly thread_ts?: string;
  readonly user: string;
  readonly bot_id?: string;
  readonly app_id?: string;
  readonly team: string;
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
  readonly attachments?: readonly unknown[];
  readonly metadata?: unknown;
  readonly files?: readonly FileObject[];
  readonly edited?: { readonly user: string; readonly ts: string };
  readonly reply_count?: number;
  readonly reply_users?: readonly string[];
  readonly latest_reply?: string;
}

/**
 * A message only `user` can see: chat.postEphemeral, an ephemeral response_url reply, or a slash command's
 * acknowledgement body (`ack`).
 */
export interface StandInEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly ts: string;
  readonly thread_ts?: string;
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
  readonly source: 'chat.postEphemeral' | 'response_url' | 'ack';
}

/** A view object as Slack returns it from views.open / update / push / publish. */
export interface SlackViewObject {
  readonly id: string;
  readonly team_id: string;
  readonly type: 'modal' | 'home';
  readonly title?: PlainTextElement;
  readonly submit?: PlainTextElement | null;
  readonly close?: PlainTextElement | null;
  readonly blocks: readonly SlackBlock[];
  readonly private_metadata: string;
  readonly callback_id: string;
  readonly external_id: string;
  readonly state: { readonly values: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  readonly hash: string;
  readonly clear_on_close: boolean;
  readonly notify_on_close: boolean;
  readonly submit_disabled: boolean;
  readonly root_view_id: string | null;
  readonly previous_view_id: string | null;
  readonly app_id: string;
  readonly app_installed_team_id: string;
  readonly bot_id: string;
}

export interface StandInView {
  /** Whose screen shows it; undefined when it was opened with a trigger id the stand-in did not issue. */
  readonly user: string | undefined;
  readonly view: SlackViewObject;
  /** Field errors from a `response_action: 'errors'` acknowledgement, by block id. */
  readonly errors?: Readonly<Record<string, string>>;
}

export interface RecordedCall {
  /** `api` for Web API methods; `response_url` and `upload` for posts to the URLs the stand-in handed out. */
  readonly kind: 'api' | 'response_url' | 'upload';
  /** The Web API method (`chat.postMessage`), or the response_url / file id. */
  readonly method: string;
  /** Arguments with JSON-string fields (`blocks`, `view`, `attachments`, `files`, `metadata`) decoded. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly token: string | undefined;
  readonly time: Date;
  /** HTTP status answered. */
  readonly status: number;
  readonly response: Readonly<Record<string, unknown>>;
}

/** What `failNext` makes the next call(s) answer instead of handling them. */
export type Failure =
  | { readonly status: 429; readonly retryAfter?: number }
  | { readonly status: 500 | 502 | 503 | 504 }
  | { readonly error: string };

export type MessageChange =
  | { readonly kind: 'posted' | 'updated'; readonly message: StandInMessage }
  | { readonly kind: 'deleted'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'ephemeral_posted' | 'ephemeral_updated'; readonly ephemeral: StandInEphemeral }
  | {
      readonly kind: 'ephemeral_deleted';
      readonly channel: string;
      readonly user: string;
      readonly ts: string;
    };

export type ViewChange =
  | {
      readonly kind: 'opened' | 'pushed' | 'updated' | 'published' | 'errors';
      readonly user: string | undefined;
      readonly view: StandInView;
    }
  | { readonly kind: 'closed'; readonly user: string | undefined; readonly viewId: string };

export interface StandInEvents {
  readonly call: RecordedCall;
  readonly message: MessageChange;
  readonly view: ViewChange;
}

/** Where a response_url points: the interaction's channel and user, and the message it came from, if any. */
export interface ResponseUrlContext {
  readonly channel: string;
  readonly user: string;
  /** The source message (a button's message): `replace_original` / `delete_original` act on it. */
  readonly messageTs?: string;
  /** The source message is an ephemeral one (shown to `user`). */
  readonly ephemeral?: boolean;
}
