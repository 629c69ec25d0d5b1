import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfigFile, parseConfig } from '../../src/config/load.ts';
import type { ConfigResult } from '../../src/config/load.ts';

const fixture = (name: string): string => new URL(`../fixtures/config/${name}`, import.meta.url).pathname;
const example = new URL('../../config/hotfix.example.yml', import.meta.url).pathname;

/** The lines `hotfix config check` would print for the text, as if it were hotfix.yml. */
const check = (text: string): string[] => {
  const result = parseConfig(text, 'hotfix.yml');
  return result.ok ? [] : result.problems.map(formatProblem);
};

const checkFixture = async (name: string): Promise<string[]> =>
  check(await readFile(fixture(`invalid/${name}`), 'utf8'));

const valid = (result: ConfigResult) => {
  if (!result.ok)
    throw new Error(`expected a valid config:\n${result.problems.map(formatProblem).join('\n')}`);
  return result;
};

describe('valid configs', () => {
  it('accepts the example config, which uses every feature', async () => {
    const { config } = valid(await loadConfigFile(example));
    const kinds = new Set(
      Object.values(config.services).flatMap((s) =>
        [...s.deploy.preparation, ...s.deploy.execution, ...s.deploy.verification].map((step) => step.kind),
      ),
    );
    expect([...kinds].sort()).toEqual(['check', 'http', 'manual', 'run', 'wait']);
  });

  it('fills in the defaults of the minimal config', async () => {
    const { config } = valid(await loadConfigFile(fixture('minimal.yml')));
    expect(config.timezone).toBe('UTC');
    expect(config.policy).toEqual({
      approvals: { technical: 1 },
      self_approval: false,
      signoffs: [],
      verification_period: 30 * 60_000,
      rollback: { on_failure: 'propose', vote: { quorum: 1, require: [], expires_after: 15 * 60_000 } },
    });
    expect(config.checklists).toEqual({ code_readiness: [], environment_readiness: [] });
    expect(config.secrets).toEqual({ env: [], patterns: [] });
    expect(config.services.api?.deploy.execution[0]).toEqual({
      kind: 'run',
      name: 'Code deployment',
      run: ['./scripts/deploy.sh', '{{service}}', '{{plan.version}}'],
      env: {},
      secret_env: [],
      attempts: 1,
      roles: [],
      tags: [],
    });
  });

  it('parses durations to milliseconds and labels to checklist items', () => {
    const { config } = valid(
      parseConfig(
        [
          'people: { technical: { slack: [U0TECH1] } }',
          'policy: { approvals: { technical: 1 }, verification_period: 1h30m }',
          'checklists: { code_readiness: [Tests passed, { item: CI green, check: { run: [./ci.sh] } }] }',
          'services:',
          '  api:',
          '    deploy: { execution: [{ name: Soak, wait: 90s, timeout: 2m }] }',
          '    rollback: { execution: [{ name: Back, manual: Roll back by hand }] }',
        ].join('\n'),
        'hotfix.yml',
      ),
    );
    expect(config.policy.verification_period).toBe(5_400_000);
    expect(config.services.api?.deploy.execution[0]).toMatchObject({
      kind: 'wait',
      wait: 90_000,
      timeout: 120_000,
    });
    expect(config.checklists.code_readiness.map((i) => [i.item, i.check?.kind])).toEqual([
      ['Tests passed', undefined],
      ['CI green', 'run'],
    ]);
  });
});

describe('problems, each on the line to fix', () => {
  // The fixtures are small files under test/fixtures/config/invalid; the numbers are their line numbers.
  it('refuses roles that people does not define', async () => {
    expect(await checkFixture('unknown-roles.yml')).toEqual([
      'hotfix.yml:7 policy.approvals.qa: unknown role "qa" (people defines: technical, business, management)',
      'hotfix.yml:8 policy.signoffs[1]: unknown role "busines" (did you mean "business"?)',
      'hotfix.yml:11 policy.rollback.vote.eligible[1]: unknown role "support" (people defines: technical, business, management)',
      'hotfix.yml:12 policy.rollback.vote.require[0]: unknown role "managment" (did you mean "management"?)',
      'hotfix.yml:19 services.api.deploy.execution[0].roles[0]: unknown role "dba" (people defines: technical, business, management)',
    ]);
  });

  it('refuses more approvals than a role has people', async () => {
    expect(await checkFixture('approvals-too-many.yml')).toEqual([
      'hotfix.yml:6 policy.approvals.technical: needs 3 approvals but role "technical" has only 2 people: no plan could ever be approved',
    ]);
  });

  it('refuses approvals that need one person to count for two roles', async () => {
    expect(await checkFixture('approvals-shared-people.yml')).toEqual([
      'hotfix.yml:8 policy.approvals: needs 3 distinct approvers, but one person counts for one role only and these roles share people: at most 2 can approve, so no plan could ever be approved',
    ]);
  });

  it('refuses a rollback vote that could never pass', async () => {
    expect(await checkFixture('vote.yml')).toEqual([
      'hotfix.yml:12 policy.rollback.vote.quorum: quorum 3 is more than the 2 people who may vote (technical, support): no rollback vote could pass',
      'hotfix.yml:13 policy.rollback.vote.require[0]: role "management" is required to vote but is not eligible: add it to eligible',
    ]);
  });

  it('refuses services without execution steps, duplicate names and checks that never run', async () => {
    expect(await checkFixture('pipelines.yml')).toEqual([
      // A missing key is reported on the line of the mapping that lacks it.
      'hotfix.yml:8 services.api.rollback.execution: a service needs at least one rollback execution step (a manual step will do), or a passed rollback vote would do nothing',
      'hotfix.yml:9 services.api.deploy.execution: a service needs at least one deploy execution step',
      'hotfix.yml:11 services.api.deploy.preparation[0].backoff: use interval (fixed delay) or backoff (doubling delay), not both',
      'hotfix.yml:13 services.api.deploy.verification[0].name: step name "Backup" is already used by deploy.preparation[0]: names identify steps in chat',
      'hotfix.yml:15 services.api.monitor[0].every: every 1h is longer than policy.verification_period (20m): this check would never run',
      'hotfix.yml:16 services.api.monitor[1].name: another monitor check is already named "Health" (monitor[0])',
      `hotfix.yml:23 services.worker.deploy.execution[0].secret_env[0]: "TOKEN" is also set in env: a secret comes from the worker's environment only`,
    ]);
  });

  it('refuses unknown template variables and templates where nothing substitutes them', async () => {
    const notHere =
      'templates are not substituted here, only in run arguments, URLs, headers and http bodies';
    expect(await checkFixture('templates.yml')).toEqual([
      'hotfix.yml:9 checklists.code_readiness[0].check.run[1]: "{{service}}" is not available in a checklist check',
      'hotfix.yml:15 services.api.deploy.execution[0].run[1]: unknown template variable "{{plan.verison}}" (did you mean "{{plan.version}}"?)',
      'hotfix.yml:15 services.api.deploy.execution[0].run[2]: unbalanced "{{" or "}}" in "--tag={{hotfix.id}"',
      `hotfix.yml:16 services.api.deploy.execution[0].env.VERSION: ${notHere}`,
      'hotfix.yml:20 services.api.deploy.execution[1].http.headers.X-Run: unknown template variable "{{run.idd}}" (did you mean "{{run.id}}"?)',
      'hotfix.yml:21 services.api.deploy.execution[1].http.body.blocks[0].text: unknown template variable "{{servce}}" (did you mean "{{service}}"?)',
      'hotfix.yml:27 services.api.monitor[0].check.url: "{{step.attempt}}" is not available in a monitor check',
      `hotfix.yml:28 services.api.monitor[0].check.expect.body_contains: ${notHere}`,
    ]);
  });

  it('explains structural mistakes in YAML terms, at the key concerned', async () => {
    const duration = 'expected a duration such as 500ms, 30s, 10m, 2h, 1d or 1h30m';
    expect(await checkFixture('types.yml')).toEqual([
      'hotfix.yml:2 timezone: expected an IANA time zone such as UTC or Europe/Paris, got "Europe/Pariss"',
      'hotfix.yml:4 slack.incident_channel: expected a Slack channel id such as C0123ABCD (not its #name), got "#incidents"',
      "hotfix.yml:6 people.technical: expected a person ({ roles, slack, teams }) or a role's members ({ slack: [ids], teams: [ids] }), got a list",
      'hotfix.yml:7 people.support.tems: unknown key "tems" (did you mean "teams"?)',
      'hotfix.yml:9 policy.approvals.technical: must be at least 1, got the number 0',
      `hotfix.yml:10 policy.verification_period: ${duration}, got "10x"`,
      'hotfix.yml:12 policy.rollback.on_failure: expected one of "off", "propose", "execute", got "rollback"',
      'hotfix.yml:13 policy.rollback.vote.expires_after: must be longer than 0, got "0s"',
      'hotfix.yml:13 policy.rollback.vote.quorum: expected a whole number, got the number 1.5',
      'hotfix.yml:15 checklists.code_readiness[1]: expected a label, { item: label, check: {...} } or { item: label, from: approvals }, got the number 42',
      // A step is explained as the kind it was clearly meant to be...
      'hotfix.yml:20 services.api.deploy.preparation[0].run: expected a command as a list, [program, ...args], got "./backup.sh"',
      'hotfix.yml:20 services.api.deploy.preparation[0].timout: unknown key "timout" (did you mean "timeout"?)',
      'hotfix.yml:21 services.api.deploy.preparation[1].http.url: expected an http:// or https:// URL, got "hooks.example.com/x"',
      // ...or as a whole when it is two kinds at once.
      'hotfix.yml:22 services.api.deploy.preparation[2]: a step needs a name and exactly one of run, http, check, manual or wait',
      'hotfix.yml:23 services.api.deploy.preparation[3].name: missing (required)',
      `hotfix.yml:24 services.api.deploy.preparation[4].wait: ${duration}, got the number 30`,
      'hotfix.yml:28 services.api.deploy.preparation[5].check.expect.json[0].path: expected a JSON path such as status, checks.db.ok or items[0].state, got "a..b"',
      'hotfix.yml:28 services.api.deploy.preparation[5].check.expect.json[0].value: "lt" compares numbers: value must be a number',
      'hotfix.yml:30 services.api.deploy.execution[0].run[1]: expected a string, got the number 1.2 (quote it: "1.2")',
      'hotfix.yml:30 services.api.deploy.execution[0].when: expected one of "database_changes", "config_changes", "code_changes", got "always"',
      'hotfix.yml:34 secrets.patterns[0]: expected a regular expression, got "(unclosed"',
      'hotfix.yml:34 secrets.patterns[1]: matches the empty string, so it would mask nothing useful',
    ]);
  });

  it('reports YAML syntax errors with their line, before any validation', () => {
    expect(
      check(
        ['people:', '  technical: { slack: [U0TECH1] }', 'policy:', '  approvals: { technical: 1 }}'].join(
          '\n',
        ),
      ),
    ).toEqual(['hotfix.yml:4: Unexpected flow-map-end token in YAML stream: "}"']);
    expect(check(['people: {}', 'policy: {}', 'people: {}'].join('\n'))).toEqual([
      'hotfix.yml:3: duplicate key "people"',
    ]);
    expect(check(['people: {}', '---', 'policy: {}'].join('\n'))).toEqual([
      'hotfix.yml:2: hotfix.yml holds one YAML document; remove the second "---"',
    ]);
    expect(check('people: *nobody\n')).toEqual(['hotfix.yml:1: unknown anchor "*nobody"']);
  });

  it('says what is missing at the top of an almost empty file', () => {
    expect(check('')).toEqual(['hotfix.yml:1: the file is empty']);
    expect(check('# nothing yet\ntimezone: UTC\n')).toEqual([
      'hotfix.yml:2 people: missing (required)',
      'hotfix.yml:2 policy: missing (required)',
      'hotfix.yml:2 services: missing (required)',
    ]);
    expect(check('- a list\n')).toEqual(['hotfix.yml:1: expected a mapping, got a list']);
  });

  it('reports a file that cannot be read as one problem naming it', async () => {
    const result = await loadConfigFile('does/not/exist.yml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'does/not/exist.yml: no such file (give a path, or set HOTFIX_CONFIG)',
    ]);
  });
});

describe('people in the persons form', () => {
  const rest = [
    'policy: { approvals: { technical: 1, management: 1 } }',
    'services:',
    '  api:',
    '    deploy: { execution: [{ name: Go, run: [./go.sh] }] }',
    '    rollback: { execution: [{ name: Back, run: [./back.sh] }] }',
  ];
  const withPeople = (...lines: string[]) => ['people:', ...lines, ...rest].join('\n');

  it('parses to the role map the rules read, plus the directory of persons', () => {
    const { config } = valid(
      parseConfig(
        withPeople(
          '  alice:',
          '    name: Alice Martin',
          '    roles: [technical, management]',
          '    slack: U0ALICE',
          '    teams: 00000000-0000-0000-0000-00000000a11c',
          '  bob: { roles: [technical], slack: U0BOB }',
          '  tom: { roles: [management], teams: 29:tom }',
        ),
        'hotfix.yml',
      ),
    );
    expect(config.people).toEqual({
      technical: { slack: ['U0ALICE', 'U0BOB'], teams: ['00000000-0000-0000-0000-00000000a11c'] },
      management: { slack: ['U0ALICE'], teams: ['00000000-0000-0000-0000-00000000a11c', '29:tom'] },
    });
    expect(config.directory).toEqual([
      {
        handle: 'alice',
        name: 'Alice Martin',
        roles: ['technical', 'management'],
        slack: 'U0ALICE',
        teams: '00000000-0000-0000-0000-00000000a11c',
      },
      { handle: 'bob', name: 'bob', roles: ['technical'], slack: 'U0BOB' },
      { handle: 'tom', name: 'tom', roles: ['management'], teams: '29:tom' },
    ]);
  });

  it('keeps the role form valid, with an empty directory', async () => {
    const { config } = valid(await loadConfigFile(fixture('minimal.yml')));
    expect(config.directory).toEqual([]);
    expect(config.people).toEqual({ technical: { slack: ['U0TECH1'], teams: [] } });
  });

  it('refuses a file that mixes the two forms, at the first entry of the other form', () => {
    expect(
      check(
        withPeople(
          '  alice: { roles: [technical, management], slack: U0ALICE }',
          '  support: { slack: [U0DAVE] }',
        ),
      ),
    ).toEqual([
      `hotfix.yml:3 people.support: "support" is a role's members ({ slack: [ids], teams: [ids] }), but "alice" is a person ({ roles, slack, teams }): use one form for all of people`,
    ]);
    expect(
      check(
        withPeople('  technical: { slack: [U0BOB] }', '  alice: { roles: [management], slack: U0ALICE }'),
      ),
    ).toEqual([
      `hotfix.yml:3 people.alice: "alice" is a person ({ roles, slack, teams }), but "technical" is a role's members ({ slack: [ids], teams: [ids] }): use one form for all of people`,
    ]);
  });

  it('needs a role and an id per person, and one person per id', () => {
    expect(
      check(
        withPeople(
          '  alice: { roles: [technical], slack: U0ALICE, teams: aad-1 }',
          '  bob: { roles: [], slack: U0BOB }',
          '  carol: { roles: [management] }',
          '  dave: { roles: [management, management], slack: U0ALICE, teams: AAD-1 }',
          '  erin: { roles: [technical], slack: [U0ERIN] }',
          '  fred: { roles: [technical], slak: U0FRED }',
        ),
      ),
    ).toEqual([
      'hotfix.yml:3 people.bob.roles: a person needs at least one role',
      'hotfix.yml:4 people.carol: a person needs a slack or a teams id (or both)',
      'hotfix.yml:6 people.erin.slack: expected one Slack member id such as U0123ABCD, got a list',
      'hotfix.yml:7 people.fred: a person needs a slack or a teams id (or both)',
      'hotfix.yml:7 people.fred.slak: unknown key "slak" (did you mean "slack"?)',
    ]);
    expect(
      check(
        withPeople(
          '  alice: { roles: [technical], slack: U0ALICE, teams: aad-1 }',
          '  dave: { roles: [management, management], slack: U0ALICE, teams: AAD-1 }',
        ),
      ),
    ).toEqual([
      'hotfix.yml:3 people.dave.roles[1]: "management" is listed twice (first at [0])',
      "hotfix.yml:3 people.dave.slack: U0ALICE is already alice's slack id: one id belongs to one person",
      "hotfix.yml:3 people.dave.teams: AAD-1 is already alice's teams id: one id belongs to one person",
    ]);
  });

  it('counts a person with ids on both platforms once for the rules', () => {
    // alice alone in technical: two ids, but one approver.
    expect(
      check(
        withPeople(
          '  alice: { roles: [technical], slack: U0ALICE, teams: aad-1 }',
          '  erin: { roles: [management], slack: U0ERIN }',
        ).replace('technical: 1,', 'technical: 2,'),
      ),
    ).toEqual([
      'hotfix.yml:4 policy.approvals.technical: needs 2 approvals but role "technical" has only 1 person: no plan could ever be approved',
    ]);
  });
});
