import { describe, expect, it } from 'vitest';
import { renderThreadLine as slackLine } from '../../../src/bot/slack/blocks/thread.ts';
import { renderThreadLine as teamsLine } from '../../../src/bot/teams/cards/thread.ts';
import { callOf, lastOfCommand } from '../../../src/domain/hotfix/attention.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { Policy } from '../../../src/domain/hotfix/policy.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve, initialState } from '../../../src/domain/hotfix/state.ts';
import { personsCmd, personsPlan, personsPolicy, slack } from '../../domain/fixtures/persons.ts';
import { play } from '../../domain/given.ts';
import { validateCard } from '../teams/cards/validate-card.ts';
import { textOf } from '../slack/blocks/helpers.ts';

/** Each event's line on both platforms, drawn as the surfaces draw them (with who it calls on). */
const lines = (history: readonly HotfixEvent[], policy: Policy) => {
  const states: HotfixState[] = [initialState()];
  for (const event of history) states.push(evolve(states.at(-1)!, event));
  return history.map((event, i) => {
    const stored = { hotfixId: 'HF-1', position: i + 1, event, prevHash: '', hash: '' };
    const before = states[i]!;
    const call = callOf(
      event,
      { before, after: states[i + 1]!, decided: states[lastOfCommand(history, i) + 1]! },
      policy,
    );
    return {
      type: event.type,
      slack: slackLine(stored, before, { timezone: 'UTC', call }),
      teams: teamsLine(stored, before, { timezone: 'UTC', call }),
    };
  });
};

describe('mentions in thread lines', () => {
  const ctx = { policy: personsPolicy };
  const { history } = play([[personsCmd.start(slack('dana'), personsPlan)]], ctx);
  const [started] = lines(history, personsPolicy);

  it('Slack: each approver once as <@U…>, a Teams-only approver by name, the author not at all', () => {
    const text = textOf(started!.slack!.blocks!);
    expect(text).toMatch(/👋 Waiting for your approval: /);
    for (const id of ['U0TECH1', 'U0TECH2', 'U0LEAD', 'U0MGR1', 'U0KIM'])
      expect(text.match(new RegExp(`<@${id}>`, 'g'))).toHaveLength(1);
    // Dana wrote it: her mention is as the actor only.
    expect(text.match(/<@U0DEV>/g)).toHaveLength(1);
    expect(text).not.toMatch(/Waiting for your approval:.*<@U0DEV>/);
    // The message's text stays the line (what both platforms' threads read alike); the blocks mention.
    expect(started!.slack!.text).not.toContain('<@U0MGR1>');
  });

  it('Teams: an <at> mention and an entity per approver on Teams, plain names for the rest', () => {
    const card = started!.teams!.card;
    const entities = card.msteams?.entities ?? [];
    expect(entities.map((e) => e.mentioned.id).sort()).toEqual(
      ['aad-tara', 'aad-lee', 'aad-mia', 'aad-kim'].sort(),
    );
    const body = JSON.stringify(card.body);
    for (const e of entities) {
      expect(e.text).toBe(`<at>${e.mentioned.name}</at>`);
      expect(body.split(e.text)).toHaveLength(2);
    }
    // Theo has no Teams id: named, not mentioned.
    expect(body).toContain('Theo Tech');
    expect(body).not.toContain('<at>Theo Tech</at>');
    expect(started!.teams!.summary).not.toContain('Waiting for your approval');
    expect(validateCard(card)).toEqual([]);
  });

  it('a line that calls nobody has no mentions', () => {
    const { history: more } = play([[personsCmd.approve(slack('tara'), 'technical')]], ctx, history);
    const approved = lines(more, personsPolicy).at(-1);
    expect(textOf(approved!.slack!.blocks!)).not.toContain('👋');
    expect(approved!.teams!.card.msteams?.entities).toBeUndefined();
  });
});
