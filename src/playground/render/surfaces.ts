import type {
  FileObject,
  StandInEphemeral,
  StandInMessage,
  StandInView,
} from '../../slack-stand-in/index.ts';
import type { Person } from '../workspace.ts';
import type { BlockContext } from './blocks.ts';
import { renderBlocks, textObject } from './blocks.ts';
import type { Html } from './html.ts';
import { attrs, joinHtml, markup } from './html.ts';
import type { Names } from './mrkdwn.ts';
import { mrkdwnToHtml } from './mrkdwn.ts';

/** Everything one person sees, read from the stand-in: the page renders it, the state API returns it. */
export interface Snapshot {
  /** The acting person. */
  readonly as: Person;
  readonly people: readonly Person[];
  readonly channel: { readonly id: string; readonly name: string };
  /** The bot's user id: its messages are labelled as the app's. */
  readonly botUserId: string;
  readonly botName: string;
  /** The channel's messages and thread replies, oldest first. */
  readonly messages: readonly StandInMessage[];
  /** The acting person's ephemeral messages in the channel. */
  readonly ephemerals: readonly StandInEphemeral[];
  /** The acting person's modal stack, root first. */
  readonly modals: readonly StandInView[];
  /** The acting person's App Home tab, once the app published one. */
  readonly home: StandInView | undefined;
}

/** The names `<@U…>` and `<#C…>` show: people by their display name, the bot by its name. */
export const namesOf = (snapshot: Pick<Snapshot, 'people' | 'channel' | 'botUserId' | 'botName'>): Names => {
  const people = new Map(snapshot.people.map((p) => [p.id, p.name]));
  people.set(snapshot.botUserId, snapshot.botName);
  return {
    userName: (id) => people.get(id),
    channelName: (id) => (id === snapshot.channel.id ? snapshot.channel.name : undefined),
  };
};

/** `1700000000.000100` → comparable: Slack timestamps are seconds and microseconds. */
const tsKey = (ts: string): string => {
  const [seconds = '0', micros = '0'] = ts.split('.');
  return `${seconds.padStart(12, '0')}.${micros.padEnd(6, '0')}`;
};
const byTs = (a: { ts: string }, b: { ts: string }) => tsKey(a.ts).localeCompare(tsKey(b.ts));

/** A Slack timestamp as `HH:MM:SS` (UTC). */
export const clockOf = (ts: string): string => {
  const seconds = Number(ts.split('.')[0]);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().slice(11, 19) : ts;
};

const contextOf = (snapshot: Snapshot, surface: BlockContext['surface'], scope: string): BlockContext => ({
  ...namesOf(snapshot),
  people: snapshot.people,
  surface,
  scope,
});

const files = (list: readonly FileObject[] | undefined) => {
  if (list === undefined || list.length === 0) return '';
  const items = list.map((f) => {
    const link = attrs({ href: f.url_private_download, target: '_blank', rel: 'noopener noreferrer' });
    return markup`<li>📄 <a${link}>${f.title || f.name}</a> <small>${f.pretty_type}</small></li>`;
  });
  return markup`<ul class="files">${items}</ul>`;
};

const body = (content: { readonly text: string; readonly blocks?: readonly unknown[] }, ctx: BlockContext) =>
  content.blocks !== undefined && content.blocks.length > 0
    ? renderBlocks(content.blocks, ctx)
    : markup`<div class="bk-block">${mrkdwnToHtml(content.text, ctx)}</div>`;

const author = (snapshot: Snapshot, user: string) => {
  if (user === snapshot.botUserId)
    return markup`<b class="author">${snapshot.botName}</b> <span class="badge">APP</span>`;
  const person = snapshot.people.find((p) => p.id === user);
  return markup`<b class="author">${person?.name ?? user}</b>`;
};

const messageHtml = (snapshot: Snapshot, message: StandInMessage, replies: readonly Html[]): Html => {
  const ctx = contextOf(snapshot, 'message', message.ts);
  const count = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
  const thread =
    replies.length === 0
      ? ''
      : markup`<details class="thread"${attrs({ 'data-thread': message.ts })}><summary>${count}</summary>${replies}</details>`;
  const edited = message.edited === undefined ? '' : markup` <small class="edited">(edited)</small>`;
  const broadcast = message.subtype === 'thread_broadcast' ? markup` <small>replied to a thread</small>` : '';
  const head = markup`<header>${author(snapshot, message.user)} <time>${clockOf(message.ts)}</time>${edited}${broadcast}</header>`;
  const where = attrs({
    class: 'msg',
    id: `msg-${message.ts}`,
    'data-channel': message.channel,
    'data-ts': message.ts,
  });
  return markup`<article${where}>${head}<div class="msg-body">${body(message, ctx)}${files(message.files)}</div>${thread}</article>`;
};

const ephemeralHtml = (snapshot: Snapshot, ephemeral: StandInEphemeral): Html => {
  const ctx = contextOf(snapshot, 'message', `e${ephemeral.ts}`);
  const where = attrs({
    class: 'msg ephemeral',
    id: `eph-${ephemeral.ts}`,
    'data-channel': ephemeral.channel,
    'data-ts': ephemeral.ts,
    'data-ephemeral': 'true',
  });
  const head = markup`<header>${author(snapshot, snapshot.botUserId)} <time>${clockOf(ephemeral.ts)}</time> <small class="only-you">Only visible to you</small></header>`;
  return markup`<article${where}>${head}<div class="msg-body">${body(ephemeral, ctx)}</div></article>`;
};

const isReply = (m: { readonly ts: string; readonly thread_ts?: string }) =>
  m.thread_ts !== undefined && m.thread_ts !== m.ts;

/**
 * The incident channel as a chat client shows it to the acting person: top-level messages in order, each
 * with its thread (expandable), and the person's ephemeral messages where they were posted.
 */
export const renderChannel = (snapshot: Snapshot): Html => {
  type Item = { readonly ts: string; readonly html: () => Html };
  const message = (m: StandInMessage, replies: readonly Html[] = []): Item => ({
    ts: m.ts,
    html: () => messageHtml(snapshot, m, replies),
  });
  const ephemeral = (e: StandInEphemeral): Item => ({ ts: e.ts, html: () => ephemeralHtml(snapshot, e) });
  const repliesTo = (ts: string): Html[] =>
    [
      ...snapshot.messages.filter((m) => isReply(m) && m.thread_ts === ts).map((m) => message(m)),
      ...snapshot.ephemerals.filter((e) => isReply(e) && e.thread_ts === ts).map(ephemeral),
    ]
      .sort(byTs)
      .map((item) => item.html());
  const top: Item[] = [
    ...snapshot.messages
      .filter((m) => !isReply(m) || m.subtype === 'thread_broadcast')
      .map((m) => message(m, isReply(m) ? [] : repliesTo(m.ts))),
    ...snapshot.ephemerals.filter((e) => !isReply(e)).map(ephemeral),
  ].sort(byTs);
  if (top.length === 0)
    return markup`<p class="empty">Nothing in #${snapshot.channel.name} yet. Type <code>/hotfix start</code> below.</p>`;
  return joinHtml(top.map((item) => item.html()));
};

/**
 * The acting person's modal stack: the top view as a form (inputs, field errors under their fields, Submit
 * and Close), with how deep the stack is. Empty when no modal is open.
 */
export const renderModal = (snapshot: Snapshot): Html => {
  const top = snapshot.modals.at(-1);
  if (top === undefined) return markup``;
  const { view } = top;
  const ctx: BlockContext = {
    ...contextOf(snapshot, 'modal', view.id),
    values: view.state.values,
    ...(top.errors === undefined ? {} : { errors: top.errors }),
  };
  const depth = snapshot.modals.length;
  const blockIds = new Set(view.blocks.map((b) => (b as { block_id?: string }).block_id));
  // An error for a block the view does not have would be invisible under its field: show it at the end.
  const stray = Object.entries(top.errors ?? {})
    .filter(([blockId]) => !blockIds.has(blockId))
    .map(([blockId, message]) => markup`<div class="bk-error" role="alert">${blockId}: ${message}</div>`);
  const back =
    depth > 1 ? markup`<span class="depth" title="${depth} views on the stack">${depth} ›</span> ` : '';
  const close = view.close ? textObject(view.close, ctx) : 'Close';
  const submit = view.submit
    ? markup`<button type="submit" class="bk-button bk-primary">${textObject(view.submit, ctx)}</button>`
    : '';
  const form = attrs({ class: 'modal', 'data-view-id': view.id, 'data-callback-id': view.callback_id });
  return markup`<form${form} novalidate><header><h2>${back}${textObject(view.title, ctx)}</h2><button type="button" class="x" data-close-view title="Close">✕</button></header><div class="modal-body">${renderBlocks(view.blocks, ctx)}${stray}</div><footer><button type="button" class="bk-button" data-close-view>${close}</button>${submit}</footer></form>`;
};

/** The acting person's App Home tab. */
export const renderHome = (snapshot: Snapshot): Html => {
  const home = snapshot.home;
  if (home === undefined)
    return markup`<p class="empty">${snapshot.botName} has not published a Home tab for ${snapshot.as.name} yet.</p>`;
  const blocks = renderBlocks(home.view.blocks, contextOf(snapshot, 'home', home.view.id));
  return markup`<div${attrs({ class: 'home', 'data-view-id': home.view.id })}>${blocks}</div>`;
};

/** The switcher: each person of the config with their roles and platforms; the acting one is marked. */
export const renderPeople = (snapshot: Pick<Snapshot, 'people' | 'as'>): Html =>
  joinHtml(
    snapshot.people.map((p) => {
      const acting = p.id === snapshot.as.id;
      const roles = p.roles.length === 0 ? markup`<i>no role</i>` : p.roles.join(', ');
      const button = attrs({
        type: 'button',
        class: acting ? 'person active' : 'person',
        'data-as': p.id,
        'aria-pressed': acting ? 'true' : 'false',
      });
      const on = [p.slackId === undefined ? '' : 'Slack', p.teamsId === undefined ? '' : 'Teams'].filter(
        Boolean,
      );
      return markup`<button${button}><b>${p.name}</b> <small>${p.slackId ?? ''}</small><span class="roles">${roles}</span><span class="platforms">${on.join(' · ')}</span></button>`;
    }),
  );
