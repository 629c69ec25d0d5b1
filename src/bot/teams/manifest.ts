import { createHash } from 'node:crypto';
import type { TeamsManifestV1D22 } from '@microsoft/app-manifest';
import { USAGE } from '../common/command-text.ts';

/**
 * The manifest version the package declares. 1.22 is the newest version Microsoft's manifest reference names
 * as current for Teams and the newest whose types @microsoft/app-manifest documents; the later schemas it ships
 * (1.23–1.30) add agent and Copilot features this bot does not use.
 */
export const TEAMS_MANIFEST_VERSION = '1.22';
export const TEAMS_MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${TEAMS_MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

export type TeamsManifest = TeamsManifestV1D22.TeamsManifestV1D22;

/** An entry of the bot's command menu: the title is what Teams puts in the compose box after the mention. */
export interface TeamsBotCommand {
  readonly title: string;
  readonly description: string;
}

export interface TeamsManifestInput {
  readonly appId: string;
  /** The Azure Bot's Microsoft App ID (MicrosoftAppId). */
  readonly botId: string;
  /** The app's own version (semver), from package.json. */
  readonly version: string;
  /** The https URL Teams reaches the bot at; its hostname is the app's one valid domain. */
  readonly host: URL;
  readonly shortName: string;
  readonly developer: {
    readonly name: string;
    readonly websiteUrl: string;
    readonly privacyUrl: string;
    readonly termsOfUseUrl: string;
  };
  readonly accentColor: string;
}

/**
 * The bot's command menu, from the same lines as the bot's help: the subcommand, what it does, its arguments.
 * One entry per subcommand word (the first line of it: `issue resolve …` and the like stay in the help).
 */
export const TEAMS_BOT_COMMANDS: readonly TeamsBotCommand[] = USAGE.map(([syntax, summary]) => {
  const usage = syntax.replace(/^\/hotfix\s+/, '');
  const [title = usage, ...args] = usage.split(' ');
  const description = `${summary.charAt(0).toUpperCase()}${summary.slice(1)}`;
  return { title, description: args.length === 0 ? description : `${description} — ${usage}` };
}).filter((command, i, all) => all.findIndex((c) => c.title === command.title) === i);

export const TEAMS_ICON_FILES = { color: 'color.png', outline: 'outline.png' } as const;

// A fixed namespace, so the same bot id always yields the same app id: every package for a bot is one Teams app.
const APP_ID_NAMESPACE = Buffer.from('5f0c8e2a7b1d4e6f9a3c2b1d0e4f6a8b', 'hex');

/** The Teams app id for a bot: a name-based (version 5) UUID of the bot id, stable across runs. */
export const teamsAppIdFor = (botId: string): string => {
  const hash = createHash('sha1').update(APP_ID_NAMESPACE).update(botId.toLowerCase()).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The manifest of the hotfix Teams app: one conversational bot in channels (`team`) and 1:1 chats (`personal`)
 * with the same command menu in both. No `webApplicationInfo`: there is no tab or SSO, and the bot
 * authenticates with Bot Framework tokens, not user tokens.
 */
export const buildTeamsManifest = (input: TeamsManifestInput): TeamsManifest => {
  const commands = TEAMS_BOT_COMMANDS.map(({ title, description }) => ({ title, description }));
  return {
    $schema: TEAMS_MANIFEST_SCHEMA_URL,
    manifestVersion: TEAMS_MANIFEST_VERSION,
    version: input.version,
    id: input.appId,
    developer: { ...input.developer },
    name: { short: input.shortName, full: `${input.shortName}: urgent production fixes, run from chat` },
    description: {
      short: 'Plan, approve, deploy and roll back an urgent production fix',
      full:
        'Runs a hotfix from the incident channel: plan it, tick the readiness checklists, collect approvals ' +
        'from named roles, deploy through your pipelines, vote on a rollback, watch the monitoring window ' +
        'and sign off. Every step is recorded in a tamper-evident trail, and the hotfix ends with a ' +
        'deployment record.',
    },
    icons: { ...TEAMS_ICON_FILES },
    accentColor: input.accentColor,
    bots: [
      {
        botId: input.botId,
        scopes: ['team', 'personal'],
        isNotificationOnly: false,
        supportsFiles: false,
        commandLists: [
          { scopes: ['team'], commands },
          { scopes: ['personal'], commands },
        ],
      },
    ],
    // identity: roles are Entra users (from.aadObjectId); messageTeamMembers: the bot may write to people 1:1.
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [input.host.hostname],
  };
};
