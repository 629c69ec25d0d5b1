/**
 * REDIS_URL in its three shapes: one server (`redis://`, `rediss://`, as ioredis reads them), Sentinel
 * (`redis+sentinel://[user:password@]host[:port],host[:port]/<master-name>[?db=N]`) and Cluster
 * (`redis+cluster://[user:password@]host[:port],host[:port]`). A `rediss+` scheme adds TLS to every connection.
 * The credentials are those of the Redis servers; Sentinel's own, when it has any, go in the query
 * (`sentinelUsername`, `sentinelPassword`).
 */

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisCredentials {
  readonly username?: string;
  readonly password?: string;
}

export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string }
  | (RedisCredentials & {
      readonly mode: 'sentinel';
      readonly tls: boolean;
      readonly sentinels: readonly RedisNode[];
      /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly db: number;
      readonly sentinelUsername?: string;
      readonly sentinelPassword?: string;
    })
  | (RedisCredentials & {
      readonly mode: 'cluster';
      readonly tls: boolean;
      /** Some nodes of the cluster: the client learns the others from them. */
      readonly nodes: readonly RedisNode[];
    });

export type RedisUrlParse =
  { readonly ok: true; readonly target: RedisTarget } | { readonly ok: false; readonly reason: string };

export const SENTINEL_PORT = 26379;
export const REDIS_PORT = 6379;

const SHAPES =
  'a redis:// or rediss:// URL, redis+sentinel://host:26379,…/<master-name> or redis+cluster://host:6379,…';

const fail = (reason: string): RedisUrlParse => ({ ok: false, reason });

const decode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
const parseNode = (text: string, defaultPort: number): RedisNode | string => {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return `"${text}" is not host or host:port`;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65_535) return `"${text}" has no valid port (1-65535)`;
  return { host: match[1] ?? match[2] ?? '', port };
};

const parseCredentials = (text: string | undefined): RedisCredentials | string => {
  if (text === undefined) return {};
  const colon = text.indexOf(':');
  const [user, pass] = colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
  const username = decode(user);
  const password = pass === undefined ? undefined : decode(pass);
  if (username === undefined || (pass !== undefined && password === undefined))
    return 'its user or password is not percent-encoded properly';
  // redis://:password@host (no user) is the usual way to give only a password.
  return {
    ...(username === '' ? {} : { username }),
    ...(password === undefined || password === '' ? {} : { password }),
  };
};

const SENTINEL_QUERY = new Set(['db', 'sentinelUsername', 'sentinelPassword']);

/** Reads REDIS_URL; never throws. The reason says what is wrong without repeating a password. */
export const parseRedisUrl = (text: string): RedisUrlParse => {
  const scheme = /^([a-z+]+):\/\//.exec(text)?.[1];
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(text);
    } catch {
      return fail(`must be ${SHAPES}`);
    }
    return { ok: true, target: { mode: 'single', url: text } };
  }
  const kind = /^(rediss?)\+(sentinel|cluster)$/.exec(scheme ?? '');
  if (kind === null) return fail(`must be ${SHAPES}`);
  const tls = kind[1] === 'rediss';
  const mode = kind[2] as 'sentinel' | 'cluster';
  const match = /^[a-z+]+:\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(text);
  if (match === null) return fail(`must be ${SHAPES}`);
  const [, userinfo, hostList = '', path = '', query = ''] = match;
  const credentials = parseCredentials(userinfo);
  if (typeof credentials === 'string') return fail(credentials);
  const defaultPort = mode === 'sentinel' ? SENTINEL_PORT : REDIS_PORT;
  const nodes: RedisNode[] = [];
  for (const part of hostList.split(',')) {
    if (part === '') return fail(`lists no ${mode === 'sentinel' ? 'sentinel' : 'cluster node'} (host:port)`);
    const node = parseNode(part, defaultPort);
    if (typeof node === 'string') return fail(node);
    nodes.push(node);
  }
  const params = new URLSearchParams(query);

  if (mode === 'cluster') {
    if (path !== '' || query !== '')
      return fail('must not name a database or options: a Redis Cluster has only database 0');
    return { ok: true, target: { mode, tls, nodes, ...credentials } };
  }

  const name = decode(path);
  if (name === undefined || !/^[A-Za-z0-9._-]+$/.test(name))
    return fail(
      'must end with the master name the sentinels monitor, e.g. redis+sentinel://host:26379,host:26379/mymaster',
    );
  for (const key of params.keys())
    if (!SENTINEL_QUERY.has(key))
      return fail(`has an unknown option "${key}" (known: ${[...SENTINEL_QUERY].join(', ')})`);
  const dbText = params.get('db') ?? '0';
  if (!/^\d{1,2}$/.test(dbText)) return fail('has a db that is not a database number (0-15…)');
  const sentinelUsername = params.get('sentinelUsername') ?? '';
  const sentinelPassword = params.get('sentinelPassword') ?? '';
  return {
    ok: true,
    target: {
      mode,
      tls,
      sentinels: nodes,
      name,
      db: Number(dbText),
      ...credentials,
      ...(sentinelUsername === '' ? {} : { sentinelUsername }),
      ...(sentinelPassword === '' ? {} : { sentinelPassword }),
    },
  };
};

/** The URL with its passwords masked, for messages and logs. */
export const redactRedisUrl = (text: string): string =>
  text.replace(/\/\/[^@/]*@/, '//***@').replace(/(sentinelPassword=)[^&#]*/g, '$1***');
