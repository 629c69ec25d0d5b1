import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
/** Prometheus' text exposition format, as prom-client's Registry.PROMETHEUS_CONTENT_TYPE says it (checked in a
 * test): kept here so serve's main thread can answer /metrics without loading prom-client. */
export const HTTP_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsRouteDeps {
  /** The Prometheus text of every registry of the process. */
  collect(): Promise<string>;
  /** When set, a scrape must say `Authorization: Bearer <token>` (HOTFIX_METRICS_TOKEN). */
  readonly token?: string | undefined;
  readonly log: { warn(fields: object, message: string): void };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compared in constant time (over digests, so the length of the token does not show either). */
const authorized = (header: string | undefined, token: string | undefined): boolean =>
  token === undefined || timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));

/** Answers `GET /metrics` in Prometheus' text format (401 without the token when one is set). */
export const answerMetrics = (deps: MetricsRouteDeps, req: IncomingMessage, res: ServerResponse): void => {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
  if (!authorized(req.headers.authorization, deps.token))
    return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
  deps.collect().then(
    (text) =>
      res.writeHead(200, { 'content-type': HTTP_CONTENT_TYPE }).end(req.method === 'HEAD' ? '' : text),
    (error: unknown) => {
      deps.log.warn({ err: String(error) }, 'metrics could not be collected');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
    },
  );
};

export interface MetricsServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

/** A listener that serves `/metrics` and nothing else (`hotfix worker`'s, on HOTFIX_METRICS_HOST:PORT). */
export const startMetricsServer = async (
  deps: MetricsRouteDeps & { readonly host: string; readonly port: number },
): Promise<MetricsServer> => {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') return answerMetrics(deps, req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
