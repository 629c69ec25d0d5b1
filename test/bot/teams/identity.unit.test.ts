import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/load.ts';
import { identifyTeamsSender } from '../../../src/bot/teams/identity.ts';

const LEAD = '6f1c0a8e-2b4d-4c55-9a1e-0d3b7c9e1f20';
const people: Config['people'] = {
  technical: { slack: ['U0TECH1'], teams: [LEAD, '29:1aSupportUserId'] },
  management: { slack: [], teams: [LEAD] },
  business: { slack: ['U0BIZ1'], teams: [] },
};

describe('identifyTeamsSender', () => {
  it('maps from.aadObjectId to the config person with every role it holds', () => {
    expect(identifyTeamsSender({ people }, { id: '29:someone', aadObjectId: LEAD, name: 'Ada' })).toEqual({
      known: true,
      person: { platform: 'teams', id: LEAD, name: 'Ada' },
      roles: ['technical', 'management'],
    });
  });

  it("keeps the config's spelling of an id Teams sends in another case", () => {
    const identity = identifyTeamsSender({ people }, { id: '29:x', aadObjectId: LEAD.toUpperCase() });
    expect(identity).toMatchObject({ known: true, person: { id: LEAD } });
  });

  it('takes a 29: user id the config lists when the object id is not listed', () => {
    const identity = identifyTeamsSender({ people }, { id: '29:1aSupportUserId', aadObjectId: 'not-listed' });
    expect(identity).toEqual({
      known: true,
      person: { platform: 'teams', id: '29:1aSupportUserId' },
      roles: ['technical'],
    });
  });

  it('refuses someone the config does not list, naming the id to add and where', () => {
    const identity = identifyTeamsSender(
      { people },
      {
        id: '29:stranger',
        aadObjectId: 'aaaa-bbbb',
        name: 'Eve',
      },
    );
    expect(identity.known).toBe(false);
    if (identity.known) return;
    expect(identity.refusal).toContain('not in hotfix.yml');
    expect(identity.refusal).toContain('aaaa-bbbb');
    expect(identity.refusal).toContain('people.<role>.teams');
  });

  it('never matches a Slack id or an empty id', () => {
    expect(identifyTeamsSender({ people }, { id: 'U0TECH1' }).known).toBe(false);
    expect(identifyTeamsSender({ people }, { id: '', aadObjectId: '' }).known).toBe(false);
  });

  describe('with the persons form of people', () => {
    const config = {
      people: {
        technical: { slack: ['U0ADA'], teams: [LEAD] },
        management: { slack: ['U0ADA'], teams: [LEAD] },
      },
      directory: [
        {
          handle: 'ada',
          name: 'Ada Lovelace',
          roles: ['technical', 'management'],
          slack: 'U0ADA',
          teams: LEAD,
        },
        { handle: 'bob', name: 'bob', roles: ['technical'], slack: 'U0BOB' },
      ],
    };

    it('attaches the handle and the configured name, whatever Teams calls them', () => {
      expect(
        identifyTeamsSender(config, { id: '29:x', aadObjectId: LEAD.toUpperCase(), name: 'A. L.' }),
      ).toEqual({
        known: true,
        person: { platform: 'teams', id: LEAD, person: 'ada', name: 'Ada Lovelace' },
        roles: ['technical', 'management'],
      });
    });

    it('refuses someone with no Teams id there, pointing at people.<handle>.teams', () => {
      const identity = identifyTeamsSender(config, { id: '29:bob', aadObjectId: 'bob-aad' });
      expect(identity.known).toBe(false);
      if (identity.known) return;
      expect(identity.refusal).toContain('bob-aad');
      expect(identity.refusal).toContain('people.<handle>.teams');
    });
  });
});
