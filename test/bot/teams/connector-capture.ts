import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the bot made to the Bot Connector. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown> | undefined;
}

/**
 * A bare Bot Connector stand-in for the transport tests: it records every call and answers as the connector
 * does (an id for a posted activity, `19:…;messageid=N` for a new channel thread, a member). The full stand-in
 * with rate limits and faults is src/teams-stand-in.
 */
export const startConnectorCapture = async () => {
  const calls: ConnectorCall[] = [];
  const waiters: (() => void)[] = [];
  let next = 1000;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      const path = req.url ?? '/';
      calls.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body });
      for (const wake of waiters.splice(0)) wake();
      const answer = (status: number, json: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (req.method === 'POST' && path === '/v3/conversations') {
        const channel =
          (body?.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? '19:x';
        const root = String(next++);
        return answer(201, { id: `${channel};messageid=${root}`, activityId: root });
      }
      const member = /^\/v3\/conversations\/[^/]+\/members\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && member) {
        const id = decodeURIComponent(member[1] ?? '');
        if (id === '29:nobody') return answer(404, { error: { code: 'MemberNotFoundInConversation' } });
        return answer(200, {
          id,
          aadObjectId: 'aad-of-' + id,
          name: 'Ada Lovelace',
          email: 'ada@example.com',
        });
      }
      if (req.method === 'PUT') return answer(200, { id: path.split('/').pop() });
      answer(201, { id: String(next++) });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    /** Resolves once `count` calls have arrived. */
    async received(count: number): Promise<readonly ConnectorCall[]> {
      while (calls.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return calls;
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
};
