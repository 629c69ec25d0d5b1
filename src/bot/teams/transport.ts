import { AsyncLocalStorage } from 'node:async_hooks';
import type { Activity, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TeamsInfo,
} from 'botbuilder';
import type { PayloadBounds } from '../common/payload-bounds.ts';
import { outOfBounds } from '../common/payload-bounds.ts';
import type { InvokeAnswer, TeamsActivity } from './activity.ts';
import { teamsActivitySchema } from './activity.ts';
import { createChannelTokenCheck } from './channel-token.ts';
import { ConnectorCallError } from './connector-error.ts';
import type { ConversationRef } from './conversation-ref.ts';
import { threadConversationId, threadRootOf } from './conversation-ref.ts';

/*
 * The one module that imports botbuilder (archived upstream: moving to the Teams SDK is replacing this file).
 * Everything else of the Teams edge speaks plain JSON activities through the interface below.
 */

/** Bot Framework's public cloud: who issues channel tokens, where its keys are, whom outbound tokens are for. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_OPENID_METADATA =
  'https://login.botframework.com/v1/.well-known/openidconfiguration';
const TO_CHANNEL_LOGIN_URL = 'https://login.microsoftonline.com/botframework.com';
const EMULATOR_OPENID_METADATA =
  'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';
const PUBLIC_CALLER_ID = 'urn:botframework:azure';

/**
 * Far above any activity Teams sends (a bot message is at most 100 KB; an invoke carries a card's inputs):
 * past them an activity is refused with 400 before the bot logic sees it.
 */
export const ACTIVITY_BOUNDS: PayloadBounds = {
  bytes: 1024 * 1024,
  depth: 64,
  arrayItems: 5000,
  objectKeys: 1000,
  stringChars: 200_000,
};

export interface TeamsTransportOptions {
  /** Unset: the local mode, no token is asked for or sent (HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED). */
  readonly appId?: string | undefined;
  readonly appPassword?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** The channel's OpenID metadata (tests point it at a stand-in); Bot Framework's by default. */
  readonly openIdMetadataUrl?: string | undefined;
  /** The issuer of channel tokens; Bot Framework's by default. */
  readonly tokenIssuer?: string | undefined;
  /** Tests only: outbound calls carry this bearer token instead of one from Entra (MSAL). */
  readonly outboundToken?: string | undefined;
  /**
   * False: a failed outbound call fails at once (ConnectorCallError) instead of botbuilder retrying it (a 429
   * three times, each after its Retry-After), so the caller's outbox decides when to come back.
   */
  readonly retries?: boolean;
  /**
   * How long one outbound call (send, thread, reply, update, member lookup; its token and retries included) may
   * take before it is abandoned as a ConnectorCallError with code `Timeout` and no status (botbuilder sets no
   * deadline of its own). Below the notifier's 15 s lease by default.
   */
  readonly callTimeoutMs?: number;
  /** Token lifetimes are checked against it. */
  readonly clock: { now(): Date };
  /**
   * Told of every HTTP request to the Bot Connector (each retry too): the outbound call it serves (`send`,
   * `create thread`, `reply`, `update`, `member lookup`) and its status, or `timeout`/`error` when none came.
   */
  readonly onCall?: (call: string, status: number | 'timeout' | 'error') => void;
  readonly log: { warn(fields: object, message: string): void };
}

/** An HTTP request to `/api/messages`, as read off the wire. */
export interface TeamsRequest {
  readonly authorization: string | undefined;
  readonly body: string;
}

/** What `/api/messages` answers: a status and, when there is one, a JSON body. */
export interface HttpAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** The bot logic, given an authenticated, checked activity as plain JSON; invokes answer with its result. */
export type TeamsLogic = (activity: TeamsActivity) => Promise<InvokeAnswer | void>;

/** An activity to send, as plain Bot Framework JSON (`type`, `text`, `attachments`…). */
export type OutboundActivity = { readonly type: string } & Readonly<Record<string, unknown>>;

/** Where to post: a conversation (a channel thread, a group chat, a 1:1) of a stored reference. */
export type ConversationAddress = Pick<
  ConversationRef,
  'serviceUrl' | 'conversationId' | 'tenantId' | 'channelId' | 'botId'
>;

export interface TeamsMember {
  readonly id: string;
  readonly aadObjectId?: string;
  readonly name?: string;
  readonly email?: string;
}

export interface TeamsTransport {
  /** Checks a request to `/api/messages` (token, shape, bounds) and runs `logic` on it; never throws. */
  receive(request: TeamsRequest, logic: TeamsLogic): Promise<HttpAnswer>;
  /** Posts an activity in a conversation; resolves with its id (undefined when Teams gave none: 202). */
  send(to: ConversationAddress, activity: OutboundActivity): Promise<{ readonly id: string | undefined }>;
  /** Opens a new thread in a Teams channel with `activity` as its root. */
  createThread(
    where: Pick<ConversationRef, 'serviceUrl' | 'tenantId' | 'channelId' | 'botId'> & {
      readonly teamsChannelId: string;
    },
    activity: OutboundActivity,
  ): Promise<{ readonly conversationId: string; readonly rootActivityId: string }>;
  /** Posts a reply in the thread of `teamsChannelId` whose root is `threadRootId`. */
  reply(
    thread: ConversationAddress & { readonly teamsChannelId: string; readonly threadRootId: string },
    activity: OutboundActivity,
  ): Promise<{ readonly id: string | undefined }>;
  /** Replaces activity `activityId` in the conversation (a card edited in place). */
  update(to: ConversationAddress, activityId: string, activity: OutboundActivity): Promise<void>;
  /** A member of the conversation (a 29:… id or an Entra object id), or undefined when Teams knows none. */
  member(to: ConversationAddress, userId: string): Promise<TeamsMember | undefined>;
}

type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;

/** Outbound calls signed with a fixed token, so tests need no Entra; the app id checks stay botbuilder's. */
class FixedTokenCredentialsFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(
    options: ConstructorParameters<typeof ConfigurationServiceClientCredentialFactory>[0],
    private readonly token: string,
  ) {
    super(options);
  }
  override async createCredentials(appId: string): Promise<Credentials> {
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const token = this.token;
    return {
      signRequest: (request) => {
        request.headers.set('Authorization', `Bearer ${token}`);
        return Promise.resolve(request);
      },
    };
  }
}

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** A request in @azure/core-rest-pipeline's pipeline, as far as a deadline needs it. */
interface PipelineRequestLike {
  abortSignal?: AbortSignal;
}
interface PipelinePolicyLike {
  name: string;
  sendRequest(
    request: PipelineRequestLike,
    next: (request: PipelineRequestLike) => Promise<unknown>,
  ): Promise<unknown>;
}
interface PipelineLike {
  removePolicy(policy: { name: string }): unknown;
  addPolicy(policy: PipelinePolicyLike, options?: { afterPhase?: 'Sign' }): void;
}

/** The outbound call in progress, seen by the connector requests it makes. */
interface OutboundCall {
  readonly what: string;
  readonly signal: AbortSignal;
}

/**
 * botbuilder's connector client with our deadline on each of its requests (the signal of the outbound call
 * running, read from `current`) and, unless `retries`, without its retry policy; both sit, unexported, in the
 * client's pipeline. With `onCall`, every request that goes out (after signing, so each retry) is counted.
 */
const prepared = (
  client: ConnectorClient,
  options: {
    readonly retries: boolean;
    readonly current: () => OutboundCall | undefined;
    readonly onCall: TeamsTransportOptions['onCall'];
  },
): ConnectorClient => {
  const pipeline = (client as unknown as { client?: { pipeline?: PipelineLike } }).client?.pipeline;
  if (pipeline === undefined)
    throw new Error("botbuilder's connector client changed: cannot set its deadline or turn its retries off");
  if (!options.retries) pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  // Not in a phase: it runs before the retry and signing phases, so one deadline covers a call's retries.
  pipeline.addPolicy({
    name: 'hotfixDeadline',
    sendRequest: (request, next) => {
      const deadline = options.current()?.signal;
      if (deadline !== undefined)
        request.abortSignal =
          request.abortSignal === undefined ? deadline : AbortSignal.any([request.abortSignal, deadline]);
      return next(request);
    },
  });
  const { onCall } = options;
  if (onCall !== undefined)
    pipeline.addPolicy(
      {
        name: 'hotfixCallCount',
        sendRequest: async (request, next) => {
          const what = options.current()?.what ?? 'other';
          try {
            const response = await next(request);
            const status = (response as { status?: unknown }).status;
            onCall(what, typeof status === 'number' ? status : 'error');
            return response;
          } catch (error) {
            const status = (error as RestErrorLike).statusCode;
            onCall(
              what,
              typeof status === 'number' ? status : request.abortSignal?.aborted ? 'timeout' : 'error',
            );
            throw error;
          }
        },
      },
      { afterPhase: 'Sign' },
    );
  return client;
};

/** Authentication whose connector clients abort at the outbound call's deadline and may be told not to retry. */
class OutboundAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    options: ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0],
    credentials: ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1],
    private readonly outbound: Parameters<typeof prepared>[1],
  ) {
    super(options, credentials);
  }
  override createConnectorFactory(
    identity: Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0],
  ): ConnectorFactory {
    const factory = super.createConnectorFactory(identity);
    return {
      create: async (serviceUrl, audience) =>
        prepared(await factory.create(serviceUrl, audience), this.outbound),
    };
  }
}

interface RestErrorLike {
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly headers?: { get?(name: string): string | undefined } };
}

/** botbuilder's RestError as plain data: its status, Teams' error code and a 429's Retry-After (seconds). */
const connectorError = (error: unknown): unknown => {
  const rest = error as RestErrorLike | undefined;
  if (typeof rest?.statusCode !== 'number') return error;
  const retryAfter = Number(rest.response?.headers?.get?.('retry-after') ?? Number.NaN);
  return new ConnectorCallError(
    rest.statusCode,
    typeof rest.code === 'string' ? rest.code : undefined,
    typeof rest.message === 'string' ? rest.message : `HTTP ${rest.statusCode}`,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
  );
};

const refused = (status: number, error: string): HttpAnswer => ({ status, body: { error } });

const referenceTo = (to: ConversationAddress): Partial<ConversationReference> => ({
  serviceUrl: to.serviceUrl,
  channelId: to.channelId,
  bot: { id: to.botId, name: '' },
  conversation: {
    id: to.conversationId,
    isGroup: false,
    conversationType: '',
    name: '',
    ...(to.tenantId === undefined ? {} : { tenantId: to.tenantId }),
  },
});

export const createTeamsTransport = (options: TeamsTransportOptions): TeamsTransport => {
  const { log } = options;
  const appId = options.appId ?? '';
  const authenticated = appId !== '';
  const credentialOptions = {
    MicrosoftAppId: appId,
    MicrosoftAppType: options.appType,
    ...(options.appPassword === undefined ? {} : { MicrosoftAppPassword: options.appPassword }),
    ...(options.tenantId === undefined ? {} : { MicrosoftAppTenantId: options.tenantId }),
  };
  const metadataUrl = options.openIdMetadataUrl ?? BOT_FRAMEWORK_OPENID_METADATA;
  const issuer = options.tokenIssuer ?? BOT_FRAMEWORK_ISSUER;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  /** The outbound call in progress (its name and deadline), seen by the connector requests it makes. */
  const calls = new AsyncLocalStorage<OutboundCall>();
  // botbuilder takes these all or none ("parameterized"): set together, so an override changes only itself.
  const authentication = new OutboundAuthentication(
    {
      ...credentialOptions,
      ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
      ToBotFromChannelTokenIssuer: issuer,
      ToBotFromEmulatorOpenIdMetadataUrl: EMULATOR_OPENID_METADATA,
      ToChannelFromBotLoginUrl: TO_CHANNEL_LOGIN_URL,
      ToChannelFromBotOAuthScope: BOT_FRAMEWORK_ISSUER,
      OAuthUrl: BOT_FRAMEWORK_ISSUER,
      CallerId: PUBLIC_CALLER_ID,
      ValidateAuthority: true,
    },
    options.outboundToken === undefined
      ? undefined
      : new FixedTokenCredentialsFactory(credentialOptions, options.outboundToken),
    { retries: options.retries !== false, current: () => calls.getStore(), onCall: options.onCall },
  );
  const adapter = new CloudAdapter(authentication);
  const tokens = authenticated
    ? createChannelTokenCheck({ appId, issuer, openIdMetadataUrl: metadataUrl, clock: options.clock })
    : undefined;

  /** Runs `use` in a turn addressed to `to`, with botbuilder's connector and credentials. */
  const inTurn = async <T>(
    to: ConversationAddress,
    use: (context: TurnContext) => Promise<T>,
  ): Promise<T> => {
    let result: { value: T } | undefined;
    await adapter.continueConversationAsync(appId, referenceTo(to), async (context) => {
      result = { value: await use(context) };
    });
    if (result === undefined) throw new Error('botbuilder ended the turn without running it');
    return result.value;
  };
  const asActivity = (activity: OutboundActivity) => ({ ...activity }) as Partial<Activity>;

  /**
   * Runs one outbound call within its deadline: its requests are aborted then, and it fails with a Timeout
   * ConnectorCallError even if something else in botbuilder (a token request) hangs. Whatever the call does
   * after its deadline is ignored; Teams may still have acted on it (see the surface for what that means).
   */
  const outbound = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new ConnectorCallError(
            undefined,
            'Timeout',
            `Teams did not answer (${what}) within ${callTimeoutMs} ms`,
          ),
        );
        controller.abort();
      }, callTimeoutMs);
    });
    const running = calls.run({ what, signal: controller.signal }, call);
    // Its failure after the deadline (the aborted request) is nobody's to handle.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, expired]);
    } catch (error) {
      throw connectorError(error);
    } finally {
      clearTimeout(timer);
    }
  };

  const authenticate = async (
    authorization: string | undefined,
    activity: TeamsActivity,
    serviceUrl: string | undefined,
  ): Promise<string | undefined> => {
    if (serviceUrl !== activity.serviceUrl)
      return "the token's serviceurl claim is not the activity's serviceUrl";
    try {
      await authentication.authenticateRequest(activity as unknown as Activity, authorization ?? '');
      return undefined;
    } catch (error) {
      // Past the check above, only botbuilder's own rules (endorsements…) refuse: its messages name no key.
      return `botbuilder refused the token: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown'}`;
    }
  };

  const createThread: TeamsTransport['createThread'] = async (where, activity) => {
    const parameters = {
      isGroup: true,
      bot: { id: where.botId, name: '' },
      channelData: { channel: { id: where.teamsChannelId } },
      activity: asActivity(activity),
      ...(where.tenantId === undefined ? {} : { tenantId: where.tenantId }),
    } as ConversationParameters;
    let conversationId: string | undefined;
    await adapter.createConversationAsync(
      appId,
      where.channelId,
      where.serviceUrl,
      BOT_FRAMEWORK_ISSUER,
      parameters,
      (context) => {
        conversationId = context.activity.conversation.id;
        return Promise.resolve();
      },
    );
    // CloudAdapter hands back the thread's conversation id, `…;messageid=N`, where N is the root's id.
    const rootActivityId = conversationId === undefined ? undefined : threadRootOf(conversationId);
    if (conversationId === undefined || rootActivityId === undefined)
      // A 202: Teams took the root but its id is lost; opening another thread would show the card twice.
      throw new ConnectorCallError(
        202,
        'MissingId',
        'Teams opened the thread without saying which activity is its root',
      );
    return { conversationId, rootActivityId };
  };

  return {
    async receive(request, logic) {
      // The token first: a caller without one learns nothing about how its payload would have been read.
      const verdict = tokens === undefined ? undefined : await tokens.check(request.authorization);
      if (verdict !== undefined && !verdict.ok) {
        log.warn({ reason: verdict.reason }, 'teams request refused: unauthorized');
        return refused(401, 'unauthorized');
      }
      let json: unknown;
      try {
        json = JSON.parse(request.body);
      } catch {
        return refused(400, 'the body is not JSON');
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json))
        return refused(400, 'the body is not a JSON object');
      const problem = outOfBounds(json, ACTIVITY_BOUNDS);
      if (problem !== null) return refused(400, problem);
      const parsed = teamsActivitySchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refused(
          400,
          `not a Bot Framework activity: ${issue?.path.join('.') || 'activity'}: ${issue?.message ?? 'invalid'}`,
        );
      }
      const activity = parsed.data;
      if (verdict !== undefined) {
        const reason = await authenticate(request.authorization, activity, verdict.serviceUrl);
        if (reason !== undefined) {
          log.warn({ reason }, 'teams request refused: unauthorized');
          return refused(401, 'unauthorized');
        }
      }
      try {
        const answer = await logic(activity);
        if (activity.type !== 'invoke') return { status: 200 };
        // botbuilder's answer to an invoke nobody handled.
        return answer ?? { status: 501 };
      } catch (error) {
        log.warn({ type: activity.type, err: String(error) }, 'teams activity failed');
        return refused(500, 'the bot failed to handle this activity');
      }
    },

    send: (to, activity) =>
      outbound('send', () =>
        inTurn(to, async (context) => ({
          id: (await context.sendActivity(asActivity(activity)))?.id || undefined,
        })),
      ),

    createThread: (where, activity) => outbound('create thread', () => createThread(where, activity)),

    reply: (thread, activity) =>
      outbound('reply', () =>
        inTurn(
          { ...thread, conversationId: threadConversationId(thread.teamsChannelId, thread.threadRootId) },
          async (context) => ({ id: (await context.sendActivity(asActivity(activity)))?.id || undefined }),
        ),
      ),

    update: (to, activityId, activity) =>
      outbound('update', () =>
        inTurn(to, async (context) => {
          await context.updateActivity({ ...asActivity(activity), id: activityId });
        }),
      ),

    member: (to, userId) =>
      outbound('member lookup', () =>
        inTurn(to, async (context) => {
          try {
            const found = await TeamsInfo.getMember(context, userId);
            return {
              id: found.id,
              ...(found.aadObjectId ? { aadObjectId: found.aadObjectId } : {}),
              ...(found.name ? { name: found.name } : {}),
              ...(found.email ? { email: found.email } : {}),
            };
          } catch (error) {
            if ((error as { statusCode?: number }).statusCode === 404) return undefined;
            throw error;
          }
        }),
      ),
  };
};
