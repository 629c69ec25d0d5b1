import type { Env } from '../config/env.ts';

// Which chat platforms a process serves, and what it says when the config lacks one: kept apart from the
// platforms' wiring (slack.ts, teams.ts) so a process loads Bolt or botbuilder only for a platform it serves.

/** Teams is served with an app id (every activity authenticated), or in the local mode without one. */
export const teamsServed = (env: Env): boolean =>
  env.MicrosoftAppId !== undefined || env.HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED;

export const NO_TEAMS_SECTION =
  'Teams is served (MicrosoftAppId or HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED) but hotfix.yml has no teams section: add teams.incident_channel (the channel id hotfix opens a thread per hotfix in)';

export const LOCAL_MODE_WARNING =
  'Teams without authentication (HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED=1, no MicrosoftAppId): anyone who can reach /api/messages can act as anyone in hotfix.yml, and the bot posts wherever an activity says; local use only';

export const NO_SLACK_SECTION =
  'SLACK_BOT_TOKEN is set but hotfix.yml has no slack section: add slack.incident_channel (the channel id hotfix posts cards in)';
