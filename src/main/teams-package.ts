import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import { z } from 'zod';
import {
  buildTeamsManifest,
  TEAMS_ICON_FILES,
  TEAMS_MANIFEST_VERSION,
  teamsAppIdFor,
  type TeamsManifest,
} from '../bot/teams/manifest.ts';
import type { CliDeps } from './commands/command.ts';
import { colorIconPng, outlineIconPng } from './teams-icons.ts';

/** `hotfix teams package` options as commander hands them over. */
export interface TeamsPackageOptions {
  readonly botId: string;
  readonly host: string;
  readonly out: string;
  readonly appId?: string;
  readonly name: string;
  readonly developerName: string;
  readonly websiteUrl?: string;
  readonly privacyUrl?: string;
  readonly termsUrl?: string;
}

const ACCENT_COLOR = '#C4314B';

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

const guid = (flag: string, what: string) =>
  z.string().regex(GUID, {
    error: (issue) =>
      `${flag} must be ${what}, a GUID such as 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f (got ${JSON.stringify(String(issue.input).slice(0, 60))})`,
  });

const httpsUrl = (flag: string, example: string) =>
  z.string().transform((text, ctx) => {
    const url = URL.parse(text);
    if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message: `${flag} must be an https URL such as ${example} (got ${JSON.stringify(text.slice(0, 80))})`,
      });
      return z.NEVER;
    }
    return url;
  });

const text = (flag: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `${flag} must not be empty` })
    .max(max, { error: `${flag} is at most ${max} characters (Teams' limit)` });

const optionsSchema = z.object({
  botId: guid('--bot-id', "the Azure Bot's Microsoft App ID (MicrosoftAppId)"),
  host: httpsUrl('--host', 'https://hotfix.example.com, the address Teams reaches the bot at'),
  out: z.string().min(1, { error: '--out must name a file' }),
  appId: guid('--app-id', 'the Teams app id').optional(),
  name: text('--name', 30),
  developerName: text('--developer-name', 32),
  websiteUrl: httpsUrl('--website-url', 'https://example.com/hotfix').optional(),
  privacyUrl: httpsUrl('--privacy-url', 'https://example.com/privacy').optional(),
  termsUrl: httpsUrl('--terms-url', 'https://example.com/terms').optional(),
});

const require = createRequire(import.meta.url);

/** The JSON schema of the manifest version we declare, as @microsoft/app-manifest ships it (offline). */
const loadManifestSchema = async (): Promise<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]> =>
  JSON.parse(
    await readFile(
      require.resolve(
        `@microsoft/app-manifest/build/json-schemas/teams/v${TEAMS_MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
      ),
      'utf8',
    ),
  ) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];

/** Every way the manifest breaks its declared schema; empty when it validates. */
export const manifestSchemaProblems = async (manifest: TeamsManifest): Promise<string[]> =>
  AppManifestUtils.validateAgainstSchema(manifest, await loadManifestSchema());

// Zip entries carry a local (DOS) time: a date built from local fields is the same entry in every timezone,
// so the same inputs give the same bytes anywhere.
const ZIP_MTIME = new Date(2026, 0, 1);

const writeError = (out: string, error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case 'ENOENT':
      return `cannot write ${out}: its directory does not exist`;
    case 'EISDIR':
      return `cannot write ${out}: it is a directory (give a file name, e.g. ${out.replace(/\/?$/, '/hotfix-teams.zip')})`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `cannot write ${out}: permission denied`;
    default:
      return `cannot write ${out}: ${error.message}`;
  }
};

/**
 * `hotfix teams package`: the Teams app package (manifest.json, color.png, outline.png), checked against the
 * manifest schema of the version it declares before anything is written.
 */
export const writeTeamsPackage = async (raw: TeamsPackageOptions, deps: CliDeps): Promise<void> => {
  const fail = (lines: readonly string[]): void => {
    for (const line of lines) deps.stderr(`hotfix: ${line}\n`);
    deps.setExitCode(1);
  };
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    fail(parsed.error.issues.map((issue) => issue.message));
    return;
  }
  const options = parsed.data;
  const site = options.websiteUrl ?? options.host;
  const manifest = buildTeamsManifest({
    appId: (options.appId ?? teamsAppIdFor(options.botId)).toLowerCase(),
    botId: options.botId.toLowerCase(),
    version: deps.version,
    host: options.host,
    shortName: options.name,
    developer: {
      name: options.developerName,
      websiteUrl: site.href,
      privacyUrl: (options.privacyUrl ?? site).href,
      termsOfUseUrl: (options.termsUrl ?? site).href,
    },
    accentColor: ACCENT_COLOR,
  });
  const problems = await manifestSchemaProblems(manifest);
  if (problems.length > 0) {
    fail(
      problems.map((problem) => `the manifest breaks the Teams ${TEAMS_MANIFEST_VERSION} schema: ${problem}`),
    );
    return;
  }

  const zip = zipSync(
    {
      'manifest.json': new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
      [TEAMS_ICON_FILES.color]: colorIconPng(ACCENT_COLOR),
      [TEAMS_ICON_FILES.outline]: outlineIconPng(),
    },
    { level: 9, mtime: ZIP_MTIME },
  );
  try {
    await writeFile(options.out, zip);
  } catch (error) {
    fail([writeError(options.out, error as NodeJS.ErrnoException)]);
    return;
  }

  deps.stdout(
    [
      `${options.out}: Teams app ${manifest.id} ${manifest.version} (manifest ${TEAMS_MANIFEST_VERSION}) for bot ${options.botId.toLowerCase()}`,
      `Set the Azure Bot's messaging endpoint to ${options.host.origin}${options.host.pathname.replace(/\/$/, '')}/api/messages`,
      // Before that, hotfix serve answers 404 there: say what opens it.
      `  hotfix serve answers there once it runs with MicrosoftAppId=${options.botId.toLowerCase()} and its MicrosoftAppPassword`,
      'Upload the zip in Teams: Apps → Manage your apps → Upload an app → Upload a custom app',
      '',
    ].join('\n'),
  );
  if (options.privacyUrl === undefined || options.termsUrl === undefined)
    deps.stderr(
      `hotfix: note: the developer's privacy and terms links point at ${site.href}; pass --privacy-url and --terms-url before publishing the app to your organisation's catalog\n`,
    );
};
