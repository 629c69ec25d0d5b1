import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync, crc32 } from 'node:zlib';
import { Ajv } from 'ajv';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { TEAMS_MANIFEST_VERSION, teamsAppIdFor, type TeamsManifest } from '../../src/bot/teams/manifest.ts';
import { buildProgram } from '../../src/main/program.ts';
import { manifestSchemaProblems } from '../../src/main/teams-package.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const BOT_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const HOST = 'https://hotfix.example.com';
const COMMANDS = ['start', 'help', 'status', 'list', 'edit', 'issue', 'rollback', 'cancel', 'record'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-teams-package-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `hotfix …` through the real program, in-process, with the package's own version. */
const hotfix = async (args: string[]) => {
  const out = { stdout: '', stderr: '', code: 0 };
  const program = buildProgram({
    env: {},
    version: pkg.version,
    stdout: (text) => (out.stdout += text),
    stderr: (text) => (out.stderr += text),
    setExitCode: (code) => (out.code = code),
  });
  await program.parseAsync(args, { from: 'user' });
  return out;
};

const packageAt = async (out: string, ...extra: string[]) => {
  const result = await hotfix([
    'teams',
    'package',
    '--bot-id',
    BOT_ID,
    '--host',
    HOST,
    '--out',
    out,
    ...extra,
  ]);
  expect(result).toMatchObject({ code: 0, stderr: expect.not.stringMatching(/hotfix: (?!note:)/) });
  const zip = await readFile(out);
  const files = unzipSync(zip);
  const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as TeamsManifest;
  return { zip, files, manifest, result };
};

/** The manifest schema of the declared version, checked with our own ajv, apart from the command's validator. */
const validateAgainstShippedSchema = async (manifest: TeamsManifest) => {
  const schema = JSON.parse(
    await readFile(
      `node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
      'utf8',
    ),
  ) as Record<string, unknown>;
  // A draft-04 schema; ajv 8 reads it without the meta-schema reference.
  delete schema['$schema'];
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  return validate(manifest) ? [] : (validate.errors ?? []);
};

interface Png {
  readonly width: number;
  readonly height: number;
  readonly colorType: number;
  readonly channels: number;
  readonly pixels: Buffer;
}

/** Reads a non-interlaced 8-bit PNG whose rows use filter 0 (as ours do), checking every chunk's CRC. */
const decodePng = (bytes: Uint8Array): Png => {
  const png = Buffer.from(bytes);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `${type} CRC`).toBe(
      crc32(png.subarray(at + 4, at + 8 + length)),
    );
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  if (header === undefined) throw new Error('no IHDR');
  const [width, height, colorType] = [header.readUInt32BE(0), header.readUInt32BE(4), header[9] ?? -1];
  expect(header[8], 'bit depth').toBe(8);
  expect(header[12], 'interlace').toBe(0);
  const channels = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = width * channels;
  expect(raw.length).toBe(height * (rowBytes + 1));
  const pixels = Buffer.alloc(height * rowBytes);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (rowBytes + 1)], `row ${y} filter`).toBe(0);
    raw.copy(pixels, y * rowBytes, y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
  }
  return { width, height, colorType, channels, pixels };
};

describe('hotfix teams package', () => {
  it('writes manifest.json and both icons, and the manifest validates against the schema of its version', async () => {
    const { files, manifest, result } = await packageAt(join(dir, 'hotfix-teams.zip'));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(manifest.manifestVersion).toBe(TEAMS_MANIFEST_VERSION);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${TEAMS_MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    );
    expect(await validateAgainstShippedSchema(manifest)).toEqual([]);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.validDomains).toEqual(['hotfix.example.com']);
    expect(result.stdout).toContain(
      "Set the Azure Bot's messaging endpoint to https://hotfix.example.com/api/messages\n",
    );
    expect(result.stdout).toContain(
      `  hotfix serve answers there once it runs with MicrosoftAppId=${BOT_ID.toLowerCase()} and its MicrosoftAppPassword\n`,
    );
  });

  it('declares one conversational bot in channels and 1:1 chats, with every command in both menus', async () => {
    const { manifest } = await packageAt(join(dir, 'bot.zip'));
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots ?? [];
    expect(bot).toMatchObject({
      botId: BOT_ID,
      scopes: ['team', 'personal'],
      isNotificationOnly: false,
      supportsFiles: false,
    });
    expect(bot?.commandLists?.map((list) => list.scopes)).toEqual([['team'], ['personal']]);
    for (const list of bot?.commandLists ?? []) {
      expect(list.commands.map((command) => command.title).sort()).toEqual([...COMMANDS].sort());
      for (const { title, description } of list.commands) {
        // Teams' documented limits for a command menu entry (the schema allows more).
        expect(title.length).toBeLessThanOrEqual(32);
        expect(description.length, title).toBeGreaterThan(0);
        expect(description.length, title).toBeLessThanOrEqual(128);
      }
    }
    const descriptions = Object.fromEntries(
      bot?.commandLists?.[0]?.commands.map((command) => [command.title, command.description]) ?? [],
    );
    expect(descriptions['start']).toBe('Plan a new hotfix — start [issue-id]');
    expect(descriptions['rollback']).toMatch(/— rollback <id> <reason>$/);
  });

  it('gives a bot the same app id every time, apart from the bot id, unless --app-id names one', async () => {
    const first = await packageAt(join(dir, 'id-1.zip'));
    const second = await packageAt(join(dir, 'id-2.zip'));
    expect(first.manifest.id).toBe(second.manifest.id);
    expect(first.manifest.id).toBe(teamsAppIdFor(BOT_ID));
    expect(first.manifest.id).not.toBe(BOT_ID);
    expect(first.manifest.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(teamsAppIdFor(BOT_ID.toUpperCase())).toBe(first.manifest.id);
    expect(teamsAppIdFor('00000000-0000-0000-0000-000000000001')).not.toBe(first.manifest.id);

    const chosen = await packageAt(join(dir, 'id-3.zip'), '--app-id', 'A1B2C3D4-0000-4000-8000-000000000001');
    expect(chosen.manifest.id).toBe('a1b2c3d4-0000-4000-8000-000000000001');
  });

  it('takes the developer and the name from options, and says which links still need setting', async () => {
    const defaults = await packageAt(join(dir, 'dev-1.zip'));
    expect(defaults.manifest.developer).toEqual({
      name: 'hotfix',
      websiteUrl: 'https://hotfix.example.com/',
      privacyUrl: 'https://hotfix.example.com/',
      termsOfUseUrl: 'https://hotfix.example.com/',
    });
    expect(defaults.manifest.name.short).toBe('hotfix');
    expect(defaults.result.stderr).toBe(
      "hotfix: note: the developer's privacy and terms links point at https://hotfix.example.com/; pass --privacy-url and --terms-url before publishing the app to your organisation's catalog\n",
    );

    const set = await packageAt(
      join(dir, 'dev-2.zip'),
      ...['--name', 'Hotfix (staging)', '--developer-name', 'Example Ltd'],
      ...['--website-url', 'https://example.com/hotfix', '--privacy-url', 'https://example.com/privacy'],
      ...['--terms-url', 'https://example.com/terms'],
    );
    expect(set.manifest.developer).toEqual({
      name: 'Example Ltd',
      websiteUrl: 'https://example.com/hotfix',
      privacyUrl: 'https://example.com/privacy',
      termsOfUseUrl: 'https://example.com/terms',
    });
    expect(set.manifest.name.short).toBe('Hotfix (staging)');
    expect(set.result.stderr).toBe('');
    expect(await validateAgainstShippedSchema(set.manifest)).toEqual([]);
  });

  it('draws a 192×192 colour icon and a 32×32 outline icon in white on transparent', async () => {
    const { files } = await packageAt(join(dir, 'icons.zip'));
    const color = decodePng(files['color.png'] ?? new Uint8Array());
    expect(color).toMatchObject({ width: 192, height: 192, colorType: 2 });
    const colors = new Set<string>();
    for (let at = 0; at < color.pixels.length; at += 3)
      colors.add(color.pixels.subarray(at, at + 3).toString('hex'));
    expect(colors).toContain('ffffff');
    expect(colors).toContain('c4314b');

    const outline = decodePng(files['outline.png'] ?? new Uint8Array());
    expect(outline).toMatchObject({ width: 32, height: 32, colorType: 6 });
    const alphas = new Set<number>();
    for (let at = 0; at < outline.pixels.length; at += 4) {
      expect(outline.pixels.subarray(at, at + 3).toString('hex'), `pixel ${at / 4}`).toBe('ffffff');
      alphas.add(outline.pixels[at + 3] ?? -1);
    }
    expect(alphas).toContain(0);
    expect(alphas).toContain(255);
  });

  it('writes the same bytes for the same inputs, in any timezone', async () => {
    const first = await packageAt(join(dir, 'same-1.zip'));
    const second = await packageAt(join(dir, 'same-2.zip'));
    expect(Buffer.compare(first.zip, second.zip)).toBe(0);

    // The real CLI (from its sources), as an admin runs it, far from this process's timezone.
    const out = join(dir, 'same-3.zip');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...HOTFIX_CLI, 'teams', 'package', '--bot-id', BOT_ID, '--host', HOST, '--out', out],
      {
        env: {
          ...process.env,
          TZ: process.env['TZ'] === 'Pacific/Kiritimati' ? 'UTC' : 'Pacific/Kiritimati',
        },
      },
    );
    expect(stdout).toMatch(/^.*same-3\.zip: Teams app /);
    expect(Buffer.compare(await readFile(out), first.zip)).toBe(0);
  });

  it('is listed by hotfix --help and hotfix teams --help', async () => {
    await expect(hotfix(['--help'])).rejects.toMatchObject({ exitCode: 0 });
    const help = { text: '' };
    const program = buildProgram({
      env: {},
      version: pkg.version,
      stdout: (text) => (help.text += text),
      stderr: (text) => (help.text += text),
      setExitCode: () => undefined,
    });
    await expect(program.parseAsync(['teams', '--help'], { from: 'user' })).rejects.toMatchObject({
      exitCode: 0,
    });
    expect(help.text).toMatch(/\n {2}package \[options\] +write the Teams app package/);
  });
});

describe('hotfix teams package refuses', () => {
  const refusals: [string, string[], string][] = [
    [
      'a host that is not https',
      ['--host', 'http://hotfix.example.com'],
      'hotfix: --host must be an https URL such as https://hotfix.example.com, the address Teams reaches the bot at (got "http://hotfix.example.com")\n',
    ],
    [
      'a host that is no URL',
      ['--host', 'hotfix.example.com'],
      'hotfix: --host must be an https URL such as https://hotfix.example.com, the address Teams reaches the bot at (got "hotfix.example.com")\n',
    ],
    [
      'a bot id that is not a GUID',
      ['--bot-id', '28:hotfix-bot'],
      'hotfix: --bot-id must be the Azure Bot\'s Microsoft App ID (MicrosoftAppId), a GUID such as 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f (got "28:hotfix-bot")\n',
    ],
    [
      'an app id that is not a GUID',
      ['--app-id', 'hotfix'],
      'hotfix: --app-id must be the Teams app id, a GUID such as 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f (got "hotfix")\n',
    ],
    [
      'a name longer than Teams shows',
      ['--name', 'h'.repeat(31)],
      "hotfix: --name is at most 30 characters (Teams' limit)\n",
    ],
    [
      'a developer link that is not https',
      ['--privacy-url', 'http://example.com/privacy'],
      'hotfix: --privacy-url must be an https URL such as https://example.com/privacy (got "http://example.com/privacy")\n',
    ],
  ];

  it('a value with a line break, still on one line', async () => {
    const result = await hotfix([
      'teams',
      'package',
      '--bot-id',
      'x\nhotfix: ok',
      '--host',
      HOST,
      '--out',
      join(dir, 'nl.zip'),
    ]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^hotfix: --bot-id must be .*\(got "x\\nhotfix: ok"\)\n$/),
    });
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it.each(refusals)('%s, with one line and exit code 1, writing nothing', async (_, options, line) => {
    const out = join(dir, 'refused', 'hotfix-teams.zip');
    await mkdir(join(dir, 'refused'), { recursive: true });
    const args = ['--bot-id', BOT_ID, '--host', HOST, '--out', out];
    for (let i = 0; i < options.length; i += 2) {
      const at = args.indexOf(options[i] ?? '');
      if (at >= 0) args[at + 1] = options[i + 1] ?? '';
      else args.push(options[i] ?? '', options[i + 1] ?? '');
    }
    expect(await hotfix(['teams', 'package', ...args])).toEqual({ code: 1, stdout: '', stderr: line });
    expect(await readdir(join(dir, 'refused'))).toEqual([]);
  });

  it('an --out it cannot write, naming why', async () => {
    const missing = join(dir, 'no-such-dir', 'hotfix-teams.zip');
    expect(await hotfix(['teams', 'package', '--bot-id', BOT_ID, '--host', HOST, '--out', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `hotfix: cannot write ${missing}: its directory does not exist\n`,
    });
    const directory = join(dir, 'a-directory');
    await mkdir(directory);
    expect(
      await hotfix(['teams', 'package', '--bot-id', BOT_ID, '--host', HOST, '--out', directory]),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: `hotfix: cannot write ${directory}: it is a directory (give a file name, e.g. ${directory}/hotfix-teams.zip)\n`,
    });
  });

  it('a manifest its schema refuses: the check names each break', async () => {
    const { manifest } = await packageAt(join(dir, 'schema.zip'));
    expect(await manifestSchemaProblems(manifest)).toEqual([]);
    const problems = await manifestSchemaProblems({ ...manifest, accentColor: 'red' });
    expect(problems).toEqual([expect.stringMatching(/^\/accentColor must match pattern/)]);
  });
});
