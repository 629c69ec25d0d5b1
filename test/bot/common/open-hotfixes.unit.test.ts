import { describe, expect, it } from 'vitest';
import { openHotfixes, statusSelection } from '../../../src/bot/common/open-hotfixes.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { initialState } from '../../../src/domain/hotfix/state.ts';
import { people, policy } from '../../domain/fixtures/policy.ts';
import { started } from '../../domain/scenarios.ts';
import { play } from '../../domain/given.ts';

describe('`status` without an id, on either edge', () => {
  const mine = started().state;
  const cancelled = play(
    [[{ type: 'CancelHotfix', reason: 'not needed', by: people.requester }]],
    {},
    started().history,
  ).state;
  const someoneElses = {
    ...mine,
    id: 'HF-2',
    requester: people.biz,
    authors: [],
    plan: { ...mine.plan, resources: { technical: [], support: [], business: [], management: [] } },
  } as HotfixState;

  it('reads the open hotfixes only', async () => {
    const states: Record<string, HotfixState> = { 'HF-1': mine, 'HF-2': someoneElses, 'HF-3': cancelled };
    const open = await openHotfixes({
      store: { listOpen: async () => Object.keys(states) },
      handler: { state: async (id) => states[id] ?? initialState() },
    });
    expect(open.map((s) => s.id)).toEqual(['HF-1', 'HF-2']);
  });

  it("shows the person's own hotfixes when they have any, else every open one", () => {
    expect(statusSelection([mine, someoneElses], people.requester, policy)).toEqual({
      shown: [mine],
      mine: true,
    });
    expect(statusSelection([mine, someoneElses], { platform: 'teams', id: 'aad-nobody' }, policy)).toEqual({
      shown: [mine, someoneElses],
      mine: false,
    });
  });
});
