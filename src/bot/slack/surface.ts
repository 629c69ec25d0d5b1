import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { ErrorCode } from '@slack/web-api';
import type { HotfixState } from '../../domain/hotfix/state.ts';
import type { CardRef, ChatSurface } from '../../notify/notifier.ts';
import { RateLimited } from '../../notify/notifier.ts';
import type { StoredEvent } from '../../service/ports.ts';
import { renderCard } from './blocks/card.ts';
import {
  renderIssueMessage,
  renderManualStepPrompt,
  renderThreadMessage,
  renderVoteMessage,
} from './blocks/thread.ts';
import { mention, userText } from './blocks/text.ts';
import type { BotDeps } from './deps.ts';
import { cardOptions } from './listeners/shared.ts';
import { asJson } from './web-api-json.ts';
import type { Notice } from '../common/notices.ts';
import { noticeOf, noticeRefKey } from '../common/notices.ts';
import { recordMarkdown } from '../common/record.ts';
import type { PromptLinks } from '../common/card.ts';
import { promptKeys } from '../common/card.ts';
import {
  issueMessageKey,
  lineCallOf,
  manualInstruction,
  opensPrompt,
  stepMessageKey,
  threadFollowUp,
  threadMessage,
  voteMessageKey,
} from '../common/thread.ts';
import type { ThreadFollowUp } from '../common/thread.ts';

/** Thread messages the surface edits later (a manual step's prompt, a vote), by hotfix and key. */
export interface MessageRefs {
  get(hotfixId: string, key: string): Promise<string | null>;
  set(hotfixId: string, key: string, value: string): Promise<void>;
}

export interface SlackSurfaceDeps extends Pick<
  BotDeps,
  'config' | 'policy' | 'clock' | 'lockHolders' | 'store' | 'log'
> {
  /** A client that rejects rate-limited calls instead of waiting: the notifier decides when to come back. */
  readonly client: WebClient;
  readonly refs: MessageRefs;
}

interface SlackError {
  readonly code?: string;
  readonly retryAfter?: number;
  readonly data?: { readonly error?: string };
}

/** Slack's 429 becomes RateLimited, so only this hotfix's chat output waits. */
const slack = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    const e = error as SlackError;
    if (e.code === ErrorCode.RateLimitedError) throw new RateLimited((e.retryAfter ?? 1) * 1000);
    throw error;
  }
};

/** Where the permalink of a thread message the surface posted (under `key`) is remembered. */
export const linkKey = (messageKey: string): string => `link:${messageKey}`;

/** The permalinks already found for the prompts that wait now (no call to Slack). */
export const storedPromptLinks = async (refs: MessageRefs, state: HotfixState): Promise<PromptLinks> => {
  const links: Record<string, string> = {};
  for (const key of promptKeys(state)) {
    const known = await refs.get(state.id, linkKey(key));
    if (known) links[key] = known;
  }
  return links;
};

/** The hotfix's own channel name: `hotfix-hf-12`. */
export const hotfixChannelName = (hotfixId: string): string =>
  `hotfix-${hotfixId.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`.slice(0, 80);

/** The incident channel's pointer to a hotfix's own channel; the plan's text is escaped (no `<!channel>`). */
export const channelAnnouncement = (state: HotfixState, channel: string): string =>
  `🚑 ${userText(state.id, 60, true)} · ${userText(state.plan.issueId, 100, true)} — ${userText(state.plan.summary, 200, true)}: follow it in <#${channel}>`;

/** How long a stakeholder notice may hold its hotfix's chat output when its channel asks us to wait. */
const NOTICE_WAIT_MS = 30_000;

/** A stakeholder notice as a Slack message: the headline, the details on one line, the thread's link. */
export const noticeText = (notice: Notice, link: string | undefined): string =>
  `${notice.emoji} *${userText(notice.headline, 300, true)}*\n${notice.details
    .map((d) => userText(d, 300, true))
    .join(' · ')}${link ? `\n<${link}|Open the incident thread>` : ''}`;

/**
 * Slack as the notifier's chat surface: the card in the incident channel (or in a channel of its own), one
 * thread line per milestone, a prompt with Confirm / Fail for each manual step, a live message per rollback
 * vote and one per logged issue (all edited when answered), and the deployment record as a Markdown file when the hotfix closes.
 */
export const createSlackSurface = (deps: SlackSurfaceDeps): ChatSurface => {
  const { client, refs } = deps;
  const timezone = () => deps.config().timezone;

  /**
   * A public channel named after the hotfix. Its name may be taken (another installation on this workspace, an
   * old channel of the same name, or our own from a sync that died before remembering it): the next free
   * `-2`…`-9` suffix, then a random one, so the card is never held back by a name.
   */
  const createChannel = async (hotfixId: string): Promise<string | undefined> => {
    const base = hotfixChannelName(hotfixId).slice(0, 72);
    const names = [base, ...Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`)];
    names.push(`${base}-${randomBytes(3).toString('hex')}`);
    for (const [i, name] of names.entries()) {
      try {
        const created = await slack(() => client.conversations.create({ name, is_private: false }));
        return created.channel?.id;
      } catch (error) {
        const e = error as SlackError;
        const taken = e.code === ErrorCode.PlatformError && e.data?.error === 'name_taken';
        if (!taken || i === names.length - 1) throw error;
      }
    }
    return undefined;
  };

  const cardChannel = async (state: HotfixState): Promise<string> => {
    const slackConfig = deps.config().slack;
    if (!slackConfig) throw new Error('hotfix.yml has no slack.incident_channel');
    if (!slackConfig.channel_per_hotfix) return slackConfig.incident_channel;
    const known = await refs.get(state.id, 'channel');
    if (known) return known;
    const channel = await createChannel(state.id);
    if (!channel) throw new Error(`conversations.create gave no channel for ${state.id}`);
    await refs.set(state.id, 'channel', channel);
    const people = new Set(
      [state.requester, ...Object.values(state.plan.resources).flat()]
        .filter((p) => p.platform === 'slack')
        .map((p) => p.id),
    );
    if (people.size > 0)
      await slack(() => client.conversations.invite({ channel, users: [...people].join(',') })).catch(
        (error: unknown) =>
          deps.log.warn({ hotfixId: state.id, err: String(error) }, 'could not invite people'),
      );
    await slack(() =>
      client.chat.postMessage({
        channel: slackConfig.incident_channel,
        text: channelAnnouncement(state, channel),
      }),
    );
    return channel;
  };

  const postOrUpdate = async (
    ref: CardRef,
    hotfixId: string,
    key: string,
    message: { text: string; blocks: unknown[] },
  ) => {
    const channel = ref.channel ?? '';
    const known = await refs.get(hotfixId, key);
    if (known) {
      await slack(() =>
        client.chat.update({ channel, ts: known, text: message.text, blocks: asJson(message.blocks) }),
      );
      return;
    }
    const posted = await slack(() =>
      client.chat.postMessage({
        channel,
        thread_ts: ref.ts ?? '',
        text: message.text,
        blocks: asJson(message.blocks),
      }),
    );
    if (posted.ts) await refs.set(hotfixId, key, posted.ts);
  };

  const stepPrompt = (ref: CardRef, state: HotfixState, runId: string, step: string) => {
    const instruction = manualInstruction(deps.config(), state, runId, step);
    return postOrUpdate(
      ref,
      state.id,
      stepMessageKey(runId, step),
      renderManualStepPrompt(state, runId, step, {
        policy: deps.policy(),
        timezone: timezone(),
        now: deps.clock.now(),
        ...(instruction ? { instruction } : {}),
      }),
    );
  };

  /**
   * The permalinks of the prompts the card links to now, each asked of Slack once and remembered. A prompt
   * not posted yet, or one Slack gives no link for (a rate limit, an outage), is left out: the card then says
   * "in the thread", and the link is asked again when the card is next drawn.
   */
  const promptLinks = async (ref: CardRef, state: HotfixState): Promise<PromptLinks> => {
    const links: Record<string, string> = {};
    for (const key of promptKeys(state)) {
      const known = await refs.get(state.id, linkKey(key));
      if (known) {
        links[key] = known;
        continue;
      }
      const ts = await refs.get(state.id, key);
      if (!ts || !ref.channel) continue;
      const { channel } = ref;
      try {
        const found = await slack(() => client.chat.getPermalink({ channel, message_ts: ts }));
        if (!found.permalink) continue;
        await refs.set(state.id, linkKey(key), found.permalink);
        links[key] = found.permalink;
      } catch (error) {
        deps.log.warn({ hotfixId: state.id, key, err: String(error) }, 'no link to a prompt for the card');
      }
    }
    return links;
  };

  /** A stakeholder notice in each `slack.notify` channel, once per channel (remembered like the record). */
  const postNotice = async (ref: CardRef, state: HotfixState, notice: Notice) => {
    const channels = deps.config().slack?.notify ?? [];
    if (channels.length === 0) return;
    let link: string | undefined;
    if (notice.linkThread && ref.channel && ref.ts) {
      const { channel, ts } = ref;
      link = await slack(() => client.chat.getPermalink({ channel, message_ts: ts })).then(
        (found) => found.permalink,
        (error: unknown) => {
          if (error instanceof RateLimited) throw error;
          deps.log.warn({ hotfixId: state.id, err: String(error) }, 'no link to the hotfix thread');
          return undefined;
        },
      );
    }
    const text = noticeText(notice, link);
    for (const channel of channels) {
      const key = noticeRefKey(notice, channel);
      if (await refs.get(state.id, key)) continue;
      try {
        await slack(() => client.chat.postMessage({ channel, text, unfurl_links: false }));
      } catch (error) {
        // A stakeholder channel's trouble (the bot not in it, archived) never holds the incident thread: said,
        // and tried again only if this event's lines are retried for another reason.
        // A short wait (a rate window) is waited out; a channel blocked for long (not a member) is not.
        if (error instanceof RateLimited && error.retryAfterMs <= NOTICE_WAIT_MS) throw error;
        deps.log.warn({ hotfixId: state.id, channel, err: String(error) }, 'stakeholder notice not posted');
        continue;
      }
      await refs.set(state.id, key, 'posted');
    }
  };

  /** Besides its line, what an event changes in the thread (`threadFollowUp`). */
  const followUp = async (ref: CardRef, after: HotfixState, next: ThreadFollowUp): Promise<void> => {
    switch (next?.kind) {
      case 'step-prompt':
        if (!next.ifPosted || (await refs.get(after.id, stepMessageKey(next.runId, next.step))))
          await stepPrompt(ref, after, next.runId, next.step);
        return;
      case 'vote':
        await postOrUpdate(
          ref,
          after.id,
          voteMessageKey(next.voteId),
          renderVoteMessage(after, next.voteId, {
            policy: deps.policy(),
            now: deps.clock.now(),
            timezone: timezone(),
          }),
        );
        return;
      case 'issue':
        if (next.opens || (await refs.get(after.id, issueMessageKey(next.issueId))))
          await postOrUpdate(
            ref,
            after.id,
            issueMessageKey(next.issueId),
            renderIssueMessage(after, next.issueId, { timezone: timezone() }),
          );
        return;
      case 'record': {
        if (await refs.get(after.id, 'record')) return;
        const markdown = await recordMarkdown(deps, after.id);
        if (markdown === null) return;
        await slack(() =>
          client.files.uploadV2({
            channel_id: ref.channel ?? '',
            thread_ts: ref.ts ?? '',
            filename: `${after.id}-deployment-record.md`,
            title: `${after.id} deployment record`,
            content: markdown,
            initial_comment: `📄 Deployment record of ${after.id}, signed off by ${
              Object.values(after.signoffs)
                .map((s) => mention(s.by))
                .join(', ') || 'nobody'
            }.`,
          }),
        );
        await refs.set(after.id, 'record', 'posted');
        return;
      }
      default:
        return;
    }
  };

  return {
    name: 'slack',

    async openCard(state) {
      const channel = await cardChannel(state);
      const card = renderCard(state, await cardOptions(deps, state));
      const posted = await slack(() =>
        client.chat.postMessage({ channel, text: card.text, blocks: asJson(card.blocks) }),
      );
      if (!posted.ts) throw new Error(`chat.postMessage gave no ts for ${state.id}`);
      return { channel: posted.channel ?? channel, ts: posted.ts };
    },

    async updateCard(ref, state) {
      const options = await cardOptions({ ...deps, promptLinks: (s) => promptLinks(ref, s) }, state);
      const card = renderCard(state, options);
      await slack(() =>
        client.chat.update({
          channel: ref.channel ?? '',
          ts: ref.ts ?? '',
          text: card.text,
          blocks: asJson(card.blocks),
        }),
      );
    },

    async retireCard(ref, state, note) {
      // The card's last drawing: no buttons, only where the hotfix is followed now.
      const text = `🔀 ${userText(state.id, 60, true)} · ${userText(state.plan.issueId, 100, true)} — ${userText(note, 1000, true)}`;
      await slack(() =>
        client.chat.update({
          channel: ref.channel ?? '',
          ts: ref.ts ?? '',
          text,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
        }),
      );
    },

    async postLine(ref, stored: StoredEvent, before, after, decided, command) {
      const { event } = stored;
      const next = threadFollowUp(event, after);
      // Before the line: a retry after a failed line or follow-up finds each notice already posted.
      const notice = noticeOf(event, { before, after, decided });
      if (notice) await postNotice(ref, after, notice);
      const message = threadMessage(command, (item) => lineCallOf(item, deps.policy()), {
        stepLines: deps.config().thread?.step_lines ?? false,
      });
      if (message) {
        const drawn = renderThreadMessage(message, { timezone: timezone() });
        await slack(() =>
          client.chat.postMessage({
            channel: ref.channel ?? '',
            thread_ts: ref.ts ?? '',
            text: drawn.text,
            blocks: asJson(drawn.blocks),
          }),
        );
      }
      await followUp(ref, after, next);
      return { cardStale: opensPrompt(event, next), covered: message !== null };
    },
  };
};
