import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createChannel, createSession } from 'better-sse';
import { z } from 'zod';
import type { SlackStandIn } from '../slack-stand-in/index.ts';
import type { Delivered, PlaygroundDelivery } from './delivery.ts';
import { DELIVERABLE_ELEMENTS, isDeliveryRefusal } from './delivery.ts';
import type { Fragments } from './page.ts';
import { renderFragments, renderPage } from './page.ts';
import type { Snapshot } from './render/surfaces.ts';
import { readSubmission } from './submission.ts';
import type { PlaygroundTeams, TeamsViewState } from './teams-view.ts';
import { TeamsRefusal, createTeamsView } from './teams-view.ts';
import type { Person } from './workspace.ts';

/** What the playground logs through (pino's shape). */
export interface PlaygroundLog {
  warn(details: object, message: string): void;
}

export interface PlaygroundOptions {
  /** The running stand-in the app's Web API calls go to: the page shows its state. */
  readonly standIn: SlackStandIn;
  /** Sends the page's commands, clicks and submits to the app, signed. */
  readonly delivery: PlaygroundDelivery;
  /** Who the page can act as (see `workspaceFromConfig`); the first is the default. */
  readonly people: readonly Person[];
  /** The incident channel's id. */
  readonly channel: string;
  /** The Teams view beside Slack's: the Bot Connector stand-in, the delivery into the app, the channel. */
  readonly teams?: PlaygroundTeams;
  readonly log: PlaygroundLog;
}

/** A node:http handler: true when it handled the request (a path under /playground), false otherwise. */
export interface PlaygroundHandler {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops listening to the stand-in and ends the live-update streams. */
  close(): void;
}

/** What `GET /playground/api/state` answers. */
export interface PlaygroundState extends Omit<Snapshot, 'botUserId' | 'botName'> {
  /** Grows with every change the stand-in reports; the page refetches when it moved. */
  readonly version: number;
  readonly bot: { readonly userId: string; readonly name: string };
  readonly html: Fragments;
  /** The Teams channel as the acting person sees it (the page renders its cards); absent without Teams. */
  readonly teams?: TeamsViewState;
}

export const BASE = '/playground';
const MAX_BODY_BYTES = 256 * 1024;
const INPUT_CHARS = 10_000;

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url));
const JS = 'text/javascript; charset=utf-8';
const ASSETS: Readonly<Record<string, { readonly type: string; readonly load: () => Buffer }>> = {
  'playground.js': { type: JS, load: () => asset('playground.js') },
  'teams.js': { type: JS, load: () => asset('teams.js') },
  'playground.css': { type: 'text/css; charset=utf-8', load: () => asset('playground.css') },
  'teams-hostconfig-light.json': {
    type: 'application/json; charset=utf-8',
    load: () => asset('teams-hostconfig-light.json'),
  },
  // Microsoft's renderer, served from the installed package (no CDN): the page draws Teams' cards with it.
  'adaptivecards.js': {
    type: JS,
    load: () =>
      readFileSync(createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js')),
  },
};

/** Bad input from the page: answered 400 with the message. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly status = 400,
  ) {
    super(message);
  }
}

const text = z.string().max(3000);
const id = (what: string, pattern: RegExp) =>
  z.string({ error: `${what} is required` }).regex(pattern, { error: `${what} is malformed` });
const viewId = id('viewId', /^V[A-Z0-9]{1,40}$/);
const selection = z.union([text, z.array(text).max(100)]);
/** A Teams message id (epoch milliseconds, as Teams' are). */
const messageId = (what: string) => id(what, /^\d{1,20}$/);
const actionIndex = z.int({ error: 'index (which action of the card) is required' }).min(0).max(999);
/** A card's inputs as the renderer reads them: input id → value, as Teams sends them (strings). */
const inputs = z.record(z.string().min(1).max(255), z.string().max(INPUT_CHARS)).default({});

const schemas = (people: readonly Person[]) => {
  const known = people.map((p) => p.id);
  const as = z.string({ error: '"as" (who is acting) is required' }).refine((user) => known.includes(user), {
    error: (iss) => `unknown person ${JSON.stringify(iss.input)}: the playground knows ${known.join(', ')}`,
  });
  return {
    command: z.strictObject({
      as,
      text: z.string().trim().min(1, { error: 'type a /hotfix command or a message' }).max(4000),
    }),
    act: z
      .strictObject({
        as,
        channel: id('channel', /^[CGD][A-Z0-9]{1,40}$/).optional(),
        ts: id('ts', /^\d{1,12}\.\d{1,6}$/).optional(),
        viewId: viewId.optional(),
        actionId: z.string().min(1).max(255),
        blockId: z.string().min(1).max(255).optional(),
        selected: selection.optional(),
      })
      .refine((b) => (b.viewId === undefined) !== (b.channel === undefined && b.ts === undefined), {
        error: 'act on a message (channel and ts) or on a view (viewId)',
      })
      .refine((b) => b.viewId !== undefined || (b.channel !== undefined && b.ts !== undefined), {
        error: 'a message is named by channel and ts',
      }),
    submit: z.strictObject({
      as,
      viewId,
      values: z
        .record(
          z.string().min(1).max(255),
          z.record(z.string().min(1).max(255), z.union([selection, z.null()])),
        )
        .default({}),
    }),
    close: z.strictObject({ as, viewId }),
    home: z.strictObject({ as }),
    teamsSend: z.strictObject({
      as,
      text: z.string().trim().min(1, { error: 'type @hotfix and a command, or a message' }).max(4000),
      threadId: messageId('threadId').optional(),
      /** The incident channel (default) or the person's 1:1 chat with the bot. */
      to: z.enum(['channel', 'chat']).default('channel'),
    }),
    teamsAct: z.strictObject({ as, activityId: messageId('activityId'), index: actionIndex, inputs }),
    teamsSubmit: z.strictObject({ as, index: actionIndex, inputs }),
    teamsClose: z.strictObject({ as }),
  };
};

const parse = <T extends z.ZodType>(schema: T, body: unknown): z.output<T> => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new BadRequest(z.prettifyError(parsed.error).replace(/^✖ /gm, ''));
  return parsed.data;
};

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new BadRequest('send JSON (content-type: application/json)', {}, 415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`request body over ${MAX_BODY_BYTES} bytes`, {}, 413);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadRequest('the body is not valid JSON');
  }
};

const escapeForSlack = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
};
const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

/** An answer the app gave that Slack would not show as intended: said plainly on the page. */
const appFailure = (delivered: Delivered): string | undefined => {
  if (delivered.ackError !== undefined)
    return `Slack could not use the app's answer: ${delivered.ackError.error}${
      delivered.ackError.messages.length > 0 ? ` (${delivered.ackError.messages.join('; ')})` : ''
    }`;
  if (delivered.status !== 200)
    return `The app answered HTTP ${delivered.status}: Slack would show "dispatch_failed".`;
  return undefined;
};

/**
 * The local playground: a page at /playground showing the incident channel, the acting person's ephemerals,
 * modals and Home tab as the stand-in holds them, with a JSON API the page's script posts clicks, submits and
 * commands to; each goes to the app through `delivery`, signed as Slack would send it. Live updates are
 * server-sent events at /playground/events (the page polls when they fail).
 */
export const createPlayground = (options: PlaygroundOptions): PlaygroundHandler => {
  const { standIn, delivery, people, channel, log, teams } = options;
  if (people.length === 0) throw new Error('createPlayground: the config names no Slack people to act as');
  const bodies = schemas(people);
  const assets = new Map(Object.entries(ASSETS).map(([name, a]) => [name, { type: a.type, body: a.load() }]));
  const personOf = (user: string): Person => people.find((p) => p.id === user) ?? (people[0] as Person);

  let version = 0;
  let pending = false;
  const live = createChannel();
  const streams = new Set<ServerResponse>();
  const changed = () => {
    version += 1;
    if (pending) return;
    pending = true;
    // One event per burst of changes (a card edit and its thread line arrive together).
    setImmediate(() => {
      pending = false;
      live.broadcast(version, 'change');
    });
  };
  const teamsView = teams === undefined ? undefined : createTeamsView(teams, people);
  const unsubscribe = [
    standIn.on('message', changed),
    standIn.on('view', changed),
    ...(teams === undefined
      ? []
      : [teams.standIn.on('posted', changed), teams.standIn.on('updated', changed)]),
  ];
  const requireTeams = () => {
    if (teamsView === undefined) throw new BadRequest('this playground has no Teams view', {}, 404);
    return teamsView;
  };
  /** An act in the Teams view: its refusals are answered with their status; a change in what one person sees. */
  const inTeams = async <T extends object>(act: (view: NonNullable<typeof teamsView>) => Promise<T> | T) => {
    try {
      const answer = await act(requireTeams());
      // An answer card or a dialog is no change in the stand-in: the page is told anyway.
      changed();
      return answer as Record<string, unknown>;
    } catch (error) {
      if (error instanceof TeamsRefusal) throw new BadRequest(error.message, {}, error.status);
      throw error;
    }
  };

  const snapshot = (user: string): Snapshot => ({
    as: personOf(user),
    people,
    channel: { id: channel, name: standIn.channel(channel)?.name ?? channel },
    botUserId: standIn.workspace.bot.userId,
    botName: standIn.workspace.bot.name,
    messages: standIn.messages(channel),
    ephemerals: standIn.ephemerals(user).filter((e) => e.channel === channel),
    modals: standIn.views.stack(user),
    home: standIn.views.home(user),
  });

  const state = (user: string): PlaygroundState => {
    const { botUserId, botName, ...rest } = snapshot(user);
    return {
      version,
      ...rest,
      bot: { userId: botUserId, name: botName },
      html: renderFragments(snapshot(user)),
      ...(teamsView === undefined ? {} : { teams: teamsView.state(personOf(user)) }),
    };
  };

  /** Someone only on Teams cannot act in the Slack view: said plainly, nothing is sent. */
  const slackUser = (user: string): string => {
    const person = personOf(user);
    if (person.slackId === undefined)
      throw new BadRequest(
        `${person.name} has no Slack id in hotfix.yml, so they cannot act in the Slack view (give them one: people.${person.name}.slack)`,
      );
    return person.slackId;
  };

  const requireView = (user: string, view: string, top = false) => {
    const stack = standIn.views.stack(user);
    const found = top ? stack.at(-1) : (stack.find((v) => v.view.id === view) ?? standIn.views.home(user));
    if (found?.view.id !== view)
      throw new BadRequest(
        `view ${view} is not open for ${personOf(user).name} (the page may be out of date)`,
      );
    return found;
  };

  /** Sends to the app; the delivery's refusals are bad input, a failed connection is the app's problem. */
  const deliver = async (what: string, call: () => Promise<Delivered | undefined>) => {
    let delivered: Delivered | undefined;
    try {
      delivered = await call();
    } catch (error) {
      if (isDeliveryRefusal(error)) throw new BadRequest(error.message);
      log.warn({ err: error }, `playground: ${what} did not reach the app`);
      throw new BadRequest(`The app did not answer: ${(error as Error).message}`, {}, 502);
    }
    if (delivered === undefined) return { ok: true };
    const failure = appFailure(delivered);
    if (failure !== undefined) throw new BadRequest(failure, { status: delivered.status }, 502);
    return { ok: true, status: delivered.status, ...(delivered.errors ? { errors: delivered.errors } : {}) };
  };

  const api: Readonly<Record<string, (body: unknown) => Promise<Record<string, unknown>>>> = {
    async command(body) {
      const { as, text } = parse(bodies.command, body);
      slackUser(as);
      if (!text.startsWith('/')) {
        // Plain words are a message in the channel, as in Slack; the app is not told (it does not listen).
        // Slack's client escapes what people type, so `<@U…>` typed by hand stays text.
        standIn.postAsUser({ channel, user: as, text: escapeForSlack(text) });
        return { ok: true };
      }
      const [, command = '', rest = ''] = /^(\S+)\s*([\s\S]*)$/.exec(text) ?? [];
      if (command !== '/hotfix')
        throw new BadRequest(
          `${command} is not a valid command. In the playground, the app's command is /hotfix.`,
        );
      return deliver('a command', () => delivery.command({ user: as, channel, text: rest }));
    },
    async act(body) {
      const { as, viewId: view, channel: where, ...rest } = parse(bodies.act, body);
      slackUser(as);
      if (view !== undefined) requireView(as, view);
      else if (where !== channel) throw new BadRequest(`the playground shows only channel ${channel}`);
      return deliver('an action', () =>
        delivery.act({ user: as, ...rest, ...(view === undefined ? { channel: where } : { viewId: view }) }),
      );
    },
    async submit(body) {
      const { as, viewId: view, values } = parse(bodies.submit, body);
      slackUser(as);
      const open = requireView(as, view, true);
      const read = readSubmission(open.view, values, DELIVERABLE_ELEMENTS);
      if (!read.ok) throw new BadRequest(read.message, { fields: read.errors });
      const answer = await deliver('a view submission', () =>
        delivery.submitView({ user: as, viewId: view, values: read.values }),
      );
      return read.dropped.length === 0
        ? answer
        : {
            ...answer,
            notice: `The stand-in cannot send these fields yet, so they were left empty: ${read.dropped.join(', ')}`,
          };
    },
    async close(body) {
      const { as, viewId: view } = parse(bodies.close, body);
      slackUser(as);
      requireView(as, view);
      return deliver('closing a view', () => delivery.closeView({ user: as, viewId: view }));
    },
    async home(body) {
      const { as } = parse(bodies.home, body);
      slackUser(as);
      return deliver('app_home_opened', () =>
        delivery.event({
          user: as,
          event: { type: 'app_home_opened', user: as, channel: as, tab: 'home', ...homeView(as) },
        }),
      );
    },
  };

  const teamsApi: Readonly<Record<string, (body: unknown) => Promise<Record<string, unknown>>>> = {
    'teams/send': async (body) => {
      const { as, ...input } = parse(bodies.teamsSend, body);
      return inTeams((view) => view.send(personOf(as), input));
    },
    'teams/act': async (body) => {
      const { as, ...input } = parse(bodies.teamsAct, body);
      return inTeams((view) => view.act(personOf(as), input));
    },
    'teams/submit': async (body) => {
      const { as, ...input } = parse(bodies.teamsSubmit, body);
      return inTeams((view) => view.submitDialog(personOf(as), input));
    },
    'teams/close': async (body) => {
      const { as } = parse(bodies.teamsClose, body);
      return inTeams((view) => view.closeDialog(personOf(as)));
    },
  };

  const homeView = (user: string) => {
    const home = standIn.views.home(user);
    return home === undefined ? {} : { view: home.view };
  };

  const stream = async (req: IncomingMessage, res: ServerResponse) => {
    const session = await createSession(req, res, { keepAlive: 15_000 });
    streams.add(res);
    res.once('close', () => streams.delete(res));
    live.register(session);
    session.push(version, 'change');
  };

  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://playground.local');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== BASE && !path.startsWith(`${BASE}/`)) return false;
    const method = req.method ?? 'GET';
    const fail = (error: unknown) => {
      if (error instanceof BadRequest)
        return sendJson(res, error.status, { ok: false, error: error.message, ...error.extra });
      log.warn({ err: error }, 'playground: request failed');
      sendJson(res, 500, { ok: false, error: `the playground failed: ${(error as Error).message}` });
    };
    const asParam = url.searchParams.get('as');
    if (method === 'GET' && path === BASE) {
      const user = people.some((p) => p.id === asParam) ? (asParam as string) : (people[0] as Person).id;
      send(
        res,
        200,
        'text/html; charset=utf-8',
        renderPage(snapshot(user), {
          base: BASE,
          ...(teams === undefined
            ? {}
            : { teams: { channel: teamsView?.state(personOf(user)).channel.name ?? '' } }),
        }).value,
      );
      return true;
    }
    if (method === 'GET' && path.startsWith(`${BASE}/assets/`)) {
      const found = assets.get(path.slice(`${BASE}/assets/`.length));
      if (found === undefined) sendJson(res, 404, { ok: false, error: `no asset ${path}` });
      else send(res, 200, found.type, found.body);
      return true;
    }
    if (method === 'GET' && path === `${BASE}/events`) {
      stream(req, res).catch(fail);
      return true;
    }
    if (method === 'GET' && path === `${BASE}/api/state`) {
      try {
        const { as } = parse(bodies.home, { as: asParam ?? undefined });
        sendJson(res, 200, state(as));
      } catch (error) {
        fail(error);
      }
      return true;
    }
    const name = path.startsWith(`${BASE}/api/`) ? path.slice(`${BASE}/api/`.length) : '';
    const action = Object.hasOwn(api, name)
      ? api[name]
      : Object.hasOwn(teamsApi, name)
        ? teamsApi[name]
        : undefined;
    if (action !== undefined) {
      if (method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendJson(res, 405, { ok: false, error: `${path} takes POST` });
        return true;
      }
      readJson(req)
        .then(action)
        .then((answer) => sendJson(res, 200, answer), fail);
      return true;
    }
    sendJson(res, 404, { ok: false, error: `no route for ${method} ${path}` });
    return true;
  };

  return Object.assign(handler, {
    close() {
      for (const off of unsubscribe) off();
      for (const res of streams) res.end();
      streams.clear();
    },
  });
};
