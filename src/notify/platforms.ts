import type { Person } from '../domain/hotfix/people.ts';
import type { ChatPlatform, Plan } from '../domain/hotfix/plan.ts';
import { CHAT_PLATFORMS } from '../domain/hotfix/plan.ts';
import type { Visibility } from './notifier.ts';

/** What the "shown here?" rule reads of hotfix.yml: which platforms are configured, and their `mirror`. */
export type PlatformSettings = {
  readonly [P in ChatPlatform]?: { readonly mirror?: boolean | undefined } | undefined;
};

/** What the rule reads of a hotfix: who started it (from which platform) and its plan's `platforms`. */
export interface Showable {
  readonly requester: Pick<Person, 'platform'>;
  readonly plan: Pick<Plan, 'platforms'>;
}

const LABELS: Readonly<Record<ChatPlatform, string>> = { slack: 'Slack', teams: 'Teams' };

/**
 * Whether `platform`'s incident channel shows this hotfix (its card and thread). The platform it was started
 * from always does (a start from the CLI or the system counts as every platform's); otherwise the plan's
 * `platforms` decide when it names them, else that platform's `mirror` (default true).
 */
export const shownOn = (platform: ChatPlatform, state: Showable, config: PlatformSettings): boolean => {
  if (config[platform] === undefined) return false;
  const starter = state.requester.platform;
  if (starter === platform || starter === 'cli' || starter === 'system') return true;
  const chosen = state.plan.platforms;
  if (chosen !== undefined) return chosen.includes(platform);
  return config[platform].mirror !== false;
};

/** The configured platforms that show this hotfix, in a fixed order. */
export const platformsShowing = (state: Showable, config: PlatformSettings): ChatPlatform[] =>
  CHAT_PLATFORMS.filter((platform) => shownOn(platform, state, config));

/**
 * What a card says the last time it is drawn, once its platform no longer shows the hotfix: where it is
 * followed now (the other platforms' incident channels).
 */
export const followedElsewhereNote = (
  platform: ChatPlatform,
  state: Showable & { readonly id: string },
  config: PlatformSettings,
): string => {
  const elsewhere = platformsShowing(state, config).filter((other) => other !== platform);
  const where =
    elsewhere.length === 0
      ? 'no chat platform (the CLI still has it)'
      : elsewhere.map((other) => `${LABELS[other]} (its thread in the incident channel)`).join(' and ');
  return `${state.id} is now followed in ${where}; this card is no longer updated here.`;
};

/** The notifier's view of the rule for one platform's surface, reading the config as it is now. */
export const visibilityOn = (platform: ChatPlatform, config: () => PlatformSettings): Visibility => ({
  shows: (state) => shownOn(platform, state, config()),
  note: (state) => followedElsewhereNote(platform, state, config()),
  basis: () =>
    CHAT_PLATFORMS.map((p) => {
      const section = config()[p];
      return section === undefined ? '-' : section.mirror === false ? '0' : '1';
    }).join(''),
});
