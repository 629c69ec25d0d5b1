import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/playground/index.ts';
import { DEFAULT_TEAMS_CHANNEL, teamsTenantFor } from '../../src/playground/index.ts';
import { createTeamsStandIn } from '../../src/teams-stand-in/index.ts';

const person = (name: string, teamsId?: string): Person => ({
  id: `U0${name.toUpperCase()}`,
  name,
  displayName: name.charAt(0).toUpperCase() + name.slice(1),
  roles: ['technical'],
  slackId: `U0${name.toUpperCase()}`,
  ...(teamsId === undefined ? {} : { teamsId }),
});

describe("the playground's Teams tenant", () => {
  it('has a user for each person with a Teams id, by Entra object id or 29: id, and the incident channel', () => {
    const { tenant, skipped } = teamsTenantFor(
      [
        person('alice', '00000000-0000-0000-0000-0000000A11CE'),
        person('bob', '29:1bobsTeamsId'),
        person('carol'),
        person('dave', 'dave@example.com'),
      ],
      DEFAULT_TEAMS_CHANNEL,
    );
    expect(tenant.users).toEqual([
      {
        aadObjectId: '00000000-0000-0000-0000-0000000a11ce',
        name: 'Alice',
        email: 'alice@playground.example',
      },
      {
        aadObjectId: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        id: '29:1bobsTeamsId',
        name: 'Bob',
        email: 'bob@playground.example',
      },
    ]);
    expect(skipped).toEqual([{ person: person('dave', 'dave@example.com'), id: 'dave@example.com' }]);
    expect(tenant.channels).toEqual([{ id: DEFAULT_TEAMS_CHANNEL, name: 'incidents' }]);
    expect(tenant.team.id).not.toBe(DEFAULT_TEAMS_CHANNEL);
    // The Bot Connector stand-in takes it as it is.
    const standIn = createTeamsStandIn({ tenant });
    expect(standIn.user('29:1bobsTeamsId')?.name).toBe('Bob');
    expect(standIn.user('00000000-0000-0000-0000-0000000a11ce')?.name).toBe('Alice');
  });
});
