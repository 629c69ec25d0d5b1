import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** 256 random bits, URL-safe: the playground's per-start token. */
export const newPlaygroundToken = (): string => randomBytes(32).toString('base64url');

export interface PlaygroundGuardOptions {
  /** The origin the playground printed, e.g. `http://127.0.0.1:3000`. */
  readonly origin: string;
  /** Other names of the same listener (`http://localhost:3000` beside `http://127.0.0.1:3000`). */
  readonly aliases?: readonly string[];
  readonly token: string;
  /** Paths that need no token (health, and Slack's deliveries, which carry their own signature). */
  readonly open: readonly string[];
}

/** Answers a request that may not go on and returns true; false lets it through. */
export type PlaygroundGuard = (req: IncomingMessage, res: ServerResponse) => boolean;

const refuse = (res: ServerResponse, status: number, line: string) => {
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(`${line}\n`);
  return true;
};

// Hashing first gives timingSafeEqual inputs of equal length, so not even the token's length leaks.
const digest = (text: string) => createHash('sha256').update(text).digest();

const cookieValue = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
};

/**
 * The playground's door. It acts as anyone in the config, so a request gets through only when it is meant for
 * this playground: its `Host` is an address the playground printed (a DNS-rebound name is refused, 403), its
 * `Origin`, when sent, is one of those addresses (no other site's page may post here, 403), and it carries
 * the per-start token, from the printed URL or from the cookie the first visit with it set (401 otherwise).
 * The first GET with the token in the URL sets that cookie (HttpOnly, SameSite=Strict) and redirects to the
 * same URL without it, so the token does not stay in the address bar, the history or a Referer.
 */
export const createPlaygroundGuard = (options: PlaygroundGuardOptions): PlaygroundGuard => {
  const origins = [options.origin, ...(options.aliases ?? [])].map((o) => new URL(o));
  const hosts = new Set(origins.map((o) => o.host));
  const allowedOrigins = new Set(origins.map((o) => o.origin));
  const printed = new URL(options.origin);
  // Cookies ignore the port: a second playground on another port must not overwrite this one's.
  const cookie = `hotfix_playground_${printed.port || '80'}`;
  const expected = digest(options.token);
  const matches = (candidate: string | undefined) =>
    candidate !== undefined && timingSafeEqual(digest(candidate), expected);
  const open = new Set(options.open);

  return (req, res) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host))
      return refuse(
        res,
        403,
        `hotfix playground: refused: Host ${JSON.stringify(host)} is not this playground's address (${printed.host})`,
      );
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin))
      return refuse(
        res,
        403,
        `hotfix playground: refused: a page from ${JSON.stringify(origin)} may not call this playground (${printed.origin})`,
      );
    const url = new URL(req.url ?? '/', printed.origin);
    if (open.has(url.pathname)) return false;
    const inUrl = url.searchParams.get('token') ?? undefined;
    if (inUrl !== undefined && !matches(inUrl))
      return refuse(
        res,
        403,
        'hotfix playground: this token is not the one the playground printed at start-up (a new one is made at every start): open the URL it printed',
      );
    if (inUrl !== undefined && req.method === 'GET') {
      url.searchParams.delete('token');
      res
        .writeHead(303, {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${cookie}=${options.token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
        })
        .end();
      return true;
    }
    if (inUrl !== undefined || matches(cookieValue(req.headers.cookie, cookie))) return false;
    return refuse(
      res,
      401,
      'hotfix playground: open the URL hotfix playground printed at start-up (it carries the access token)',
    );
  };
};
