import { describe, it } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { Person } from '../../src/domain/hotfix/people.ts';
import { given, play } from './given.ts';
import { people, policy } from './fixtures/policy.ts';
import { approvedAndReady, cmd, deploying, verified } from './scenarios.ts';

const close = (by: Person): HotfixCommand => ({ type: 'CloseHotfix', by });

/** Verified, and signed off by every sign-off role: only the closing is left. */
const signedOff = () =>
  play(
    [
      [cmd.signOff(people.tech1, 'technical')],
      [cmd.signOff(people.biz, 'business')],
      [cmd.signOff(people.support, 'support')],
    ],
    {},
    verified().history,
  );

describe('who may deploy (policy.deployers)', () => {
  it('refuses anyone outside the deployers, saying who may and what they are', () => {
    given(approvedAndReady().history)
      .when(cmd.deploy(people.biz))
      .thenRefused('not_in_role', /^Only technical can deploy; you are business\.$/);
    given(approvedAndReady().history)
      .when(cmd.deploy(people.stranger))
      .thenRefused('not_in_role', /hold no role/);
  });

  it('lets a deployer deploy, also one who holds another role besides', () => {
    given(approvedAndReady().history)
      .when(cmd.deploy(people.tech1))
      .then([{ type: 'DeployRequested' }]);
    given(approvedAndReady().history)
      .when(cmd.deploy(people.lead))
      .then([{ type: 'DeployRequested' }]);
  });

  it('takes the roles hotfix.yml names, and lists them in the refusal', () => {
    const ctx = { policy: { ...policy, deployers: ['technical', 'management'] } };
    given(approvedAndReady().history, ctx)
      .when(cmd.deploy(people.manager))
      .then([{ type: 'DeployRequested' }]);
    given(approvedAndReady().history, ctx)
      .when(cmd.deploy(people.support))
      .thenRefused('not_in_role', /^Only technical or management can deploy; you are support\.$/);
    given(approvedAndReady().history, { policy: { ...policy, deployers: [] } })
      .when(cmd.deploy(people.tech1))
      .thenRefused('not_in_role', /Nobody can deploy/);
  });

  it('a repeated request by a deployer changes nothing; by anyone else it is still refused', () => {
    given(deploying().history).when(cmd.deploy(people.tech1)).thenNothing();
    given(deploying().history)
      .when(cmd.deploy(people.biz))
      .thenRefused('not_in_role', /Only technical/);
  });
});

describe('who may close (policy.closers)', () => {
  it('refuses anyone outside the closers, saying who may and what they are', () => {
    given(signedOff().history)
      .when(close(people.support))
      .thenRefused('not_in_role', /^Only technical can close; you are support\.$/);
  });

  it('lets a closer close, once; a second close changes nothing', () => {
    const { history } = signedOff();
    given(history)
      .when(close(people.tech2))
      .then([{ type: 'HotfixClosed', by: people.tech2 }]);
    const closed = play([[close(people.tech2)]], {}, history);
    given(closed.history).when(close(people.tech2)).thenNothing();
  });

  it('takes the roles hotfix.yml names', () => {
    const ctx = { policy: { ...policy, closers: ['support'] } };
    given(signedOff().history, ctx)
      .when(close(people.support))
      .then([{ type: 'HotfixClosed' }]);
    given(signedOff().history, ctx)
      .when(close(people.tech1))
      .thenRefused('not_in_role', /^Only support can close; you are technical\.$/);
  });
});
