import type { App } from '@slack/bolt';
import { personKey } from '../../../domain/hotfix/people.ts';
import { renderHome } from '../blocks/home.ts';
import type { BotDeps } from '../deps.ts';

/** The App Home tab: what waits on this person, then their open hotfixes, then the others. */
export const registerHome = (app: App, deps: BotDeps): void => {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const ids = await deps.store.listOpen();
    const states = await Promise.all(ids.map((id) => deps.handler.state(id)));
    const view = renderHome(states, personKey({ platform: 'slack', id: event.user }), {
      policy: deps.policy(),
      timezone: deps.config().timezone,
      now: deps.clock.now(),
    });
    try {
      await client.views.publish({ user_id: event.user, view });
    } catch (error) {
      deps.log.warn({ user: event.user, err: String(error) }, 'views.publish failed');
    }
  });
};
