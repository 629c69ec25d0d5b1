import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The services' health endpoint the monitor probes, per hotfix (`/health/HF-3`): healthy (200, a low error rate)
 * unless a test asks a hotfix's next probes to breach (503, a high error rate), as the jobs harness's does.
 */
export interface HealthEndpoint {
  /** The next `times` probes of this hotfix's monitor answer 503 with an error rate of 0.4. */
  breach(hotfixId: string, times?: number): void;
}

export const startHealthEndpoint = async (): Promise<{
  url: string;
  endpoint: HealthEndpoint;
  server: Server;
}> => {
  const breaches = new Map<string, number>();
  const server = createServer((req, res) => {
    const hotfixId = decodeURIComponent(req.url?.split('/').at(-1) ?? '');
    const left = breaches.get(hotfixId) ?? 0;
    if (left > 0) breaches.set(hotfixId, left - 1);
    res.writeHead(left > 0 ? 503 : 200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(left > 0 ? { error_rate: 0.4, state: 'degraded' } : { error_rate: 0.01, state: 'ok' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health/{{hotfix.id}}`,
    endpoint: { breach: (hotfixId, times = 1) => breaches.set(hotfixId, times) },
    server,
  };
};
