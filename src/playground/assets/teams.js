// The Teams view of the playground page: the incident channel's threads, each card drawn by Microsoft's
// adaptivecards renderer (the real one, with Teams' host config), and the dialogs buttons open. Nothing here
// talks to the app: a click names the message and which of its actions (by position), the playground server
// builds the activity Teams would send and posts it to the app's /api/messages.

const AC = window.AdaptiveCards;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const ACTION_ID = '__pg';

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/**
 * The Markdown Teams draws in a TextBlock (a CommonMark subset): paragraphs, bullet and numbered lists,
 * **bold**, _italic_, `code`, [links](https://…) and backslash escapes. Everything else stays text.
 */
/** A Teams message deep link (`…/l/message/<channel>/<message id>?parentMessageId=…`): its message id. */
const messageIdOf = (url) => {
  const found = /^https:\/\/teams\.microsoft\.com\/l\/message\/[^/?#]+\/([^/?#]+)/.exec(url);
  if (!found) return undefined;
  try {
    return decodeURIComponent(found[1]);
  } catch {
    return undefined;
  }
};

/** A link: a deep link to a message stays on the page (the view shows the message); others open a tab. */
const linkHtml = (label, url) => {
  const messageId = messageIdOf(url);
  return messageId === undefined
    ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`
    : `<a href="${url}" data-teams-message="${escapeHtml(messageId)}">${label}</a>`;
};

export const markdownToHtml = (source) => {
  const kept = [];
  const keep = (html) => `\uE000${kept.push(html) - 1}\uE001`;
  const inline = (text) =>
    escapeHtml(text.replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, (_, c) => keep(escapeHtml(c))))
      .replace(/`([^`]+)`/g, (_, code) => keep(`<code>${code}</code>`))
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+|mailto:[^\s)]+)\)/g, (_, label, url) =>
        keep(linkHtml(label, url)),
      )
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^\w])_([^_]+)_(?!\w)/g, '$1<em>$2</em>')
      .replace(/(^|[^*])\*([^*]+)\*(?!\*)/g, '$1<em>$2</em>');
  const blocks = String(source)
    .replace(/[\uE000\uE001]/g, '')
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const lines = paragraph.split('\n');
      const bullets = lines.every((l) => /^\s*[-*+] /.test(l));
      const numbered = lines.every((l) => /^\s*\d+\. /.test(l));
      if (bullets || numbered) {
        const tag = bullets ? 'ul' : 'ol';
        const items = lines.map((l) => `<li>${inline(l.replace(/^\s*([-*+]|\d+\.) /, ''))}</li>`);
        return `<${tag}>${items.join('')}</${tag}>`;
      }
      return `<p>${lines.map(inline).join(' ')}</p>`;
    });
  return blocks.join('').replace(/\uE000(\d+)\uE001/g, (_, i) => kept[Number(i)]);
};

/** Text of a message: a mention (`<at>hotfix</at>`) as Teams shows it, plain or Markdown as the sender said. */
const textHtml = (text, format) => {
  const html =
    format === 'plain' ? `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>` : markdownToHtml(text);
  return html.replace(/&lt;at&gt;(.*?)&lt;\/at&gt;/g, '<span class="mention">@$1</span>');
};

/** A copy of the attachments whose every action carries its position (the server counts the same way). */
const numbered = (value) => {
  let index = 0;
  const walk = (node) => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy = {};
    const isAction = typeof node.type === 'string' && node.type.startsWith('Action.');
    const own = isAction ? index++ : undefined;
    for (const [key, child] of Object.entries(node)) copy[key] = walk(child);
    if (isAction) copy.id = `${ACTION_ID}${own}`;
    return copy;
  };
  return walk(value);
};

/** Input id → value as Teams sends them (strings), of every input of a rendered card. */
const inputsOf = (card) => {
  const values = {};
  for (const input of card.getAllInputs()) {
    if (!input.id) continue;
    const value = input.value;
    values[input.id] = value === undefined || value === null ? '' : String(value);
  }
  return values;
};

const dateTime = (iso) => new Date(iso).toISOString().slice(11, 19);

/**
 * The view: `render(state)` draws the person's Teams channel (messages whose content did not change keep their
 * DOM, so what someone typed into a card stays) and dialog. `post(path, body)` is the page's API call.
 */
export const createTeamsView = ({ post }) => {
  const byId = (id) => document.getElementById(id);
  const channel = byId('teams-channel');
  const chat = byId('teams-chat');
  const dialogBox = byId('teams-dialog');
  const composer = byId('teams-composer');
  const replyTo = byId('teams-reply-to');
  if (!channel || !AC) return { render() {}, reset() {} };

  let hostConfig;
  const ready = fetch('/playground/assets/teams-hostconfig-light.json')
    .then((r) => r.json())
    .then((json) => (hostConfig = new AC.HostConfig(json)));
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdownToHtml(text);
    result.didProcess = true;
  };

  /** Message id → { key: its JSON as last drawn, node }. */
  let drawn = new Map();
  let dialogKey = '';
  let target;
  let last;

  const actionIndex = (action) => Number(String(action.id ?? '').slice(ACTION_ID.length));

  const renderCard = (json, onAction) => {
    const card = new AC.AdaptiveCard();
    card.hostConfig = hostConfig;
    card.onExecuteAction = (action) => {
      if (action instanceof AC.OpenUrlAction) {
        if (/^(https?|mailto):/i.test(action.url ?? '')) window.open(action.url, '_blank', 'noopener');
        return;
      }
      onAction(action, card);
    };
    card.parse(json);
    return card.render() ?? document.createTextNode('(a card the renderer could not draw)');
  };

  const cardAction = (message) => async (action, card) => {
    const index = actionIndex(action);
    if (!Number.isInteger(index)) return;
    const node = drawn.get(message.id)?.node;
    node?.classList.add('busy');
    await post('teams/act', { activityId: message.id, index, inputs: inputsOf(card) });
    node?.classList.remove('busy');
  };

  const messageNode = (message) => {
    const article = document.createElement('article');
    article.className = `teams-msg${message.answered ? ' answered' : ''}`;
    article.id = `tm-${message.id}`;
    article.dataset.activityId = message.id;
    const head = document.createElement('header');
    head.innerHTML =
      `<b class="author">${escapeHtml(message.author.name)}</b>` +
      (message.author.bot ? ' <span class="badge">APP</span>' : '') +
      ` <time datetime="${escapeHtml(message.time)}">${dateTime(message.time)}</time>` +
      (message.edited ? ' <small>Edited</small>' : '') +
      (message.answered
        ? ' <small class="only-you">Only you see this card (until it is next updated)</small>'
        : '');
    const body = document.createElement('div');
    body.className = 'teams-body';
    if (message.text) body.insertAdjacentHTML('beforeend', textHtml(message.text, message.textFormat));
    const attachments = numbered(message.attachments);
    for (const attachment of attachments) {
      if (attachment.contentType === ADAPTIVE && attachment.content) {
        const holder = document.createElement('div');
        holder.className = 'teams-card';
        holder.append(renderCard(attachment.content, cardAction(message)));
        body.append(holder);
      } else {
        const file = document.createElement('p');
        file.className = 'teams-file';
        file.textContent = `📎 ${attachment.name ?? attachment.contentType ?? 'attachment'}`;
        body.append(file);
      }
    }
    article.append(head, body);
    return article;
  };

  let next = new Map();
  const node = (message) => {
    const key = JSON.stringify(message);
    const old = drawn.get(message.id);
    const kept = old?.key === key ? old : { key, node: messageNode(message) };
    next.set(message.id, kept);
    return kept.node;
  };

  const drawChannel = (teams) => {
    const atBottom = channel.scrollHeight - channel.scrollTop - channel.clientHeight < 40;
    const threads = teams.threads.map(({ root, replies }) => {
      const thread = document.createElement('section');
      thread.className = 'teams-thread';
      thread.dataset.threadId = root.id;
      thread.append(node(root));
      const list = document.createElement('div');
      list.className = 'teams-replies';
      for (const reply of replies) list.append(node(reply));
      const foot = document.createElement('footer');
      foot.innerHTML = `<span>${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</span> <button type="button" class="teams-reply" data-teams-reply="${escapeHtml(root.id)}">↩ Reply</button>`;
      thread.append(list, foot);
      return thread;
    });
    if (threads.length === 0)
      channel.innerHTML = `<p class="empty">Nothing in ${escapeHtml(teams.channel.name)} yet. Type <code>@${escapeHtml(teams.bot)} start</code> below.</p>`;
    else channel.replaceChildren(...threads);
    if (atBottom) channel.scrollTop = channel.scrollHeight;
  };

  /** The person's 1:1 chat with the bot: a plain list of messages, no threads. */
  const drawChat = (teams) => {
    const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
    if (teams.chat.length === 0)
      chat.innerHTML = `<p class="empty">Your 1:1 chat with ${escapeHtml(teams.bot)}. Type <code>help</code> below (no mention needed here).</p>`;
    else chat.replaceChildren(...teams.chat.map(node));
    if (atBottom) chat.scrollTop = chat.scrollHeight;
  };

  /** Which pane the compose box writes to: the channel (a thread, when one is chosen) or the 1:1 chat. */
  let tab = 'channel';
  const showTab = (name) => {
    tab = name;
    for (const button of document.querySelectorAll('[data-teams-tab]'))
      button.setAttribute('aria-selected', String(button.dataset.teamsTab === name));
    channel.hidden = name !== 'channel';
    chat.hidden = name !== 'chat';
    if (name === 'chat') target = undefined;
    showTarget();
    placeholder();
  };

  const drawDialog = (teams) => {
    const dialog = teams.dialog;
    const key = dialog ? JSON.stringify(dialog) : '';
    if (key === dialogKey) return;
    dialogKey = key;
    if (!dialog) {
      dialogBox.hidden = true;
      dialogBox.replaceChildren();
      return;
    }
    const box = document.createElement('div');
    box.className = 'teams-dialog';
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-label', dialog.title);
    const head = document.createElement('header');
    head.innerHTML = `<h2>${escapeHtml(dialog.title)}</h2><button type="button" class="x" data-teams-close title="Close">✕</button>`;
    const body = document.createElement('div');
    body.className = 'teams-dialog-body';
    body.append(
      renderCard(numbered(dialog.card), async (action, card) => {
        const index = actionIndex(action);
        if (!Number.isInteger(index)) return;
        box.classList.add('busy');
        await post('teams/submit', { index, inputs: inputsOf(card) });
        box.classList.remove('busy');
      }),
    );
    box.append(head, body);
    dialogBox.replaceChildren(box);
    dialogBox.hidden = false;
  };

  const placeholder = () => {
    const input = composer.querySelector('input');
    input.disabled = last !== undefined && !last.as;
    input.placeholder =
      last !== undefined && !last.as
        ? 'This person has no Teams id in hotfix.yml'
        : tab === 'chat'
          ? 'help — or list, status, record…'
          : '@hotfix start INC-1 — or @hotfix help';
  };

  const showTarget = () => {
    if (!target) {
      replyTo.hidden = true;
      replyTo.replaceChildren();
      return;
    }
    replyTo.hidden = false;
    replyTo.innerHTML = `Replying in the thread of ${escapeHtml(dateTime(target.time))} <button type="button" data-teams-unreply title="Post in the channel instead">✕</button>`;
  };

  document.addEventListener('click', (event) => {
    const element = event.target instanceof Element ? event.target : null;
    if (!element) return;
    const teamsTab = element.closest('[data-teams-tab]');
    if (teamsTab) return showTab(teamsTab.dataset.teamsTab);
    const messageLink = element.closest('a[data-teams-message]');
    if (messageLink) {
      // The card's deep link to a reply: shown here, as Teams scrolls to it, rather than leaving the page.
      event.preventDefault();
      const message = byId(`tm-${messageLink.dataset.teamsMessage}`);
      if (!message) return;
      message.scrollIntoView({ block: 'center', behavior: 'smooth' });
      message.classList.remove('linked');
      void message.offsetWidth;
      message.classList.add('linked');
      return;
    }
    const reply = element.closest('[data-teams-reply]');
    if (reply) {
      const root = last?.threads.find((t) => t.root.id === reply.dataset.teamsReply)?.root;
      target = root ? { id: root.id, time: root.time } : undefined;
      showTarget();
      composer.elements.namedItem('text').focus();
      return;
    }
    if (element.closest('[data-teams-unreply]')) {
      target = undefined;
      showTarget();
      return;
    }
    if (element.closest('[data-teams-close]')) void post('teams/close', {});
  });

  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = composer.elements.namedItem('text');
    const text = input.value.trim();
    if (text === '') return;
    const where = tab === 'chat' ? { to: 'chat' } : target ? { threadId: target.id } : {};
    const answer = await post('teams/send', { text, ...where });
    if (answer.ok) input.value = '';
  });

  return {
    async render(teams) {
      await ready;
      last = teams;
      placeholder();
      next = new Map();
      drawChannel(teams);
      drawChat(teams);
      drawn = next;
      drawDialog(teams);
      if (target && !teams.threads.some((t) => t.root.id === target.id)) {
        target = undefined;
        showTarget();
      }
    },
    /** Another person: nothing drawn for the last one is kept (their answer cards, their typing). */
    reset() {
      drawn = new Map();
      dialogKey = '';
    },
  };
};
