import type { Logger, WebClientOptions } from '@slack/web-api';
import { LogLevel, WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SlackStandIn, SlackStandInOptions } from '../../src/slack-stand-in/index.ts';
import { createSlackStandIn } from '../../src/slack-stand-in/index.ts';

export const TOKEN = 'xoxb-test-token';
export const TEAM = 'T0TEST';
export const INCIDENTS = 'C0INCIDENTS';
export const QUIET = 'C0QUIET';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const CAROL = 'U0CAROL';

/** A clock the test moves by hand: trigger expiry and response_url lifetimes without waiting. */
export const manualClock = (start = Date.UTC(2023, 10, 14, 22, 13, 20)) => {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
};

export const workspace: SlackStandInOptions['workspace'] = {
  teamId: TEAM,
  users: [
    { id: ALICE, name: 'alice', real_name: 'Alice Archer' },
    { id: BOB, name: 'bob', real_name: 'Bob Baker' },
    { id: CAROL, name: 'carol', real_name: 'Carol Cruz' },
  ],
  channels: [
    { id: INCIDENTS, name: 'incidents' },
    { id: QUIET, name: 'quiet', members: [ALICE], botMember: false },
  ],
};

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/**
 * One stand-in per test file, reset after each test. Retries are off by default so a refusal surfaces at once;
 * tests about retries pass their own `retryConfig`.
 */
export const useStandIn = (options: Partial<SlackStandInOptions> = {}) => {
  const clock = manualClock();
  let standIn: SlackStandIn | undefined;
  beforeAll(async () => {
    standIn = createSlackStandIn({ workspace, clock, ...options });
    await standIn.start();
  });
  afterEach(() => standIn?.reset());
  afterAll(async () => standIn?.stop());
  const get = () => {
    if (standIn === undefined) throw new Error('stand-in not started');
    return standIn;
  };
  return {
    clock,
    standIn: get,
    client: (clientOptions: WebClientOptions = {}, token = TOKEN) =>
      new WebClient(token, {
        slackApiUrl: get().url,
        logger: silent,
        retryConfig: { retries: 0 },
        ...clientOptions,
      }),
  };
};

/** The Slack error code a call was refused with. */
export const slackError = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) return error.data.error;
    throw error;
  }
  throw new Error('expected the call to be refused');
};

/** `count` section blocks with distinct ids. */
export const sections = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'section' as const,
    block_id: `b${i}`,
    text: { type: 'mrkdwn' as const, text: `line ${i}` },
  }));

export const modal = (title = 'Plan', blocks: readonly object[] = sections(1)) => ({
  type: 'modal' as const,
  callback_id: 'plan',
  title: { type: 'plain_text' as const, text: title },
  blocks: blocks as never,
});
