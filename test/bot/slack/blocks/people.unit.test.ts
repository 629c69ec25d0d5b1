import { describe, expect, it } from 'vitest';
import { renderHome } from '../../../../src/bot/slack/blocks/home.ts';
import { renderManualStepPrompt, renderThreadLine } from '../../../../src/bot/slack/blocks/thread.ts';
import { ACTIONS } from '../../../../src/bot/slack/ids.ts';
import { slackPerson } from '../../../../src/bot/slack/listeners/shared.ts';
import type { HotfixEvent } from '../../../../src/domain/hotfix/events.ts';
import type { Person } from '../../../../src/domain/hotfix/people.ts';
import { keyOf } from '../../../../src/domain/hotfix/policy.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { personsCmd, personsPolicy as policy, slack, teams } from '../../../domain/fixtures/persons.ts';
import { minutes } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import { cmd, DEPLOY_STEPS } from '../../../domain/scenarios.ts';
import { buttons, textOf } from './helpers.ts';

const ctx = { policy };
const started = () => play([[personsCmd.start(slack('dana'))]], ctx);
const home = (states: HotfixState[], who: Person) =>
  renderHome(states, keyOf(policy, who), { policy, timezone: 'UTC', now: minutes(3) });

describe('Slack with people who also use Teams (persons form)', () => {
  it('takes a Slack user as the configured person, with the configured name', () => {
    expect(slackPerson(policy, 'U0TECH1', 'tara.t')).toEqual({
      platform: 'slack',
      id: 'U0TECH1',
      person: 'tara',
      name: 'Tara Tech',
    });
    expect(slackPerson(policy, 'U0NOBODY', 'nick')).toEqual({
      platform: 'slack',
      id: 'U0NOBODY',
      name: 'nick',
    });
  });

  it('shows a Teams-only person by name in the manual step prompt, and each human once', () => {
    const { state } = play(
      [
        [personsCmd.approve(teams('tara'), 'technical')],
        [personsCmd.approve(slack('mia'), 'management')],
        ...[...policy.checklists.code_readiness, ...policy.checklists.environment_readiness].map(
          (i) => [cmd.tick(i, slack('tara'))] as const,
        ),
        [cmd.deploy(slack('tara'))],
        [cmd.grant()],
        [cmd.startStep(DEPLOY_STEPS.backup)],
        [cmd.succeed(DEPLOY_STEPS.backup)],
        [cmd.startStep(DEPLOY_STEPS.code)],
        [cmd.succeed(DEPLOY_STEPS.code)],
        [cmd.startStep(DEPLOY_STEPS.check)],
        [cmd.succeed(DEPLOY_STEPS.check)],
        [cmd.startStep(DEPLOY_STEPS.manual)],
      ],
      ctx,
      started().history,
    );
    const text = textOf(renderManualStepPrompt(state, 'deploy-1', DEPLOY_STEPS.manual, { policy }).blocks);
    // business or technical: Bea is only on Teams; Kim (technical and business) has both ids.
    expect(text).toContain('Bea Business');
    expect(text).not.toMatch(/<@aad-|aad-bea/);
    expect(text.match(/<@U0KIM>/g)).toHaveLength(1);
    expect(text).toMatch(/<@U0DEV>.*<@U0TECH1>.*<@U0TECH2>/);
  });

  it('names someone who acted from Teams by their configured name in the thread', () => {
    const { history, state } = started();
    const [approved] = play([[personsCmd.approve(teams('tara'), 'technical')]], ctx, history).history.slice(
      -1,
    ) as [HotfixEvent];
    const line = renderThreadLine(
      { hotfixId: 'HF-1', position: 2, event: approved, prevHash: '', hash: '' },
      state,
      { timezone: 'UTC' },
    );
    expect(textOf(line!.blocks!)).toMatch(/^👍 Tara Tech approved the plan as technical/);
  });

  it('asks nobody on their Home tab to approve a plan they wrote or answered from Teams', () => {
    const { history, state } = started();
    // Dana wrote it on Slack: her Home tab (as her Slack self) offers no approval.
    expect(buttons(home([state], slack('dana')).blocks, ACTIONS.approve)).toEqual([]);
    expect(buttons(home([state], slack('tara')).blocks, ACTIONS.approve)).toHaveLength(1);
    // Tara approves from Teams: her Slack Home tab stops asking, and lists the hotfix as hers.
    const answered = play([[personsCmd.approve(teams('tara'), 'technical')]], ctx, history).state;
    const view = home([answered], slack('tara'));
    expect(buttons(view.blocks, ACTIONS.approve)).toEqual([]);
    expect(textOf(view.blocks)).toMatch(/Your open hotfixes[\s\S]*HF-1/);
  });
});
