import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/hotfix/people.ts';
import type { ChatPlatform } from '../../src/domain/hotfix/plan.ts';
import type { PlatformSettings } from '../../src/notify/platforms.ts';
import { followedElsewhereNote, platformsShowing, shownOn } from '../../src/notify/platforms.ts';
import { plan } from '../domain/fixtures/policy.ts';

const by = (platform: Person['platform']): Person => ({ platform, id: `${platform}-1` });
const hotfix = (starter: Person['platform'], platforms?: readonly ChatPlatform[]) => ({
  id: 'HF-7',
  requester: by(starter),
  plan: platforms === undefined ? plan : { ...plan, platforms },
});
const both: PlatformSettings = { slack: {}, teams: {} };

describe('shownOn: which incident channels show a hotfix', () => {
  it('both platforms configured, nothing said: every hotfix on both, whichever platform started it', () => {
    for (const starter of ['slack', 'teams', 'cli', 'system'] as const)
      expect(platformsShowing(hotfix(starter), both)).toEqual(['slack', 'teams']);
  });

  it('mirror: false keeps a platform to the hotfixes started on it (or from the CLI or the system)', () => {
    const config: PlatformSettings = { slack: { mirror: true }, teams: { mirror: false } };
    expect(platformsShowing(hotfix('slack'), config)).toEqual(['slack']);
    expect(platformsShowing(hotfix('teams'), config)).toEqual(['slack', 'teams']);
    expect(platformsShowing(hotfix('cli'), config)).toEqual(['slack', 'teams']);
    expect(platformsShowing(hotfix('system'), config)).toEqual(['slack', 'teams']);
  });

  it("the plan's platforms win over mirror, and the starter's platform is always kept", () => {
    const noMirror: PlatformSettings = { slack: { mirror: false }, teams: { mirror: false } };
    expect(platformsShowing(hotfix('slack', ['slack', 'teams']), noMirror)).toEqual(['slack', 'teams']);
    expect(platformsShowing(hotfix('slack', ['teams']), both)).toEqual(['slack', 'teams']);
    expect(platformsShowing(hotfix('slack', ['slack']), both)).toEqual(['slack']);
    expect(platformsShowing(hotfix('teams', []), both)).toEqual(['teams']);
  });

  it('a platform that is not configured shows nothing', () => {
    expect(shownOn('teams', hotfix('teams'), { slack: {} })).toBe(false);
    expect(platformsShowing(hotfix('cli'), { slack: {} })).toEqual(['slack']);
  });

  it('a retired card says where the hotfix is followed now', () => {
    expect(followedElsewhereNote('teams', hotfix('slack', ['slack']), both)).toBe(
      'HF-7 is now followed in Slack (its thread in the incident channel); this card is no longer updated here.',
    );
  });
});
