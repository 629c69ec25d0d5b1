import type {
  ActivityJson,
  Delivered,
  StandInActivity,
  TeamsDelivery,
  TeamsStandIn,
} from '../teams-stand-in/index.ts';
import { TeamsDeliveryError } from '../teams-stand-in/index.ts';
import type { Person } from './workspace.ts';
import { teamsIdOf } from './teams-tenant.ts';

/** What the playground needs of Teams: the stand-in it shows, the delivery it acts through, the channel. */
export interface PlaygroundTeams {
  readonly standIn: TeamsStandIn;
  /** Builds each activity as Teams would and posts it to the app's /api/messages. */
  readonly delivery: Pick<TeamsDelivery, 'mention' | 'personal' | 'execute' | 'submit' | 'taskSubmit'>;
  /** The incident channel's id (`19:…@thread.tacv2`). */
  readonly channel: string;
}

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

type Json = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One message of the Teams channel as the page draws it. */
export interface TeamsViewMessage {
  readonly id: string;
  readonly author: { readonly name: string; readonly bot: boolean };
  /** ISO time it was posted. */
  readonly time: string;
  readonly edited: boolean;
  readonly text?: string;
  /** `plain` or `markdown` (Teams' default). */
  readonly textFormat: string;
  /** The attachments as the acting person sees them (an answer card in place of the posted card). */
  readonly attachments: readonly Json[];
  /** True while the acting person sees the card the app answered their click with, not the posted one. */
  readonly answered: boolean;
}

export interface TeamsViewThread {
  readonly root: TeamsViewMessage;
  readonly replies: readonly TeamsViewMessage[];
}

/** The Teams view of one person: the channel's threads, and the dialog they have open. */
export interface TeamsViewState {
  readonly channel: { readonly id: string; readonly name: string };
  readonly bot: string;
  /** The acting person's Teams id; undefined when the config gives them none (the view is read-only). */
  readonly as: string | undefined;
  readonly threads: readonly TeamsViewThread[];
  /** The person's 1:1 chat with the bot, oldest first (empty until they write in it). */
  readonly chat: readonly TeamsViewMessage[];
  readonly dialog?: { readonly title: string; readonly card: Json; readonly width?: unknown };
}

/** What an act in the Teams view answered, for the page: a notice to show, a field's errors… */
export interface TeamsAnswer {
  readonly ok: true;
  readonly status?: number;
  readonly notice?: string;
  /** True when the answer opened (or kept open) a dialog. */
  readonly dialog?: boolean;
}

/** A refusal to act, with the HTTP status the playground answers. */
export class TeamsRefusal extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Every action of a list of attachments, depth first, in the order JSON keeps them: the page walks a card the
 * same way to name the clicked action by its position.
 */
export const actionsIn = (value: unknown): Json[] => {
  if (Array.isArray(value)) return value.flatMap(actionsIn);
  if (!isObject(value)) return [];
  const own = typeof value.type === 'string' && value.type.startsWith('Action.') ? [value] : [];
  return [...own, ...Object.values(value).flatMap(actionsIn)];
};

/** The ids of a card's inputs (`Input.*` elements), wherever they sit. */
export const inputIdsIn = (value: unknown): Set<string> => {
  const ids = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    if (typeof node.type === 'string' && node.type.startsWith('Input.') && typeof node.id === 'string')
      ids.add(node.id);
    Object.values(node).forEach(walk);
  };
  walk(value);
  return ids;
};

const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length === b.id.length ? a.id.localeCompare(b.id) : a.id.length - b.id.length;

interface AnswerCard {
  readonly card: Json;
  /** How many edits the posted card had when the answer came: the next edit ends the answer. */
  readonly edits: number;
}

interface OpenDialog {
  readonly title: string;
  readonly card: Json;
  readonly width?: unknown;
  /** The message whose button opened it: its submit is an invoke on that message. */
  readonly activityId: string;
}

/**
 * The Teams side of the playground: the incident channel read from the Bot Connector stand-in, and what one
 * person sees besides (the card an `Action.Execute` answered with, for them alone until the card's next edit;
 * the dialog a `task/fetch` opened). Every act goes to the app through the delivery, built as Teams builds it.
 */
export const createTeamsView = (teams: PlaygroundTeams, people: readonly Person[]) => {
  const { standIn, delivery, channel } = teams;
  const answers = new Map<string, Map<string, AnswerCard>>();
  const dialogs = new Map<string, OpenDialog>();
  const nameOf = (author: string): string =>
    author === 'bot'
      ? standIn.tenant.bot.name
      : (standIn.user(author)?.name ?? people.find((p) => teamsIdOf(p) === author)?.name ?? author);

  const teamsUser = (person: Person): string => {
    const id = teamsIdOf(person);
    if (id === undefined || standIn.user(id) === undefined)
      throw new TeamsRefusal(
        `${person.name} has no Teams id in hotfix.yml, so they cannot act in the Teams view (give them one: people.<handle>.teams)`,
      );
    return id;
  };

  /** The person's 1:1 chat with the bot, if they have one yet (reading never opens one). */
  const chatOf = (person: Person) => {
    const id = teamsIdOf(person);
    const user = id === undefined ? undefined : standIn.user(id);
    return user === undefined
      ? undefined
      : standIn.conversations().find((c) => c.kind === 'personal' && c.user === user.aadObjectId);
  };

  /** A message the person can act on: in the incident channel, or in their own 1:1 chat. */
  const visible = (person: Person, activityId: string): StandInActivity => {
    const activity = standIn.activity(activityId);
    if (
      activity !== undefined &&
      (activity.conversation === channel || activity.conversation === chatOf(person)?.id)
    )
      return activity;
    throw new TeamsRefusal(
      `there is no message ${activityId} in the channel or your chat (the page may be out of date)`,
    );
  };

  const answerFor = (person: Person, activity: StandInActivity): Json | undefined => {
    const mine = answers.get(person.id);
    const answer = mine?.get(activity.id);
    if (answer === undefined) return undefined;
    if (answer.edits === activity.history.length) return answer.card;
    mine?.delete(activity.id);
    return undefined;
  };

  const attachmentsOf = (activity: ActivityJson): Json[] =>
    Array.isArray(activity.attachments) ? activity.attachments.filter(isObject) : [];

  /** The attachments `person` sees on a message: the answer card in place of the first card, if any. */
  const seen = (person: Person, activity: StandInActivity): Json[] => {
    const posted = attachmentsOf(activity.activity);
    const answer = answerFor(person, activity);
    if (answer === undefined) return posted;
    const first = posted.findIndex((a) => a.contentType === ADAPTIVE);
    const swapped = { contentType: ADAPTIVE, content: answer };
    return first < 0 ? [swapped, ...posted] : posted.map((a, i) => (i === first ? swapped : a));
  };

  const message = (person: Person, activity: StandInActivity): TeamsViewMessage => {
    const { text, textFormat } = activity.activity;
    const answered = answerFor(person, activity) !== undefined;
    return {
      id: activity.id,
      author: { name: nameOf(activity.author), bot: activity.author === 'bot' },
      time: activity.createdAt.toISOString(),
      edited: activity.updatedAt !== undefined,
      ...(typeof text === 'string' && text !== '' ? { text } : {}),
      textFormat: typeof textFormat === 'string' ? textFormat : 'markdown',
      attachments: seen(person, activity),
      answered,
    };
  };

  const state = (person: Person): TeamsViewState => {
    const all = standIn.activities(channel).sort(byId);
    const roots = all.filter((a) => a.threadId === undefined || a.threadId === a.id);
    const dialog = dialogs.get(person.id);
    const id = teamsIdOf(person);
    const chat = chatOf(person);
    return {
      channel: {
        id: channel,
        name: standIn.tenant.channels.find((c) => c.id === channel)?.name ?? 'General',
      },
      bot: standIn.tenant.bot.name,
      as: id !== undefined && standIn.user(id) !== undefined ? id : undefined,
      threads: roots.map((root) => ({
        root: message(person, root),
        replies: all.filter((a) => a.threadId === root.id && a.id !== root.id).map((a) => message(person, a)),
      })),
      chat:
        chat === undefined
          ? []
          : standIn
              .activities(chat.id)
              .sort(byId)
              .map((a) => message(person, a)),
      ...(dialog === undefined
        ? {}
        : {
            dialog: {
              title: dialog.title,
              card: dialog.card,
              ...(dialog.width === undefined ? {} : { width: dialog.width }),
            },
          }),
    };
  };

  /** Posts to the app; refusals of the delivery are bad input, an unreachable app is a 502. */
  const deliver = async (what: string, call: () => Promise<Delivered>): Promise<Delivered> => {
    let delivered: Delivered;
    try {
      delivered = await call();
    } catch (error) {
      if (error instanceof TeamsDeliveryError)
        throw new TeamsRefusal(error.message, error.cause === undefined ? 400 : 502);
      throw error;
    }
    if (delivered.status >= 300)
      throw new TeamsRefusal(
        `The app answered ${what} with HTTP ${delivered.status}: Teams would show "Something went wrong"`,
        502,
      );
    return delivered;
  };

  /** What an invoke's answer means for the person: a card for them alone, a dialog, or a line to show. */
  const settle = (person: Person, activityId: string, delivered: Delivered): TeamsAnswer => {
    const body = delivered.body;
    const name = delivered.activity.name;
    if (name === 'adaptiveCard/action' && isObject(body)) {
      if (body.type === ADAPTIVE && isObject(body.value)) {
        const posted = standIn.activity(activityId);
        const mine = answers.get(person.id) ?? new Map<string, AnswerCard>();
        answers.set(person.id, mine);
        mine.set(activityId, { card: body.value, edits: posted?.history.length ?? 0 });
        return { ok: true, status: delivered.status };
      }
      if (typeof body.value === 'string') return { ok: true, status: delivered.status, notice: body.value };
    }
    if (name === 'task/fetch' || name === 'task/submit') {
      const task = isObject(body) && isObject(body.task) ? body.task : undefined;
      const value = task?.value;
      if (
        task?.type === 'continue' &&
        isObject(value) &&
        isObject(value.card) &&
        isObject(value.card.content)
      ) {
        dialogs.set(person.id, {
          title: typeof value.title === 'string' ? value.title : '',
          card: value.card.content,
          width: value.width,
          activityId,
        });
        return { ok: true, status: delivered.status, dialog: true };
      }
      dialogs.delete(person.id);
      if (task?.type === 'message' && typeof value === 'string')
        return { ok: true, status: delivered.status, notice: value };
    }
    return { ok: true, status: delivered.status };
  };

  const checkInputs = (inputs: Readonly<Record<string, string>>, card: unknown) => {
    const known = inputIdsIn(card);
    const unknown = Object.keys(inputs).filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new TeamsRefusal(`the card has no input ${unknown.map((id) => JSON.stringify(id)).join(', ')}`);
  };

  return {
    state,
    /**
     * A message typed in a compose box. In the channel, `@hotfix …` reaches the app (with the mention Teams puts
     * in) and other words only the channel; in the 1:1 chat everything reaches the app, no mention needed.
     */
    async send(
      person: Person,
      input: {
        readonly text: string;
        readonly threadId?: string | undefined;
        readonly to: 'channel' | 'chat';
      },
    ) {
      const user = teamsUser(person);
      const mention = /^@hotfix\b\s*([\s\S]*)$/i.exec(input.text);
      if (input.to === 'chat') {
        if (input.threadId !== undefined) throw new TeamsRefusal('a 1:1 chat has no threads');
        const text = mention === null ? input.text : (mention[1] ?? '');
        const delivered = await deliver('the message', () => delivery.personal({ user, text }));
        return { ok: true, status: delivered.status } as const;
      }
      if (input.threadId !== undefined) {
        const root = standIn.activity(input.threadId);
        if (root?.conversation !== channel || root.threadId !== root.id)
          throw new TeamsRefusal(
            `there is no thread ${input.threadId} in the channel (the page may be out of date)`,
          );
      }
      const where = input.threadId === undefined ? {} : { threadId: input.threadId };
      if (mention === null) {
        // No mention: Teams does not send it to the bot; it is only a post in the channel.
        standIn.postAsUser({
          user,
          conversation: channel,
          ...where,
          activity: { type: 'message', text: input.text, textFormat: 'plain' },
        });
        return { ok: true } as const;
      }
      const delivered = await deliver('the message', () =>
        delivery.mention({ user, text: mention[1] ?? '', channel, ...where }),
      );
      return { ok: true, status: delivered.status } as const;
    },
    /** A click on the `index`-th action of a message as the person sees it (see `actionsIn`). */
    async act(
      person: Person,
      input: {
        readonly activityId: string;
        readonly index: number;
        readonly inputs: Readonly<Record<string, string>>;
      },
    ): Promise<TeamsAnswer> {
      const user = teamsUser(person);
      const activity = visible(person, input.activityId);
      const attachments = seen(person, activity);
      const action = actionsIn(attachments)[input.index];
      if (action === undefined)
        throw new TeamsRefusal(`the card has no action #${input.index} (the page may be out of date)`);
      checkInputs(input.inputs, attachments);
      const data = isObject(action.data) ? action.data : {};
      if (action.type === 'Action.Execute' && typeof action.verb === 'string') {
        const verb = action.verb;
        const delivered = await deliver('the click', () =>
          delivery.execute({ user, activityId: activity.id, verb, inputs: { ...data, ...input.inputs } }),
        );
        return settle(person, activity.id, delivered);
      }
      if (action.type === 'Action.Submit') {
        const ref =
          typeof action.id === 'string' ? action.id : typeof action.title === 'string' ? action.title : '';
        const delivered = await deliver('the click', () =>
          delivery.submit({
            user,
            activityId: activity.id,
            action: ref,
            inputs: { ...data, ...input.inputs },
          }),
        );
        return settle(person, activity.id, delivered);
      }
      throw new TeamsRefusal(`a ${String(action.type)} does not go to the app`);
    },
    /** The submit button (`index`-th action) of the person's open dialog: a `task/submit` invoke. */
    async submitDialog(
      person: Person,
      input: { readonly index: number; readonly inputs: Readonly<Record<string, string>> },
    ): Promise<TeamsAnswer> {
      const user = teamsUser(person);
      const dialog = dialogs.get(person.id);
      if (dialog === undefined)
        throw new TeamsRefusal(`${person.name} has no dialog open (the page may be out of date)`);
      const action = actionsIn(dialog.card)[input.index];
      if (action?.type !== 'Action.Submit' && action?.type !== 'Action.Execute')
        throw new TeamsRefusal(`the dialog has no submit action #${input.index}`);
      checkInputs(input.inputs, dialog.card);
      const data = { ...(isObject(action.data) ? action.data : {}), ...input.inputs };
      const delivered = await deliver('the dialog', () =>
        delivery.taskSubmit({ user, activityId: dialog.activityId, data }),
      );
      return settle(person, dialog.activityId, delivered);
    },
    /** Cancel or ✕: Teams closes the dialog and tells the bot nothing. */
    closeDialog(person: Person): TeamsAnswer {
      dialogs.delete(person.id);
      return { ok: true };
    },
  };
};

export type TeamsView = ReturnType<typeof createTeamsView>;
