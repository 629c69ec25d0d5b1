import type { TeamsPackageOptions } from '../teams-package.ts';
import type { RegisterCommand } from './command.ts';

// The implementation (the manifest schema, its validator, the zip) is imported when the command runs, so
// `hotfix --help` and the other commands start without it.
export const registerTeamsCommands: RegisterCommand = (program, deps) => {
  const teams = program.command('teams').description('Microsoft Teams: build the app package to upload');
  teams
    .command('package')
    .description(
      'write the Teams app package (manifest.json, color.png, outline.png), checked against the manifest schema',
    )
    .requiredOption('--bot-id <id>', "the Azure Bot's Microsoft App ID (MicrosoftAppId), a GUID")
    .requiredOption(
      '--host <url>',
      'the https URL Teams reaches hotfix serve at, e.g. https://hotfix.example.com',
    )
    .option('--out <file>', 'where to write the zip', 'hotfix-teams.zip')
    .option('--app-id <id>', 'the Teams app id, a GUID (default: derived from the bot id, stable)')
    .option('--name <name>', 'the app name Teams shows (at most 30 characters)', 'hotfix')
    .option(
      '--developer-name <name>',
      'who publishes the app in your organisation (at most 32 characters)',
      'hotfix',
    )
    .option('--website-url <url>', "the developer's website (default: --host)")
    .option('--privacy-url <url>', 'the privacy statement (default: the website); set it before publishing')
    .option('--terms-url <url>', 'the terms of use (default: the website); set it before publishing')
    .action(async (options: TeamsPackageOptions) =>
      (await import('../teams-package.ts')).writeTeamsPackage(options, deps),
    );
};
