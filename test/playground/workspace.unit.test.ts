import { describe, expect, it } from 'vitest';
import { nameFromId, workspaceFromConfig } from '../../src/playground/workspace.ts';
import { createSlackStandIn } from '../../src/slack-stand-in/index.ts';

const people = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([role, slack]) => [role, { slack, teams: [] }]));

describe('the playground workspace', () => {
  it('derives names from member ids', () => {
    expect(nameFromId('U0ALICE')).toBe('alice');
    expect(nameFromId('W0ERIN')).toBe('erin');
    expect(nameFromId('U123ABC')).toBe('123abc');
    expect(nameFromId('U0')).toBe('0');
  });

  it('gives each person all their roles, in config order, and the incident channel', () => {
    const built = workspaceFromConfig({
      people: people({ technical: ['U0ALICE', 'U0BOB'], management: ['U0ALICE'], business: ['U0CAROL'] }),
      slack: { incident_channel: 'C0HOTFIX', channel_per_hotfix: false },
    });
    const slackPerson = (id: string, name: string, roles: string[]) => ({
      id,
      name,
      displayName: name.charAt(0).toUpperCase() + name.slice(1),
      roles,
      slackId: id,
    });
    expect(built.people).toEqual([
      slackPerson('U0ALICE', 'alice', ['technical', 'management']),
      slackPerson('U0BOB', 'bob', ['technical']),
      slackPerson('U0CAROL', 'carol', ['business']),
    ]);
    expect(built.channel).toBe('C0HOTFIX');
    expect(built.workspace.users).toContainEqual({ id: 'U0ALICE', name: 'alice', real_name: 'Alice' });
    expect(built.workspace.channels).toEqual([{ id: 'C0HOTFIX', name: 'incidents' }]);
  });

  it('keeps names unique and falls back to a default channel without a slack section', () => {
    const built = workspaceFromConfig({ people: people({ technical: ['U0ALICE', 'W0ALICE'] }) });
    expect(built.people.map((p) => p.name)).toEqual(['alice', 'alice2']);
    expect(built.channel).toBe('C0INCIDENTS');
  });

  it('takes the persons form of people as it is: one person per human, with their name and both ids', () => {
    const built = workspaceFromConfig({
      people: {},
      directory: [
        { handle: 'alice', name: 'Alice Martin', roles: ['technical'], slack: 'U0ALICE', teams: 'aad-alice' },
        { handle: 'tom', name: 'tom', roles: ['business'], teams: 'aad-tom' },
      ],
    });
    expect(built.people).toEqual([
      {
        id: 'U0ALICE',
        name: 'alice',
        displayName: 'Alice Martin',
        roles: ['technical'],
        slackId: 'U0ALICE',
        teamsId: 'aad-alice',
      },
      { id: 'aad-tom', name: 'tom', displayName: 'tom', roles: ['business'], teamsId: 'aad-tom' },
    ]);
    // Only people with a Slack id are users of the Slack stand-in.
    expect(built.workspace.users).toEqual([{ id: 'U0ALICE', name: 'alice', real_name: 'Alice Martin' }]);
  });

  it('keeps Teams ids of the role form as people of their own (it cannot say who is who)', () => {
    const built = workspaceFromConfig({ people: { technical: { slack: ['U0ALICE'], teams: ['aad-1'] } } });
    expect(built.people.map((p) => [p.id, p.slackId, p.teamsId])).toEqual([
      ['U0ALICE', 'U0ALICE', undefined],
      ['aad-1', undefined, 'aad-1'],
    ]);
  });

  it('is a workspace the stand-in accepts', () => {
    const built = workspaceFromConfig({ people: people({ technical: ['U0ALICE'], support: ['U0DAVE'] }) });
    const standIn = createSlackStandIn({ workspace: built.workspace });
    expect(standIn.channel(built.channel)?.members).toEqual(['U0ALICE', 'U0DAVE', 'U0HOTFIXBOT']);
  });
});
