import type { Config } from '../../config/load.ts';
import type { Call } from '../../domain/hotfix/attention.ts';
import type { Policy } from '../../domain/hotfix/policy.ts';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { CardRef, ChatSurface } from '../../notify/notifier.ts';
import { RateLimited } from '../../notify/notifier.ts';
import type { Clock, EventStore, StoredEvent } from '../../service/ports.ts';
import type { Notice } from '../common/notices.ts';
import { noticeOf, noticeRefKey } from '../common/notices.ts';
import { readRecord } from '../common/record.ts';
import type { PromptLinks } from '../common/card.ts';
import { promptKeys } from '../common/card.ts';
import {
  issueMessageKey,
  lineCallOf,
  manualInstruction,
  opensPrompt,
  promptCallOf,
  stepMessageKey,
  threadFollowUp,
  threadMessage,
  voteMessageKey,
} from '../common/thread.ts';
import type { ThreadFollowUp } from '../common/thread.ts';
import type { TeamsCard } from './cards/adaptive.ts';
import { card, text } from './cards/adaptive.ts';
import type { LockHolder } from '../common/actions.ts';
import { renderHotfixCard } from './cards/card.ts';
import { renderRecord } from './cards/record.ts';
import { userText } from './cards/text.ts';
import {
  renderIssueMessage,
  renderManualStepPrompt,
  renderThreadMessage,
  renderVoteMessage,
} from './cards/thread.ts';
import { ConnectorCallError } from './connector-error.ts';
import type { ConversationRef } from './conversation-ref.ts';
import { decodeConversationRef, encodeConversationRef, threadConversationId } from './conversation-ref.ts';
import type { Outbox } from './outbox.ts';
import type { ThreadRefs } from './thread-refs.ts';
import type { OutboundActivity, TeamsTransport } from './transport.ts';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/** Teams refuses a message above ~100 KB; the issue asks to stay under 80 KB. */
export const ACTIVITY_BUDGET_BYTES = 80_000;

export interface TeamsSurfaceDeps {
  readonly transport: Pick<TeamsTransport, 'createThread' | 'reply' | 'update' | 'send'>;
  readonly outbox: Pick<Outbox, 'send'>;
  readonly refs: ThreadRefs;
  /** Where threads are opened: the Bot Connector's URL, the tenant, and the bot's id (`28:<app id>`). */
  readonly connector: { readonly serviceUrl: string; readonly tenantId?: string; readonly botId: string };
  /**
   * The Bot Connector Teams named in its latest activity from the bot's tenant (Microsoft prefers it to the
   * global one): new threads open there; `connector.serviceUrl` when none is known.
   */
  readonly learnedServiceUrl?: () => Promise<string | undefined>;
  readonly config: () => Pick<Config, 'timezone' | 'teams' | 'services' | 'thread'>;
  readonly policy: () => Policy;
  readonly clock: Clock;
  readonly lockHolders: (services: readonly string[]) => Promise<Readonly<Record<string, LockHolder>>>;
  readonly store: Pick<EventStore, 'load' | 'verify'>;
  readonly log: { warn(fields: object, message: string): void };
}

/**
 * A card alone, without text: Teams may split a message with both and answer 202 without the id the card's
 * later edits need. A card past the size budget is replaced by a short one saying so, never refused by Teams.
 */
export const cardMessage = (teamsCard: TeamsCard, tooLarge: string): OutboundActivity => {
  const message = (c: TeamsCard) => ({
    type: 'message',
    summary: c.summary,
    attachments: [{ contentType: ADAPTIVE_CARD, content: c.card }],
  });
  const full = message(teamsCard);
  const bytes = Buffer.byteLength(JSON.stringify(full));
  if (bytes <= ACTIVITY_BUDGET_BYTES) return full;
  const notice = `⚠️ ${tooLarge} is too large for Teams (${Math.ceil(bytes / 1024)} KB); it is not shown here.`;
  return message({ card: card([text(userText(notice, 500, true))]), summary: notice });
};

/** A link that opens a hotfix's thread in Teams (a channel message's deep link). */
export const threadLink = (teamsChannelId: string, rootId: string): string =>
  `https://teams.microsoft.com/l/message/${encodeURIComponent(teamsChannelId)}/${encodeURIComponent(rootId)}?parentMessageId=${encodeURIComponent(rootId)}`;

/** A link that opens one reply of a hotfix's thread in Teams (the message's deep link). */
export const messageLink = (teamsChannelId: string, rootId: string, messageId: string): string =>
  `https://teams.microsoft.com/l/message/${encodeURIComponent(teamsChannelId)}/${encodeURIComponent(messageId)}?parentMessageId=${encodeURIComponent(rootId)}`;

/** How long a stakeholder notice may hold its hotfix's chat output when its channel asks us to wait. */
const NOTICE_WAIT_MS = 30_000;

/** A stakeholder notice as a small card: the headline, the details on one line, the thread's link. */
export const noticeCard = (notice: Notice, link: string | undefined): TeamsCard => ({
  card: card([
    text(`${notice.emoji} ${userText(notice.headline, 300, true)}`, { weight: 'bolder' }),
    text(notice.details.map((d) => userText(d, 300, true)).join(' · ')),
    ...(link ? [text(`[Open the incident thread](${link})`)] : []),
  ]),
  summary: `${notice.emoji} ${notice.headline}`.slice(0, 300),
});

/** A group chat's id (`19:…@thread.v2`) takes a message; a channel's takes a new thread. */
const isGroupChat = (id: string): boolean => /@thread\.v2$/.test(id);

/** A reply Teams took without giving its id (202): it cannot be edited, so its next state is a new reply. */
const NO_ID = '?';

/**
 * Deep links to the replies a hotfix card points at now (a waiting manual step's prompt, the open vote), built
 * from their stored ids in the hotfix's thread (no call to Teams); none before the thread is known.
 */
export const storedPromptLinks = async (
  refs: Pick<ThreadRefs, 'get'>,
  state: HotfixState,
  known?: ConversationRef,
): Promise<PromptLinks> => {
  const stored = known === undefined ? await refs.get(state.id, 'thread') : null;
  const thread = known ?? (stored === null ? undefined : decodeConversationRef(stored));
  const { teamsChannelId, threadRootId } = thread ?? {};
  if (teamsChannelId === undefined || threadRootId === undefined) return {};
  const links: Record<string, string> = {};
  for (const key of promptKeys(state)) {
    const id = await refs.get(state.id, key);
    if (id !== null && id !== NO_ID) links[key] = messageLink(teamsChannelId, threadRootId, id);
  }
  return links;
};

/**
 * Teams as the notifier's chat surface, mirroring Slack's: the card opens a thread of its own in
 * `teams.incident_channel` and is edited in place; a reply per milestone; a prompt for each manual step, a
 * live message per rollback vote and one per logged issue, edited when answered; and on close the record as
 * one reply, its summary with the whole Markdown record behind a button (Teams bots cannot upload files to
 * channels). Every call goes through the outbox.
 */
export const createTeamsSurface = (deps: TeamsSurfaceDeps): ChatSurface => {
  const { transport, outbox, refs } = deps;
  const timezone = () => deps.config().timezone;

  const threadOf = (ref: CardRef): ConversationRef | undefined =>
    ref.thread === undefined ? undefined : decodeConversationRef(ref.thread);

  const reply = async (thread: ConversationRef, what: string, activity: OutboundActivity) => {
    const { teamsChannelId, threadRootId } = thread;
    if (teamsChannelId === undefined || threadRootId === undefined)
      throw new Error(`the stored reference of a hotfix thread has no channel or root (${what})`);
    return outbox.send(thread.conversationId, what, () =>
      transport.reply({ ...thread, teamsChannelId, threadRootId }, activity),
    );
  };

  const postOrUpdate = async (
    thread: ConversationRef,
    hotfixId: string,
    key: string,
    teamsCard: TeamsCard,
  ) => {
    const activity = cardMessage(teamsCard, `The ${key} message of ${hotfixId}`);
    const known = await refs.get(hotfixId, key);
    if (known !== null && known !== NO_ID) {
      await outbox.send(thread.conversationId, `update ${key}`, () =>
        transport.update(thread, known, activity),
      );
      return;
    }
    const posted = await reply(thread, key, activity);
    await refs.set(hotfixId, key, posted.id ?? NO_ID);
  };

  const stepPrompt = (
    thread: ConversationRef,
    state: HotfixState,
    runId: string,
    step: string,
    call: Call | null,
  ) => {
    const instruction = manualInstruction(deps.config(), state, runId, step);
    return postOrUpdate(
      thread,
      state.id,
      stepMessageKey(runId, step),
      renderManualStepPrompt(state, runId, step, {
        timezone: timezone(),
        now: deps.clock.now(),
        call,
        ...(instruction ? { instruction } : {}),
      }),
    );
  };

  const hotfixCard = async (state: HotfixState, thread?: ConversationRef) =>
    cardMessage(
      renderHotfixCard(state, {
        policy: deps.policy(),
        timezone: timezone(),
        now: deps.clock.now(),
        lockHolders: await deps.lockHolders(state.plan.services),
        ...(thread ? { links: await storedPromptLinks(refs, state, thread) } : {}),
      }),
      `The card of ${state.id}`,
    );

  /** Posts the record (its summary, the whole record behind a button) once. */
  const postRecord = async (thread: ConversationRef, state: HotfixState) => {
    if ((await refs.get(state.id, 'record')) !== null) return;
    const read = await readRecord(deps, state.id);
    if (read === null) return;
    // Older versions posted the summary as a reply of its own ('record-summary') before the whole record: a
    // thread left between the two by such a version gets only what it misses, not the summary again.
    const summaryPosted = (await refs.get(state.id, 'record-summary')) !== null;
    await reply(
      thread,
      'record',
      cardMessage(renderRecord(read, { summaryPosted }), `The record of ${state.id}`),
    );
    await refs.set(state.id, 'record', 'posted');
  };

  /** A stakeholder notice in each `teams.notify` channel or chat, once per channel (remembered like the record). */
  const postNotice = async (ref: CardRef, state: HotfixState, notice: Notice) => {
    const channels = deps.config().teams?.notify ?? [];
    if (channels.length === 0) return;
    const thread = threadOf(ref);
    const link =
      notice.linkThread && thread?.teamsChannelId !== undefined && thread.threadRootId !== undefined
        ? threadLink(thread.teamsChannelId, thread.threadRootId)
        : undefined;
    const activity = cardMessage(noticeCard(notice, link), `A notice of ${state.id}`);
    const serviceUrl = (await deps.learnedServiceUrl?.()) ?? deps.connector.serviceUrl;
    const where = { ...deps.connector, serviceUrl, channelId: 'msteams' };
    for (const channel of channels) {
      const key = noticeRefKey(notice, channel);
      if ((await refs.get(state.id, key)) !== null) continue;
      try {
        await outbox.send(
          channel,
          `notice ${notice.key}`,
          () =>
            isGroupChat(channel)
              ? transport.send({ ...where, conversationId: channel }, activity)
              : transport
                  .createThread({ ...where, teamsChannelId: channel }, activity)
                  .then((opened) => ({ id: opened.rootActivityId })),
          { idempotent: false },
        );
      } catch (error) {
        // A stakeholder channel's trouble never holds the incident thread: said, and tried again only if this
        // event's lines are retried for another reason.
        // A short wait (a rate window) is waited out; a channel blocked for long (not a member) is not.
        if (error instanceof RateLimited && error.retryAfterMs <= NOTICE_WAIT_MS) throw error;
        deps.log.warn({ hotfixId: state.id, channel, err: String(error) }, 'stakeholder notice not posted');
        continue;
      }
      await refs.set(state.id, key, 'posted');
    }
  };

  /** Besides its line, what an event changes in the thread (`threadFollowUp`). */
  const postFollowUp = async (
    thread: ConversationRef,
    after: HotfixState,
    followUp: ThreadFollowUp,
    call: Call | null,
  ): Promise<void> => {
    switch (followUp?.kind) {
      case 'step-prompt':
        if (
          !followUp.ifPosted ||
          (await refs.get(after.id, stepMessageKey(followUp.runId, followUp.step))) !== null
        )
          await stepPrompt(thread, after, followUp.runId, followUp.step, call);
        return;
      case 'vote':
        await postOrUpdate(
          thread,
          after.id,
          voteMessageKey(followUp.voteId),
          renderVoteMessage(after, followUp.voteId, {
            policy: deps.policy(),
            now: deps.clock.now(),
            timezone: timezone(),
          }),
        );
        return;
      case 'issue':
        if (followUp.opens || (await refs.get(after.id, issueMessageKey(followUp.issueId))) !== null)
          await postOrUpdate(
            thread,
            after.id,
            issueMessageKey(followUp.issueId),
            renderIssueMessage(after, followUp.issueId, { timezone: timezone() }),
          );
        return;
      case 'record':
        await postRecord(thread, after);
        return;
      case undefined:
        return;
    }
  };

  return {
    name: 'teams',

    async openCard(state): Promise<CardRef> {
      // Remembered as soon as Teams answers: a crash before the notifier saves its progress reuses the thread.
      const known = await refs.get(state.id, 'thread');
      if (known !== null) return { thread: known };
      if ((await refs.get(state.id, 'lost')) !== null) return { lost: state.id };
      const channel = deps.config().teams?.incident_channel;
      if (!channel) throw new Error('hotfix.yml has no teams.incident_channel');
      const serviceUrl = (await deps.learnedServiceUrl?.()) ?? deps.connector.serviceUrl;
      const where = { ...deps.connector, serviceUrl, channelId: 'msteams', teamsChannelId: channel };
      try {
        const opened = await outbox.send(
          channel,
          'open thread',
          async () => transport.createThread(where, await hotfixCard(state)),
          { idempotent: false },
        );
        const thread = encodeConversationRef({
          version: 1,
          ...where,
          conversationId: threadConversationId(channel, opened.rootActivityId),
          activityId: opened.rootActivityId,
          threadRootId: opened.rootActivityId,
        });
        await refs.set(state.id, 'thread', thread);
        return { thread };
      } catch (error) {
        if (!(error instanceof ConnectorCallError)) throw error;
        // No answer, or a gateway's 502/504: Teams may have opened the thread all the same.
        const timedOut = error.code === 'Timeout' || error.status === 502 || error.status === 504;
        if (timedOut && (await refs.get(state.id, 'opening')) === null) {
          // Teams may have opened it all the same, and no connector call finds a thread by its card: one
          // more try, so at worst a stale first card stays behind; a second timeout makes the hotfix lost.
          await refs.set(state.id, 'opening', `timed out ${deps.clock.now().toISOString()}`);
          deps.log.warn(
            { hotfixId: state.id, channel },
            'Teams did not answer in time when opening the hotfix thread: trying once more (if Teams opened it all the same, that first card stays behind, never edited)',
          );
          throw error;
        }
        if (error.status !== 202 && !timedOut) throw error;
        // Teams has (or may have) the card but not its id: another try would open a second thread.
        await refs.set(state.id, 'lost', deps.clock.now().toISOString());
        deps.log.warn(
          { hotfixId: state.id, channel },
          timedOut
            ? 'Teams did not answer in time when opening the hotfix thread, twice: not opening another; this hotfix gets no card edits or thread replies in Teams until someone clicks a button on its card there'
            : 'Teams took the hotfix card but gave no id back (202): not opening a second thread; this hotfix gets no card edits or thread replies in Teams until someone clicks a button on its card there',
        );
        return { lost: state.id };
      }
    },

    async updateCard(ref, state) {
      const thread = threadOf(ref);
      if (thread?.activityId === undefined) return;
      const { activityId } = thread;
      // Drawn once the outbox has a slot: while the channel's budget is spent, a dirty card costs no render.
      await outbox.send(thread.conversationId, 'update card', async () =>
        transport.update(thread, activityId, await hotfixCard(state, thread)),
      );
    },

    async retireCard(ref, state, note) {
      const thread = threadOf(ref);
      if (thread?.activityId === undefined) return;
      const { activityId } = thread;
      // The card's last drawing: no buttons, only where the hotfix is followed now.
      const summary = `🔀 ${state.id} · ${state.plan.issueId} — ${note}`;
      const notice = card([
        text(`🔀 ${userText(state.id, 60, true)} · ${userText(state.plan.issueId, 100, true)}`, {
          weight: 'bolder',
        }),
        text(userText(note, 1000, true)),
      ]);
      await outbox.send(thread.conversationId, 'retire card', () =>
        transport.update(
          thread,
          activityId,
          cardMessage({ card: notice, summary }, `The card of ${state.id}`),
        ),
      );
    },

    async postLine(ref, stored: StoredEvent, before, after, decided, command) {
      const thread = threadOf(ref);
      if (thread === undefined) return;
      const { event } = stored;
      // What the event changes beyond its line: the same rules as Slack's surface (src/bot/common/thread.ts).
      const followUp = threadFollowUp(event, after);
      // Before the line: a retry after a failed reply finds each notice already posted.
      const notice = noticeOf(event, { before, after, decided });
      if (notice) await postNotice(ref, after, notice);
      // An event may post more than one reply: a retry after a later one failed must not repeat the message.
      const lineDone = Number((await refs.get(after.id, 'line')) ?? 0) >= stored.position;
      const message = lineDone
        ? null
        : threadMessage(command, (item) => lineCallOf(item, deps.policy()), {
            stepLines: deps.config().thread?.step_lines ?? false,
          });
      if (message) {
        await reply(
          thread,
          event.type,
          cardMessage(renderThreadMessage(message, { timezone: timezone() }), `A line of ${after.id}`),
        );
        await refs.set(after.id, 'line', String(stored.position));
      }
      // A waiting manual step's prompt mentions who can confirm it.
      const promptCall = promptCallOf({ event, before, after, decided }, deps.policy());
      await postFollowUp(thread, after, followUp, promptCall);
      return { cardStale: opensPrompt(event, followUp), covered: lineDone || message !== null };
    },
  };
};
