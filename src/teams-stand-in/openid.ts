import type { KeyObject } from 'node:crypto';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** The issuer of the tokens the Bot Framework channel service (Teams included) sends to bots. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Where botbuilder reads the channel's OpenID metadata (`ToBotFromChannelOpenIdMetadataUrl`), as Microsoft serves it. */
export const OPENID_METADATA_PATH = '/v1/.well-known/openidconfiguration';
export const JWKS_PATH = '/v1/.well-known/keys';

/**
 * What can be wrong with a token, each a reason botbuilder's channel validation refuses it:
 * `bad-signature` is signed by a key the JWKS does not hold under the token's `kid`; `unknown-key` names a `kid`
 * the JWKS lacks; `expired` ended ten minutes ago (past botbuilder's five-minute clock tolerance).
 */
export const TOKEN_FLAWS = [
  'wrong-audience',
  'wrong-issuer',
  'expired',
  'bad-signature',
  'missing-serviceurl',
  'unknown-key',
] as const;
export type TokenFlaw = (typeof TOKEN_FLAWS)[number];

export interface TokenRequest {
  /** The bot's Microsoft app id: the token's audience. */
  readonly appId: string;
  /** The activity's `serviceUrl`: botbuilder requires the `serviceurl` claim to equal it. */
  readonly serviceUrl: string;
  readonly flaw?: TokenFlaw;
}

export interface Jwk {
  readonly kty: 'RSA';
  readonly use: 'sig';
  readonly alg: 'RS256';
  readonly kid: string;
  readonly n: string;
  readonly e: string;
  /** Channels this key may sign for: botbuilder refuses a token whose activity's channelId is not listed. */
  readonly endorsements: readonly string[];
}

/** A signing key pair and the documents that publish it; knows nothing of HTTP. */
export interface OpenIdIssuer {
  readonly keyId: string;
  /** The OpenID configuration document as served at `origin` + OPENID_METADATA_PATH. */
  metadata(origin: string): Readonly<Record<string, unknown>>;
  jwks(): { readonly keys: readonly Jwk[] };
  /** A Bot Framework channel token (`Authorization: Bearer …`), valid unless a flaw is asked for. */
  token(request: TokenRequest): string;
}

export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };

const base64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

const rsaKeyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

const signJwt = (header: object, claims: object, privateKey: KeyObject) => {
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${unsigned}.${base64url(sign('sha256', Buffer.from(unsigned), privateKey))}`;
};

const TOKEN_LIFETIME_S = 3600;
/** Beyond botbuilder's clockTolerance of 5 minutes. */
const EXPIRED_AGO_S = 600;

export const createOpenIdIssuer = (
  options: { readonly clock?: Clock; readonly endorsements?: readonly string[] } = {},
): OpenIdIssuer => {
  const clock = options.clock ?? systemClock;
  const endorsements = options.endorsements ?? ['msteams'];
  const signing = rsaKeyPair();
  // A second key no JWKS publishes: what a forger without Microsoft's key would sign with.
  const forger = rsaKeyPair();
  const publicJwk = signing.publicKey.export({ format: 'jwk' });
  const keyId = createHash('sha256').update(String(publicJwk.n)).digest('base64url').slice(0, 27);

  return {
    keyId,
    metadata: (origin) => ({
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${origin}/v1/.well-known/authorize`,
      jwks_uri: `${origin}${JWKS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    }),
    jwks: () => ({
      keys: [
        {
          kty: 'RSA',
          use: 'sig',
          alg: 'RS256',
          kid: keyId,
          n: String(publicJwk.n),
          e: String(publicJwk.e),
          endorsements,
        },
      ],
    }),
    token({ appId, serviceUrl, flaw }) {
      const now = Math.floor(clock.now().getTime() / 1000);
      const issuedAt = flaw === 'expired' ? now - TOKEN_LIFETIME_S - EXPIRED_AGO_S : now;
      const claims = {
        serviceurl: flaw === 'missing-serviceurl' ? undefined : serviceUrl,
        nbf: issuedAt - 5,
        exp: issuedAt + TOKEN_LIFETIME_S,
        iss: flaw === 'wrong-issuer' ? 'https://sts.example.com/not-the-bot-framework' : BOT_FRAMEWORK_ISSUER,
        aud: flaw === 'wrong-audience' ? '00000000-0000-0000-0000-0000000bad00' : appId,
      };
      const header = {
        alg: 'RS256',
        typ: 'JWT',
        kid: flaw === 'unknown-key' ? `${keyId}-retired` : keyId,
        x5t: keyId,
      };
      return signJwt(header, claims, flaw === 'bad-signature' ? forger.privateKey : signing.privateKey);
    },
  };
};

/** The answer to an OpenID request, or undefined when the path is not one of its two documents. */
export const openIdAnswer = (
  issuer: OpenIdIssuer,
  pathname: string,
  origin: string,
): Readonly<Record<string, unknown>> | undefined => {
  if (pathname === OPENID_METADATA_PATH) return issuer.metadata(origin);
  if (pathname === JWKS_PATH) return issuer.jwks();
  return undefined;
};

/**
 * The options of botbuilder's `ConfigurationBotFrameworkAuthentication` that make it trust this stand-in's keys
 * and nothing online. botbuilder reads them as all-or-nothing ("parameterized"), so every one is set; add
 * `MicrosoftAppId` (and the credentials) yourself. Outbound tokens come from your credentials factory: the login
 * URL here answers nothing.
 */
export const botFrameworkAuthConfig = (origin: string) => ({
  ToBotFromChannelOpenIdMetadataUrl: `${origin}${OPENID_METADATA_PATH}`,
  ToBotFromEmulatorOpenIdMetadataUrl: `${origin}${OPENID_METADATA_PATH}`,
  ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
  ToChannelFromBotOAuthScope: BOT_FRAMEWORK_ISSUER,
  ToChannelFromBotLoginUrl: `${origin}/botframework.com`,
  OAuthUrl: `${origin}/oauth`,
  CallerId: 'urn:botframework:azure',
  ValidateAuthority: false,
});

export interface OpenIdStandIn {
  /** `http://127.0.0.1:PORT`; set once started. */
  readonly origin: string;
  /** `origin` + OPENID_METADATA_PATH: botbuilder's `ToBotFromChannelOpenIdMetadataUrl`. */
  readonly metadataUrl: string;
  readonly issuer: OpenIdIssuer;
  /** See `botFrameworkAuthConfig`. */
  authConfig(): ReturnType<typeof botFrameworkAuthConfig>;
  token(request: TokenRequest): string;
  start(): Promise<string>;
  stop(): Promise<void>;
}

const standInOptions = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(0),
  clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function').optional(),
});

/**
 * The OpenID metadata and JWKS of the Bot Framework channel service on its own HTTP server, for tests that need
 * only inbound tokens. The Bot Connector stand-in serves the same two documents on its own port.
 */
export const createOpenIdStandIn = (options: z.input<typeof standInOptions> = {}): OpenIdStandIn => {
  const parsed = standInOptions.safeParse(options);
  if (!parsed.success)
    throw new Error(`createOpenIdStandIn: invalid options\n${z.prettifyError(parsed.error)}`);
  const { host, port, clock } = parsed.data;
  const issuer = createOpenIdIssuer(clock === undefined ? {} : { clock });
  let server: Server | undefined;
  let origin: string | undefined;
  const requireOrigin = () => {
    if (origin === undefined) throw new Error('the OpenID stand-in is not started');
    return origin;
  };
  return {
    get origin() {
      return requireOrigin();
    },
    get metadataUrl() {
      return `${requireOrigin()}${OPENID_METADATA_PATH}`;
    },
    issuer,
    authConfig: () => botFrameworkAuthConfig(requireOrigin()),
    token: (request) => issuer.token(request),
    async start() {
      if (server !== undefined) throw new Error('the OpenID stand-in is already started');
      const created = createServer((request, response) => {
        const pathname = URL.canParse(request.url ?? '/', 'http://stand-in')
          ? new URL(request.url ?? '/', 'http://stand-in').pathname
          : '';
        const answer = request.method === 'GET' ? openIdAnswer(issuer, pathname, requireOrigin()) : undefined;
        response.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer ?? { error: { code: 'NotFound', message: 'no such document' } }));
      });
      created.listen(port, host);
      await once(created, 'listening');
      server = created;
      const address = created.address() as AddressInfo;
      origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      return origin;
    },
    async stop() {
      const running = server;
      if (running === undefined) return;
      server = undefined;
      const closed = once(running, 'close');
      running.close();
      running.closeAllConnections();
      await closed;
    },
  };
};
