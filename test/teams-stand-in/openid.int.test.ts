import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpenIdStandIn, TokenFlaw } from '../../src/teams-stand-in/openid.ts';
import { BOT_FRAMEWORK_ISSUER, createOpenIdStandIn } from '../../src/teams-stand-in/openid.ts';
import { APP_ID, startBot } from './bot.ts';

const SERVICE_URL = 'https://smba.example.com/amer/';

let openId: OpenIdStandIn;
let bot: Awaited<ReturnType<typeof startBot>>;

beforeAll(async () => {
  openId = createOpenIdStandIn();
  await openId.start();
  bot = await startBot({ authConfig: openId.authConfig() });
});
afterAll(async () => {
  await bot?.stop();
  await openId?.stop();
});

const message = (serviceUrl = SERVICE_URL) => ({
  type: 'message',
  id: '1700000000001',
  channelId: 'msteams',
  serviceUrl,
  text: 'hello',
  from: { id: '29:alice', aadObjectId: '11111111-1111-1111-1111-111111111111', name: 'Alice' },
  recipient: { id: `28:${APP_ID}`, name: 'hotfix' },
  conversation: { id: 'a:1on1', conversationType: 'personal', tenantId: 'tenant' },
});

const post = async (body: object, authorization?: string) => {
  const response = await fetch(bot.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
};

describe('the OpenID stand-in, checked by a real botbuilder CloudAdapter', () => {
  it('serves the metadata and a JWKS whose key is endorsed for msteams', async () => {
    const metadata = (await (await fetch(openId.metadataUrl)).json()) as { issuer: string; jwks_uri: string };
    expect(metadata.issuer).toBe(BOT_FRAMEWORK_ISSUER);
    const jwks = (await (await fetch(metadata.jwks_uri)).json()) as {
      keys: { kid: string; kty: string; endorsements: string[] }[];
    };
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kid: openId.issuer.keyId, kty: 'RSA', endorsements: ['msteams'] }),
    ]);
  });

  it('a valid token gets the activity to the bot', async () => {
    bot.received.length = 0;
    const token = openId.token({ appId: APP_ID, serviceUrl: SERVICE_URL });
    expect(await post(message(), `Bearer ${token}`)).toBe(200);
    expect(bot.received.map((activity) => activity.text)).toEqual(['hello']);
  });

  // botbuilder answers 401 to all but a bad signature, which jsonwebtoken throws as a plain error: 500 (TEAMS.md).
  const refusals: [TokenFlaw | 'none', number][] = [
    ['none', 401],
    ['wrong-audience', 401],
    ['wrong-issuer', 401],
    ['expired', 401],
    ['missing-serviceurl', 401],
    ['unknown-key', 401],
    ['bad-signature', 500],
  ];

  it.each(refusals)('a token with flaw %s is refused (%i) and the bot sees nothing', async (flaw, status) => {
    bot.received.length = 0;
    // botbuilder logs every refusal with console.error; keep the test output readable.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const authorization =
        flaw === 'none'
          ? undefined
          : `Bearer ${openId.token({ appId: APP_ID, serviceUrl: SERVICE_URL, flaw })}`;
      expect(await post(message(), authorization)).toBe(status);
    } finally {
      quiet.mockRestore();
    }
    expect(bot.received).toEqual([]);
  });

  it("a valid token for another service URL than the activity's is refused", async () => {
    bot.received.length = 0;
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const token = openId.token({ appId: APP_ID, serviceUrl: 'https://elsewhere.example.com/' });
      expect(await post(message(), `Bearer ${token}`)).toBe(401);
    } finally {
      quiet.mockRestore();
    }
    expect(bot.received).toEqual([]);
  });

  it('the msteams-endorsed key does not sign an activity of another channel', async () => {
    bot.received.length = 0;
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const token = openId.token({ appId: APP_ID, serviceUrl: SERVICE_URL });
      expect(await post({ ...message(), channelId: 'webchat' }, `Bearer ${token}`)).toBe(401);
    } finally {
      quiet.mockRestore();
    }
    expect(bot.received).toEqual([]);
  });
});
