import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';

/**
 * The Bot Framework channel's token on an activity, checked before botbuilder sees it. botbuilder checks it
 * too, but on a bad signature, a malformed or not-yet-valid token it prints the signing key to stderr and
 * throws an error its own `process` turns into 500; on an unknown issuer it may treat the token as the
 * Emulator's and grow a global list with the token's tenant. So only a token that passes here reaches it.
 */
export interface ChannelTokenOptions {
  /** The bot's app id: the token's audience. */
  readonly appId: string;
  /** The issuer of channel tokens (`https://api.botframework.com`). */
  readonly issuer: string;
  /** The channel's OpenID metadata; its `jwks_uri` lists the signing keys. */
  readonly openIdMetadataUrl: string;
  readonly clock: { now(): Date };
  readonly fetch?: typeof fetch;
}

export type TokenVerdict =
  | { readonly ok: true; readonly serviceUrl: string | undefined }
  | { readonly ok: false; readonly reason: string };

export interface ChannelTokenCheck {
  /** `authorization` is the request's header (`Bearer <jwt>`). Never throws; reasons name no key or token. */
  check(authorization: string | undefined): Promise<TokenVerdict>;
}

/** As botbuilder: 5 minutes of clock skew either way. */
const CLOCK_TOLERANCE_S = 300;
/** Keys are refetched daily, and at most this often for a key id nobody knows (a rotation). */
const KEYS_MAX_AGE_MS = 24 * 3600_000;
const UNKNOWN_KEY_REFETCH_MS = 5 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_HEADER_CHARS = 16 * 1024;
/** botbuilder's AllowedSigningAlgorithms, with the hash each one signs. */
const ALGORITHMS: Readonly<Record<string, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

const metadataSchema = z.looseObject({ jwks_uri: z.url({ protocol: /^https?$/ }) });
const jwksSchema = z.looseObject({
  keys: z.array(
    z.looseObject({
      kid: z.string().optional(),
      kty: z.string(),
      n: z.string().optional(),
      e: z.string().optional(),
    }),
  ),
});
const headerSchema = z.looseObject({ alg: z.string(), kid: z.string() });
const claimsSchema = z.looseObject({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nbf: z.number().optional(),
  serviceurl: z.string().optional(),
});

const refuse = (reason: string): TokenVerdict => ({ ok: false, reason });

const decodePart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

export const createChannelTokenCheck = (options: ChannelTokenOptions): ChannelTokenCheck => {
  const get = options.fetch ?? fetch;
  const now = () => options.clock.now().getTime();
  let keys = new Map<string, KeyObject>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  const fetchJson = async (url: string): Promise<unknown> => {
    const response = await get(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  };
  const refresh = async () => {
    const metadata = metadataSchema.safeParse(await fetchJson(options.openIdMetadataUrl));
    if (!metadata.success) throw new Error('the OpenID metadata names no jwks_uri');
    const jwks = jwksSchema.safeParse(await fetchJson(metadata.data.jwks_uri));
    if (!jwks.success) throw new Error('the JWKS document holds no key list');
    const next = new Map<string, KeyObject>();
    for (const key of jwks.data.keys) {
      if (key.kty !== 'RSA' || !key.kid || !key.n || !key.e) continue;
      next.set(key.kid, createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' }));
    }
    keys = next;
    fetchedAt = now();
  };
  /** The key under `kid`, fetching the key set when it is stale or lacks it (one fetch at a time). */
  const keyFor = async (kid: string): Promise<KeyObject | undefined> => {
    const age = now() - fetchedAt;
    if (age > KEYS_MAX_AGE_MS || (!keys.has(kid) && age > UNKNOWN_KEY_REFETCH_MS)) {
      refreshing ??= refresh().finally(() => (refreshing = undefined));
      await refreshing;
    }
    return keys.get(kid);
  };

  return {
    async check(authorization) {
      if (authorization === undefined || authorization === '') return refuse('no Authorization header');
      if (authorization.length > MAX_HEADER_CHARS) return refuse('the Authorization header is too long');
      const [scheme, token, extra] = authorization.split(' ');
      if (scheme !== 'Bearer' || token === undefined || extra !== undefined)
        return refuse('the Authorization header is not "Bearer <token>"');
      const parts = token.split('.');
      if (parts.length !== 3) return refuse('the token is not a JWT');
      const [headerPart = '', claimsPart = '', signaturePart = ''] = parts;
      const header = headerSchema.safeParse(decodePart(headerPart));
      const claims = claimsSchema.safeParse(decodePart(claimsPart));
      if (!header.success || !claims.success)
        return refuse('the token is not a JWT with the expected claims');
      const hash = ALGORITHMS[header.data.alg];
      if (hash === undefined) return refuse('the token is not signed with an RSA algorithm');
      const { iss, aud, exp, nbf, serviceurl } = claims.data;
      if (iss !== options.issuer) return refuse('the token has another issuer');
      if (!(Array.isArray(aud) ? aud : [aud]).includes(options.appId))
        return refuse("the token's audience is not this bot");
      const seconds = now() / 1000;
      if (seconds > exp + CLOCK_TOLERANCE_S) return refuse('the token has expired');
      if (nbf !== undefined && seconds < nbf - CLOCK_TOLERANCE_S) return refuse('the token is not valid yet');
      let key: KeyObject | undefined;
      try {
        key = await keyFor(header.data.kid);
      } catch (error) {
        return refuse(
          `the signing keys cannot be read: ${error instanceof Error ? error.message : 'unknown'}`,
        );
      }
      if (key === undefined) return refuse('the token is signed with an unknown key');
      const signed = (() => {
        try {
          const input = Buffer.from(`${headerPart}.${claimsPart}`);
          return verify(hash, input, key, Buffer.from(signaturePart, 'base64url'));
        } catch {
          return false;
        }
      })();
      if (!signed) return refuse('the token signature does not verify');
      return { ok: true, serviceUrl: serviceurl };
    },
  };
};
