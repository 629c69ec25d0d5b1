import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { keyOf } from '../../../domain/hotfix/policy.ts';
import { renderHome } from '../blocks/home.ts';
import type { BotDeps } from '../deps.ts';
import { asJson } from '../web-api-json.ts';

/** Publishes one person's Home tab: what waits on them, then their open hotfixes, then the others. */
export const publishHome = async (deps: BotDeps, client: WebClient, user: string): Promise<void> => {
  try {
    const ids = await deps.store.listOpen();
    const states = await Promise.all(ids.map((id) => deps.handler.state(id)));
    const policy = deps.policy();
    const view = renderHome(states, keyOf(policy, { platform: 'slack', id: user }), {
      policy,
      timezone: deps.config().timezone,
      now: deps.clock.now(),
    });
    await client.views.publish({ user_id: user, view: asJson(view) });
  } catch (error) {
    deps.log.warn({ user, err: String(error) }, 'could not publish the Home tab');
  }
};

/** The App Home tab, drawn each time it is opened. */
export const registerHome = (app: App, deps: BotDeps): void => {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  });
};
