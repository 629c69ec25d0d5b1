import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { ServiceClientCredentials } from 'botframework-connector';
import { ServiceClientCredentialsFactory } from 'botframework-connector';

export const APP_ID = '8a2f0c1e-5d7b-4e3a-9c61-2b4d6f8e0a13';
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** What the bot's outbound calls carry; the stand-in in authenticated mode accepts exactly this. */
export const BOT_TOKEN = 'stand-in-outbound-token';

/** Outbound credentials without Entra: every connector call carries `Bearer <token>`. */
export class FixedTokenCredentials extends ServiceClientCredentialsFactory {
  constructor(
    private readonly appId: string,
    private readonly bearer: string,
  ) {
    super();
  }
  override isValidAppId(appId: string) {
    return Promise.resolve(appId === this.appId);
  }
  override isAuthenticationDisabled() {
    return Promise.resolve(this.appId === '');
  }
  override createCredentials(): Promise<ServiceClientCredentials> {
    return Promise.resolve({
      signRequest: (request) => {
        request.headers.set('authorization', `Bearer ${this.bearer}`);
        return Promise.resolve(request);
      },
    });
  }
}

/** botbuilder's CloudAdapter wants an Express-like response. */
const expressLike = (response: ServerResponse) => {
  let body: unknown;
  return {
    socket: response.socket,
    status: (code: number) => {
      response.statusCode = code;
    },
    header: (name: string, value: unknown) => response.setHeader(name, String(value)),
    send: (value: unknown) => {
      body = value;
    },
    end: () => {
      if (body === undefined) response.end();
      else if (typeof body === 'string') response.end(body);
      else {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(body));
      }
    },
  };
};

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
};

export type Logic = (context: TurnContext) => Promise<InvokeResponse | undefined | void>;

/**
 * A bare botbuilder bot on `POST /api/messages`: a real CloudAdapter, configured with the stand-in's OpenID
 * metadata, calling `logic` for each activity it lets through.
 */
export const startBot = async (options: {
  readonly authConfig: Readonly<Record<string, unknown>>;
  readonly appId?: string;
  readonly logic?: Logic;
}) => {
  const appId = options.appId ?? APP_ID;
  const auth = new ConfigurationBotFrameworkAuthentication(
    { MicrosoftAppId: appId, MicrosoftAppTenantId: TENANT_ID, ...options.authConfig },
    new FixedTokenCredentials(appId, BOT_TOKEN),
  );
  const adapter = new CloudAdapter(auth);
  const received: Activity[] = [];
  let logic: Logic = options.logic ?? (() => Promise.resolve(undefined));
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readJson(request);
      await adapter.process(
        { body, headers: request.headers, method: request.method },
        expressLike(response),
        async (context) => {
          received.push(context.activity);
          const answer = await logic(context);
          // An invoke's answer travels back through the turn state, as TeamsActivityHandler does it.
          if (answer) await context.sendActivity({ type: 'invokeResponse', value: answer });
        },
      );
    })().catch(() => {
      response.statusCode = 500;
      response.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    adapter,
    appId,
    received,
    setLogic(next: Logic) {
      logic = next;
    },
    async stop() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
};
