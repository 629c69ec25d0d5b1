import type { PlainTextElement } from '@slack/types';
import { MethodError } from '../args.ts';
import type { Clock, SlackBlock, SlackViewObject, StandInView, Workspace } from '../types.ts';
import type { Events } from './events.ts';
import type { Ids } from './ids.ts';

/** A view definition as the app sends it (already checked against Block Kit limits). */
export interface ViewInput {
  readonly type: 'modal' | 'home';
  readonly title?: PlainTextElement;
  readonly submit?: PlainTextElement;
  readonly close?: PlainTextElement;
  readonly blocks: readonly SlackBlock[];
  readonly private_metadata?: string;
  readonly callback_id?: string;
  readonly external_id?: string;
  readonly clear_on_close?: boolean;
  readonly notify_on_close?: boolean;
  readonly submit_disabled?: boolean;
}

export interface ViewState {
  /** A trigger id for `user`, valid once, for `triggerTtlMs`. */
  issueTrigger(user: string): string;
  /** The trigger's user (undefined for a well-formed id the stand-in did not issue); throws Slack's errors. */
  exchangeTrigger(triggerId: string): { readonly user: string | undefined };
  open(user: string | undefined, input: ViewInput): StandInView;
  push(user: string | undefined, input: ViewInput): StandInView;
  update(
    ref: { readonly viewId?: string; readonly externalId?: string },
    input: ViewInput,
    hash?: string,
  ): StandInView;
  publish(user: string, input: ViewInput, hash?: string): StandInView;
  get(viewId: string): StandInView | undefined;
  /** The user's open modals, root first. */
  stack(user: string | undefined): StandInView[];
  home(user: string): StandInView | undefined;
  /** Closes `viewId` and every view pushed above it. */
  close(viewId: string): void;
  /** Closes all of the user's modals. */
  clear(user: string | undefined): void;
  setErrors(viewId: string, errors: Readonly<Record<string, string>>): StandInView;
  /** Merges what the user entered into the view's `state.values`, by block id then action id. */
  enter(viewId: string, values: ViewValues): StandInView;
  reset(): void;
}

/** Slack's documented trigger id shape: `132456.7890123.abcdef`. */
const TRIGGER_ID = /^\d+\.\d+\.[0-9a-f]+$/;
const MAX_STACK = 3;
const UNKNOWN = '?';

interface Trigger {
  readonly user: string | undefined;
  readonly issuedAt: number;
  used: boolean;
}

interface Stored {
  user: string | undefined;
  view: SlackViewObject;
  errors?: Readonly<Record<string, string>>;
}

type ViewValues = SlackViewObject['state']['values'];

const publicView = ({ user, view, errors }: Stored): StandInView => ({
  user,
  view,
  ...(errors === undefined ? {} : { errors }),
});

export const createViewState = (deps: {
  readonly clock: Clock;
  readonly events: Events;
  readonly ids: Ids;
  readonly workspace: Workspace;
  readonly triggerTtlMs: number;
}): ViewState => {
  const { clock, events, ids, workspace, triggerTtlMs } = deps;
  let views = new Map<string, Stored>();
  let stacks = new Map<string, string[]>();
  let homes = new Map<string, string>();
  let triggers = new Map<string, Trigger>();

  const hash = (id: string) =>
    `${Math.floor(clock.now().getTime() / 1000)}.${ids.hex(`${id}:${ids.serial()}`, 8)}`;

  const materialize = (
    id: string,
    input: ViewInput,
    links: { readonly root: string | null; readonly previous: string | null },
    state: SlackViewObject['state'] = { values: {} },
  ): SlackViewObject => ({
    id,
    team_id: workspace.teamId,
    type: input.type,
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.type === 'modal' ? { submit: input.submit ?? null, close: input.close ?? null } : {}),
    blocks: input.blocks,
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: input.external_id ?? '',
    state,
    hash: hash(id),
    clear_on_close: input.clear_on_close ?? false,
    notify_on_close: input.notify_on_close ?? false,
    submit_disabled: input.submit_disabled ?? false,
    root_view_id: links.root,
    previous_view_id: links.previous,
    app_id: workspace.bot.appId,
    app_installed_team_id: workspace.teamId,
    bot_id: workspace.bot.botId,
  });

  const checkExternalId = (input: ViewInput, self?: string) => {
    if (input.external_id === undefined || input.external_id === '') return;
    const owner = [...views.values()].find((s) => s.view.external_id === input.external_id);
    if (owner !== undefined && owner.view.id !== self) throw new MethodError('duplicate_external_id');
  };

  const requireType = (input: ViewInput, type: 'modal' | 'home') => {
    if (input.type !== type)
      throw new MethodError('invalid_arguments', [
        `[ERROR] view type must be ${type} [json-pointer:/view/type]`,
      ]);
  };

  const add = (user: string | undefined, view: SlackViewObject) => {
    const stored: Stored = { user, view };
    views.set(view.id, stored);
    return stored;
  };

  const newId = () => ids.next('V', (id) => views.has(id));

  const close = (viewId: string) => {
    const stored = views.get(viewId);
    if (stored === undefined || stored.view.type !== 'modal') return;
    const key = stored.user ?? UNKNOWN;
    const stack = stacks.get(key) ?? [];
    const at = stack.indexOf(viewId);
    if (at < 0) return;
    for (const id of stack.splice(at).reverse()) {
      views.delete(id);
      events.emit('view', { kind: 'closed', user: stored.user, viewId: id });
    }
    if (stack.length === 0) stacks.delete(key);
  };

  const clear = (user: string | undefined) => {
    const root = stacks.get(user ?? UNKNOWN)?.[0];
    if (root !== undefined) close(root);
  };

  return {
    issueTrigger(user) {
      const now = clock.now().getTime();
      const id = `${Math.floor(now / 1000)}.${ids.serial()}.${ids.hex(`trigger:${user}:${ids.serial()}`, 32)}`;
      triggers.set(id, { user, issuedAt: now, used: false });
      return id;
    },
    exchangeTrigger(triggerId) {
      const trigger = triggers.get(triggerId);
      if (trigger === undefined) {
        if (!TRIGGER_ID.test(triggerId)) throw new MethodError('invalid_trigger_id');
        triggers.set(triggerId, { user: undefined, issuedAt: clock.now().getTime(), used: true });
        return { user: undefined };
      }
      if (trigger.used) throw new MethodError('exchanged_trigger_id');
      if (clock.now().getTime() - trigger.issuedAt > triggerTtlMs)
        throw new MethodError('expired_trigger_id');
      trigger.used = true;
      return { user: trigger.user };
    },
    open(user, input) {
      requireType(input, 'modal');
      checkExternalId(input);
      clear(user);
      const id = newId();
      const stored = add(user, materialize(id, input, { root: id, previous: null }));
      stacks.set(user ?? UNKNOWN, [id]);
      const view = publicView(stored);
      events.emit('view', { kind: 'opened', user, view });
      return view;
    },
    push(user, input) {
      requireType(input, 'modal');
      const stack = stacks.get(user ?? UNKNOWN);
      const root = stack?.[0];
      if (stack === undefined || root === undefined) throw new MethodError('not_found');
      if (stack.length >= MAX_STACK) throw new MethodError('push_limit_reached');
      checkExternalId(input);
      const id = newId();
      const stored = add(user, materialize(id, input, { root, previous: stack.at(-1) ?? null }));
      stack.push(id);
      const view = publicView(stored);
      events.emit('view', { kind: 'pushed', user, view });
      return view;
    },
    update(ref, input, expectedHash) {
      const stored =
        ref.viewId !== undefined
          ? views.get(ref.viewId)
          : [...views.values()].find(
              (s) => s.view.external_id !== '' && s.view.external_id === ref.externalId,
            );
      if (stored === undefined) throw new MethodError('not_found');
      requireType(input, stored.view.type);
      if (expectedHash !== undefined && expectedHash !== stored.view.hash)
        throw new MethodError('hash_conflict');
      checkExternalId(input, stored.view.id);
      const { id, root_view_id, previous_view_id, state, external_id } = stored.view;
      // An update that does not name an external_id keeps the view's own.
      const next = input.external_id === undefined ? { ...input, external_id } : input;
      stored.view = materialize(id, next, { root: root_view_id, previous: previous_view_id }, state);
      delete stored.errors;
      const view = publicView(stored);
      events.emit('view', { kind: 'updated', user: stored.user, view });
      return view;
    },
    publish(user, input, expectedHash) {
      requireType(input, 'home');
      const currentId = homes.get(user);
      const current = currentId === undefined ? undefined : views.get(currentId);
      if (expectedHash !== undefined && current !== undefined && expectedHash !== current.view.hash)
        throw new MethodError('hash_conflict');
      checkExternalId(input, currentId);
      const id = currentId ?? newId();
      const stored = add(user, materialize(id, input, { root: null, previous: null }));
      homes.set(user, id);
      const view = publicView(stored);
      events.emit('view', { kind: 'published', user, view });
      return view;
    },
    get(viewId) {
      const stored = views.get(viewId);
      return stored === undefined ? undefined : publicView(stored);
    },
    stack: (user) =>
      (stacks.get(user ?? UNKNOWN) ?? []).flatMap((id) => {
        const stored = views.get(id);
        return stored === undefined ? [] : [publicView(stored)];
      }),
    home(user) {
      const id = homes.get(user);
      const stored = id === undefined ? undefined : views.get(id);
      return stored === undefined ? undefined : publicView(stored);
    },
    close,
    clear,
    setErrors(viewId, errors) {
      const stored = views.get(viewId);
      if (stored === undefined) throw new MethodError('not_found');
      stored.errors = errors;
      const view = publicView(stored);
      events.emit('view', { kind: 'errors', user: stored.user, view });
      return view;
    },
    enter(viewId, values) {
      const stored = views.get(viewId);
      if (stored === undefined) throw new MethodError('not_found');
      const merged: Record<string, Readonly<Record<string, unknown>>> = { ...stored.view.state.values };
      for (const [blockId, actions] of Object.entries(values))
        merged[blockId] = { ...merged[blockId], ...actions };
      stored.view = { ...stored.view, state: { values: merged } };
      return publicView(stored);
    },
    reset() {
      views = new Map();
      stacks = new Map();
      homes = new Map();
      triggers = new Map();
    },
  };
};
