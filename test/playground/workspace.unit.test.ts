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
    expect(built.people).toEqual([
      { id: 'U0ALICE', name: 'alice', roles: ['technical', 'management'] },
      { id: 'U0BOB', name: 'bob', roles: ['technical'] },
      { id: 'U0CAROL', name: 'carol', roles: ['business'] },
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

  it('is a workspace the stand-in accepts', () => {
    const built = workspaceFromConfig({ people: people({ technical: ['U0ALICE'], support: ['U0DAVE'] }) });
    const standIn = createSlackStandIn({ workspace: built.workspace });
    expect(standIn.channel(built.channel)?.members).toEqual(['U0ALICE', 'U0DAVE', 'U0HOTFIXBOT']);
  });
});
