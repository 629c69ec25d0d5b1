// The playground page's script: no framework, no build. The server renders every fragment; this swaps them
// in, and turns clicks, changes and submits (found through data-attributes, by event delegation) into JSON
// posts to /playground/api/*, which deliver them to the app signed, as Slack would. The Teams view beside it
// (teams.js) draws its cards in the browser and posts through the same API.

import { createTeamsView } from './teams.js';

const root = document.documentElement;
const state = {
  as: root.dataset.as ?? '',
  version: -1,
  /** The last HTML put in each fragment: a fragment is replaced only when it changed (keeps typing intact). */
  html: new Map(),
  polling: undefined,
  refreshing: undefined,
  again: false,
  /** Each message's body as last rendered (article id → node and its HTML then): see keepUnchanged. */
  bodies: new Map(),
};

const byId = (id) => document.getElementById(id);

let noticeTimer;
const notice = (text) => {
  const box = byId('notice');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (box.hidden = true), 10000);
};

/**
 * Puts back the body of every message the new channel HTML brings unchanged, so what the person did to it
 * since (a ticked checkbox whose card edit has not landed yet, a choice in a select) stays, as in Slack's
 * client, where a message's inputs keep their state until that message is edited. Without this, a thread
 * line arriving before the card's edit reset the card's checkboxes, and the next tick sent a selection
 * without the previous one: the app unticked it.
 */
const keepUnchanged = (element) => {
  const bodies = new Map();
  for (const body of element.querySelectorAll('article.msg > .msg-body')) {
    const key = body.parentElement.id;
    const html = body.innerHTML;
    const old = state.bodies.get(key);
    if (old?.html === html) {
      body.replaceWith(old.node);
      bodies.set(key, old);
    } else bodies.set(key, { node: body, html });
  }
  state.bodies = bodies;
};

const swap = (id, html) => {
  if (state.html.get(id) === html) return;
  state.html.set(id, html);
  const element = byId(id);
  const open = [...element.querySelectorAll('details[open]')].map((d) => d.dataset.thread);
  const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  element.innerHTML = html;
  if (id === 'channel') keepUnchanged(element);
  for (const ts of open)
    element.querySelector(`details[data-thread="${CSS.escape(ts)}"]`)?.setAttribute('open', '');
  if (id === 'channel' && atBottom) element.scrollTop = element.scrollHeight;
};

const apply = (snapshot) => {
  state.version = snapshot.version;
  swap('people', snapshot.html.people);
  swap('channel', snapshot.html.channel);
  swap('home', snapshot.html.home);
  swap('modal', snapshot.html.modal);
  byId('modal').hidden = snapshot.html.modal === '';
  byId('acting').textContent = `${snapshot.as.name} (${snapshot.as.roles.join(', ') || 'no role'})`;
  if (snapshot.teams) void teams.render(snapshot.teams);
};

/** Fetches the acting person's state; calls made while one runs are folded into one more. */
const refresh = async () => {
  if (state.refreshing) {
    state.again = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    try {
      do {
        state.again = false;
        const response = await fetch(`/playground/api/state?as=${encodeURIComponent(state.as)}`);
        if (response.ok) apply(await response.json());
      } while (state.again);
    } catch {
      // The server is gone or restarting: the next event or poll tries again.
    } finally {
      state.refreshing = undefined;
    }
  })();
  return state.refreshing;
};

const post = async (path, body) => {
  try {
    const response = await fetch(`/playground/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: state.as, ...body }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) notice(answer.error ?? `The playground answered HTTP ${response.status}`);
    else if (answer.notice) notice(answer.notice);
    return { ok: response.ok, ...answer };
  } catch (error) {
    notice(`The playground did not answer: ${error.message}`);
    return { ok: false };
  } finally {
    await refresh();
  }
};

/** The message or view an element sits in. */
const where = (element) => {
  const view = element.closest('[data-view-id]');
  if (view) return { viewId: view.dataset.viewId };
  const message = element.closest('article.msg');
  return message ? { channel: message.dataset.channel, ts: message.dataset.ts } : {};
};

const act = (element, selected) =>
  post('act', {
    ...where(element),
    actionId: element.dataset.actionId,
    blockId: element.dataset.blockId,
    ...(selected === undefined ? {} : { selected }),
  });

const confirmFirst = (button) =>
  new Promise((resolve) => {
    if (button.dataset.confirmTitle === undefined) return resolve(true);
    const dialog = byId('confirm');
    dialog.querySelector('h3').textContent = button.dataset.confirmTitle;
    dialog.querySelector('p').textContent = button.dataset.confirmText ?? '';
    const ok = dialog.querySelector('[value=ok]');
    ok.textContent = button.dataset.confirmOk ?? 'Confirm';
    ok.className = `bk-button ${button.dataset.confirmStyle === 'danger' ? 'bk-danger' : 'bk-primary'}`;
    dialog.querySelector('[value=deny]').textContent = button.dataset.confirmDeny ?? 'Cancel';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });

const teams = createTeamsView({ post });

/** On a narrow screen one view shows at a time: Slack or Teams. */
const showView = (view) => {
  document.body.dataset.view = view;
  for (const button of document.querySelectorAll('[data-view]'))
    button.setAttribute('aria-selected', String(button.dataset.view === view));
};

const showTab = (tab) => {
  for (const button of document.querySelectorAll('[data-tab]'))
    button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  byId('channel').hidden = tab !== 'channel';
  byId('home').hidden = tab !== 'home';
  // Opening the Home tab is an app_home_opened event for the app, as in Slack.
  if (tab === 'home') void post('home', {});
};

const switchTo = (user) => {
  state.as = user;
  state.html.clear();
  state.bodies.clear();
  teams.reset();
  localStorage.setItem('hotfix-playground-as', user);
  const url = new URL(location.href);
  url.searchParams.set('as', user);
  history.replaceState(null, '', url);
  const homeShown = !byId('home').hidden;
  void refresh().then(() => homeShown && showTab('home'));
};

/** A chip multi-select's value (see multiSelect in render/blocks.ts): its chips' values, in the order picked. */
const chipValues = (multi) => [...multi.querySelectorAll('.bk-chip')].map((chip) => chip.dataset.value);

/**
 * Brings a chip multi-select's dropdown in step with its chips: picked options hidden, the placeholder shown,
 * required while a required field has no chip, disabled once the most it takes are picked.
 */
const syncMulti = (multi) => {
  const select = multi.querySelector('select.bk-multi-add');
  const picked = new Set(chipValues(multi));
  for (const option of select.options) {
    if (option.value === '') continue;
    option.hidden = picked.has(option.value);
    option.disabled = option.hidden;
  }
  select.value = '';
  select.required = multi.dataset.required !== undefined && picked.size === 0;
  const max = Number(multi.dataset.max);
  select.disabled = max > 0 && picked.size >= max;
};

/** A chip as the server draws it: the option's label and a × button that removes it. */
const chipFor = (option) => {
  const chip = document.createElement('li');
  chip.className = 'bk-chip';
  chip.dataset.value = option.value;
  const label = document.createElement('span');
  label.textContent = option.textContent;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'bk-chip-remove';
  remove.setAttribute('aria-label', `Remove ${option.textContent}`);
  remove.textContent = '×';
  chip.append(label, remove);
  return chip;
};

/** A change of a chip multi-select: in an actions block it is a block action at once, as in Slack. */
const multiChanged = (multi) => {
  syncMulti(multi);
  if (multi.dataset.act === 'multi_select') void act(multi, chipValues(multi));
};

const removeChip = (button) => {
  const multi = button.closest('.bk-multi');
  const chip = button.closest('.bk-chip');
  // Keyboard users stay in the widget: on the next chip's ×, else the previous one's, else the dropdown.
  const next = chip.nextElementSibling ?? chip.previousElementSibling;
  chip.remove();
  multiChanged(multi);
  (next?.querySelector('.bk-chip-remove') ?? multi.querySelector('select.bk-multi-add')).focus();
};

/** A modal's form, read as Slack's client reads it: block id → action id → value. */
const formValues = (form) => {
  const values = {};
  for (const field of form.querySelectorAll('[data-field]')) {
    const { blockId, actionId } = field.dataset;
    let value;
    switch (field.dataset.field) {
      case 'multi_select':
        value = chipValues(field);
        break;
      case 'checkboxes':
        value = [...field.querySelectorAll('input:checked')].map((i) => i.value);
        break;
      case 'radio_buttons':
        value = field.querySelector('input:checked')?.value ?? null;
        break;
      default:
        value = field.value;
    }
    (values[blockId] ??= {})[actionId] = value;
  }
  return values;
};

const showFieldErrors = (form, errors) => {
  for (const old of form.querySelectorAll('.bk-error[data-local]')) old.remove();
  for (const [blockId, message] of Object.entries(errors ?? {})) {
    const block = form.querySelector(`[data-block="${CSS.escape(blockId)}"]`);
    if (!block) continue;
    const error = document.createElement('div');
    error.className = 'bk-error';
    error.dataset.local = 'true';
    error.setAttribute('role', 'alert');
    error.textContent = message;
    block.append(error);
  }
};

/**
 * A permalink to a message of this workspace (the card's "open the prompt"): its thread opens and the message
 * is scrolled to and highlighted, as Slack's client does, instead of leaving the page for a workspace that
 * does not exist.
 */
const showMessage = (ts) => {
  showTab('channel');
  const message = byId(`msg-${ts}`);
  if (!message) return notice('That message is not in this channel.');
  for (let thread = message.closest('details'); thread; thread = thread.parentElement?.closest('details'))
    thread.setAttribute('open', '');
  message.scrollIntoView({ block: 'center', behavior: 'smooth' });
  message.classList.remove('linked');
  // Restarts the highlight's animation when the same link is clicked again.
  void message.offsetWidth;
  message.classList.add('linked');
};

document.addEventListener('click', async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const permalink = target.closest('a[data-permalink-ts]');
  if (permalink) {
    event.preventDefault();
    return showMessage(permalink.dataset.permalinkTs);
  }
  // Only the switcher's buttons: <html> carries data-as too (who the page was rendered for), and every click
  // is inside it.
  const person = target.closest('#people [data-as]');
  if (person) return switchTo(person.dataset.as);
  const view = target.closest('button[data-view]');
  if (view) return showView(view.dataset.view);
  const tab = target.closest('[data-tab]');
  if (tab) return showTab(tab.dataset.tab);
  const chipRemove = target.closest('.bk-multi .bk-chip-remove');
  if (chipRemove) return removeChip(chipRemove);
  const close = target.closest('[data-close-view]');
  if (close) return post('close', { viewId: close.closest('[data-view-id]').dataset.viewId });
  const button = target.closest('button[data-act="button"]');
  if (button) {
    if (button.dataset.url) window.open(button.dataset.url, '_blank', 'noopener');
    if (await confirmFirst(button)) await act(button);
  }
});

document.addEventListener('change', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.matches('.bk-multi select.bk-multi-add')) {
    const multi = target.closest('.bk-multi');
    const option = target.selectedOptions[0];
    if (option && option.value !== '') multi.querySelector('.bk-chips').append(chipFor(option));
    return multiChanged(multi);
  }
  const element = target?.closest('[data-act]');
  if (!element || element.dataset.act === 'button') return;
  switch (element.dataset.act) {
    case 'select': {
      const value = element.value;
      if (element.classList.contains('bk-overflow')) element.value = '';
      if (value !== '') void act(element, value);
      return;
    }
    case 'checkboxes':
      return void act(
        element,
        [...element.querySelectorAll('input:checked')].map((i) => i.value),
      );
    case 'radio_buttons':
      return void act(element, element.querySelector('input:checked')?.value);
    case 'date':
    case 'time':
    case 'text':
      return void act(element, element.value);
  }
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  // The confirm dialog's form (method="dialog") closes the dialog by submitting: let it.
  if (!(form instanceof HTMLFormElement) || form.method === 'dialog') return;
  event.preventDefault();
  // The Teams compose box and the renderer's own forms are teams.js's.
  if (form.id === 'teams-composer' || form.closest('#teams, #teams-dialog')) return;
  if (form.id === 'composer') {
    const input = form.elements.namedItem('text');
    const text = input.value.trim();
    if (text === '') return;
    const answer = await post('command', { text });
    if (answer.ok) input.value = '';
    return;
  }
  if (form.dataset.viewId) {
    const answer = await post('submit', { viewId: form.dataset.viewId, values: formValues(form) });
    if (!answer.ok) showFieldErrors(form, answer.fields);
  }
});

/** Live updates: server-sent events, or polling where they are not available or stop working. */
const poll = () => {
  state.polling ??= setInterval(refresh, 2000);
};
const live = () => {
  if (!('EventSource' in window)) return poll();
  const source = new EventSource('/playground/events');
  source.addEventListener('change', (event) => {
    if (Number(event.data) !== state.version) void refresh();
  });
  source.addEventListener('open', () => {
    clearInterval(state.polling);
    state.polling = undefined;
    void refresh();
  });
  source.addEventListener('error', () => {
    // EventSource reconnects by itself; poll meanwhile, and for good once it has given up.
    poll();
  });
};

if (!new URL(location.href).searchParams.has('as')) {
  const remembered = localStorage.getItem('hotfix-playground-as');
  if (remembered && document.querySelector(`#people [data-as="${CSS.escape(remembered)}"]`))
    switchTo(remembered);
}
void refresh();
live();
