import type { Html } from './render/html.ts';
import { attrs, markup } from './render/html.ts';
import type { Snapshot } from './render/surfaces.ts';
import { renderChannel, renderHome, renderModal, renderPeople } from './render/surfaces.ts';

/** The fragments the page is made of, as the state API sends them for the script to swap in. */
export interface Fragments {
  readonly people: string;
  readonly channel: string;
  readonly modal: string;
  readonly home: string;
}

export const renderFragments = (snapshot: Snapshot): Fragments => ({
  people: renderPeople(snapshot).value,
  channel: renderChannel(snapshot).value,
  modal: renderModal(snapshot).value,
  home: renderHome(snapshot).value,
});

/**
 * The whole page, rendered on the server for the acting person: the person switcher, the incident channel
 * (and the Home tab), the composer and the modal stack; the script keeps it live.
 */
export const renderPage = (
  snapshot: Snapshot,
  options: { readonly base: string; readonly teams?: { readonly channel: string } },
): Html => {
  const modal = renderModal(snapshot);
  const acting = `${snapshot.as.name} (${snapshot.as.roles.join(', ') || 'no role'})`;
  const teams = options.teams;
  const views =
    teams === undefined
      ? ''
      : markup`<nav class="views" aria-label="View"><button type="button" data-view="slack" aria-selected="true">Slack</button><button type="button" data-view="teams" aria-selected="false">Teams</button></nav>`;
  const teamsView =
    teams === undefined
      ? ''
      : markup`<section id="teams" class="workspace teams-view" aria-label="Teams">
<nav class="tabs teams-tabs" role="tablist"><span class="teams-logo" title="Microsoft Teams, played locally: cards drawn by Microsoft's adaptivecards renderer">T</span><button type="button" data-teams-tab="channel" aria-selected="true">${teams.channel}</button><button type="button" data-teams-tab="chat" aria-selected="false">💬 Chat with hotfix</button></nav>
<div id="teams-channel" class="pane" aria-live="polite"><p class="empty">Loading the Teams channel…</p></div>
<div id="teams-chat" class="pane" hidden></div>
<form id="teams-composer" autocomplete="off"><span id="teams-reply-to" hidden></span><input name="text" aria-label="Post in the Teams channel" placeholder="@hotfix start INC-1 — or @hotfix help"><button type="submit" class="bk-button teams-primary">Send</button></form>
</section>`;
  return markup`<!doctype html>
<html lang="en"${attrs({ 'data-as': snapshot.as.id })}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotfix playground · #${snapshot.channel.name}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${options.base}/assets/playground.css">
${
  teams === undefined
    ? ''
    : markup`<script src="${options.base}/assets/adaptivecards.js"></script>
`
}<script type="module" src="${options.base}/assets/playground.js"></script>
</head>
<body${attrs({ 'data-view': 'slack', class: teams === undefined ? 'slack-only' : 'both' })}>
<header><h1>hotfix playground</h1><span>${teams === undefined ? 'A local Slack: every click and submit goes to the app signed, as Slack sends it.' : 'A local Slack and Teams: every click and submit goes to the app as each platform sends it.'}</span>${views}<span class="acting">Acting as <b id="acting">${acting}</b></span></header>
<main>
<nav id="people" aria-label="Act as">${renderPeople(snapshot)}</nav>
<section class="workspace slack-view" aria-label="Slack">
<nav class="tabs" role="tablist"><button type="button" data-tab="channel" aria-selected="true">#${snapshot.channel.name}</button><button type="button" data-tab="home" aria-selected="false">🏠 Home</button></nav>
<div id="channel" class="pane">${renderChannel(snapshot)}</div>
<div id="home" class="pane" hidden>${renderHome(snapshot)}</div>
<form id="composer" autocomplete="off"><input name="text" aria-label="Message" placeholder="/hotfix start INC-1 — or /hotfix help"><button type="submit" class="bk-button bk-primary">Send</button></form>
</section>
${teamsView}
</main>
<div id="modal"${attrs({ hidden: modal.value === '' })}>${modal}</div>
<div id="teams-dialog" hidden></div>
<div id="notice" role="status" hidden></div>
<dialog id="confirm"><form method="dialog"><h3></h3><p></p><menu><button class="bk-button" value="deny"></button><button class="bk-button bk-primary" value="ok"></button></menu></form></dialog>
</body>
</html>
`;
};
