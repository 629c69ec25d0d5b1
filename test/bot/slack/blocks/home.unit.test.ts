import { describe, expect, it } from 'vitest';
import { renderHome } from '../../../../src/bot/slack/blocks/home.ts';
import { checkView } from '../../../../src/bot/slack/blocks/limits.ts';
import { ACTIONS, CALLBACKS } from '../../../../src/bot/slack/ids.ts';
import { personKey } from '../../../../src/domain/hotfix/people.ts';
import type { Person } from '../../../../src/domain/hotfix/people.ts';
import type { HotfixState } from '../../../../src/domain/hotfix/state.ts';
import { minutes, people, policy, worker } from '../../../domain/fixtures/policy.ts';
import { play } from '../../../domain/given.ts';
import {
  cmd,
  DEPLOY_STEPS,
  failedVerification,
  monitoring,
  started,
  unobserved,
  verified,
  verifying,
} from '../../../domain/scenarios.ts';
import { buttons, textOf } from './helpers.ts';

const home = (states: HotfixState[], who: Person, now = minutes(3)) => {
  const view = renderHome(states, personKey(who), { policy, timezone: 'UTC', now });
  expect(checkView(view)).toEqual([]);
  expect(view.callback_id).toBe(CALLBACKS.home);
  return view;
};

const as = (state: HotfixState, id: string): HotfixState => ({ ...state, id });

describe('App Home', () => {
  it('lists approvals a person can give, never to the plan author', () => {
    const planned = started().state;
    const tech = home([planned], people.tech1);
    expect(buttons(tech.blocks, ACTIONS.approve).map((b) => b.value)).toEqual([
      { h: 'HF-1', v: planned.planHash, r: 'technical' },
    ]);
    // The lead holds technical and management: both are offered, one counts.
    expect(buttons(home([planned], people.lead).blocks, ACTIONS.approve).map((b) => b.value.r)).toEqual([
      'technical',
      'management',
    ]);
    const author = home([planned], people.requester);
    expect(buttons(author.blocks, ACTIONS.approve)).toEqual([]);
    expect(textOf(author.blocks)).toMatch(/Your open hotfixes\* \(1\)/);
    expect(buttons(home([planned], people.biz).blocks, ACTIONS.approve)).toEqual([]);
    const approved = play([[cmd.approve(people.tech1, 'technical')]], {}, started().history).state;
    expect(buttons(home([approved], people.tech1).blocks, ACTIONS.approve)).toEqual([]);
    expect(buttons(home([approved], people.tech2).blocks, ACTIONS.approve)).toEqual([]);
  });

  it('lists votes a person can cast, until they voted or it expired', () => {
    const state = failedVerification().state;
    expect(buttons(home([state], people.manager).blocks, ACTIONS.voteFor).map((b) => b.value)).toEqual([
      { h: 'HF-1', v: '1' },
    ]);
    expect(buttons(home([state], people.biz).blocks, ACTIONS.voteFor)).toEqual([]);
    expect(buttons(home([state], people.manager, minutes(30)).blocks, ACTIONS.voteFor)).toEqual([]);
    const voted = play(
      [[cmd.vote(people.manager, 'against', 1), minutes(1)]],
      {},
      failedVerification().history,
    ).state;
    expect(buttons(home([voted], people.manager).blocks, ACTIONS.voteFor)).toEqual([]);
  });

  it('lists manual steps a person may confirm', () => {
    const state = play(
      [[cmd.succeed(DEPLOY_STEPS.check)], [cmd.startStep(DEPLOY_STEPS.manual)]],
      {},
      verifying().history,
    ).state;
    expect(buttons(home([state], people.biz).blocks, ACTIONS.confirmStep).map((b) => b.value)).toEqual([
      { h: 'HF-1', run: 'deploy-1', v: DEPLOY_STEPS.manual },
    ]);
    expect(buttons(home([state], people.manager).blocks, ACTIONS.confirmStep)).toEqual([]);
  });

  it('lists a window whose check never reported as it lists breaches, naming the check', () => {
    const support = home([unobserved().state], people.support, minutes(36));
    expect(textOf(support.blocks)).toMatch(
      /monitoring closed with payments-api\/Health never reporting\. Accept and keep as Support, or roll back/,
    );
    expect(buttons(support.blocks, ACTIONS.acceptBreaches).map((b) => b.value)).toEqual([
      { h: 'HF-1', r: 'support' },
    ]);
    expect(buttons(support.blocks, ACTIONS.rollBackBreaches)).toHaveLength(1);
  });

  it('lists breaches a deciding role has not accepted yet, with Accept as their role and Roll back', () => {
    const review = play(
      [
        [
          {
            type: 'RecordMonitorCheck',
            check: 'payments-api/Health',
            round: 1,
            passed: false,
            detail: 'expected status 200, got 503',
            by: worker,
          },
          minutes(10),
        ],
        [{ type: 'ExpireVote', voteId: 1, by: worker }, minutes(25)],
        [{ type: 'CloseMonitoringWindow', by: worker }, minutes(35)],
      ],
      {},
      monitoring().history,
    );
    expect(review.state.phase).toBe('breach_review');
    const support = home([review.state], people.support, minutes(36));
    expect(buttons(support.blocks, ACTIONS.acceptBreaches).map((b) => b.value)).toEqual([
      { h: 'HF-1', r: 'support' },
    ]);
    expect(buttons(support.blocks, ACTIONS.rollBackBreaches)).toHaveLength(1);
    expect(textOf(support.blocks)).toMatch(
      /monitoring found 1 breach\. Accept and keep as Support, or roll back/,
    );
    // The manager decides nothing here; once support accepted, support is not asked again.
    expect(buttons(home([review.state], people.manager, minutes(36)).blocks, ACTIONS.acceptBreaches)).toEqual(
      [],
    );
    const accepted = play(
      [
        [
          { type: 'AcceptBreaches', reason: 'queue is quiet', role: 'support', by: people.support },
          minutes(37),
        ],
      ],
      {},
      review.history,
    ).state;
    expect(buttons(home([accepted], people.support, minutes(38)).blocks, ACTIONS.acceptBreaches)).toEqual([]);
  });

  it('lists sign-offs a person can give once the outcome is known', () => {
    const state = verified().state;
    expect(buttons(home([state], people.support).blocks, ACTIONS.signOff).map((b) => b.value)).toEqual([
      { h: 'HF-1', r: 'support' },
    ]);
    const signed = play([[cmd.signOff(people.support, 'support')]], {}, verified().history).state;
    expect(buttons(home([signed], people.support).blocks, ACTIONS.signOff)).toEqual([]);
    expect(buttons(home([started().state], people.support).blocks, ACTIONS.signOff)).toEqual([]);
  });

  it('shows the person’s open hotfixes, then the others, and says when nothing waits', () => {
    const view = home([as(started().state, 'HF-1'), as(verified().state, 'HF-2')], people.stranger);
    const text = textOf(view.blocks);
    expect(text).toMatch(/Nothing right now/);
    expect(text).toMatch(/Your open hotfixes\*\nNone/);
    expect(text).toMatch(/Other open hotfixes\* \(2\)/);
    const many = Array.from({ length: 80 }, (_, i) => as(started().state, `HF-${i + 1}`));
    const crowded = home(many, people.tech1);
    expect(crowded.blocks.length).toBeLessThanOrEqual(100);
    expect(textOf(crowded.blocks)).toMatch(/Waiting on you\* \(80\) — the 20 most recent/);
  });
});
