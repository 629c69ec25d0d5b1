import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { parseRedisUrl, redactRedisUrl } from '../config/redis-url.ts';
import { createRedisClient } from './redis-connection.ts';

export interface LocalRedisLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EnsureRedisOptions {
  /** REDIS_URL (or its default): used when it answers a PING within `pingTimeoutMs`. */
  readonly url: string;
  /** Where a private server keeps its data: `<dir>/redis` (default `.hotfix`). */
  readonly dir?: string;
  readonly log: LocalRedisLog;
  /** Where to look for `redis-server` (default: $PATH). */
  readonly path?: string;
  readonly pingTimeoutMs?: number;
}

export interface EnsuredRedis {
  readonly url: string;
  /** True when we started a private redis-server; false when `url` answered. */
  readonly started: boolean;
  /** Shuts the private server down cleanly (its AOF flushed); nothing for a server we did not start. */
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 10_000;
const PORT_ATTEMPTS = 5;

const redact = redactRedisUrl;

/** Whether a Redis at `url` (one server, Sentinel or Cluster) answers PING within `timeoutMs`. */
const answers = async (url: string, timeoutMs: number): Promise<boolean> => {
  const parsed = parseRedisUrl(url);
  if (!parsed.ok) return false;
  if (parsed.target.mode !== 'single')
    return answersWithin(createRedisClient(url, { service: false }), timeoutMs);
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
  } catch {
    return false;
  }
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
};

const answersWithin = async (redis: Redis, timeoutMs: number): Promise<boolean> => {
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((reply) => reply === 'PONG'), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
};

const onPath = async (program: string, path: string): Promise<string | undefined> => {
  for (const dir of path.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, program);
    const found = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return candidate;
  }
  return undefined;
};

/** A port nobody listens on right now (another process may still take it before we bind). */
export const freePort = async (): Promise<number> => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
};

const exitOf = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));

/**
 * Our process may die without running any hook (SIGKILL, a crash in native code), and Linux does not take
 * children along. The watchdog holds a pipe from us: when we die the pipe closes, `read` returns and it
 * stops the server with SIGTERM, so Redis still flushes its AOF.
 */
const spawnWatchdog = (pid: number): ChildProcess => {
  const watchdog = spawn(
    'sh',
    ['-c', 'read _ignored; kill -TERM "$1" 2>/dev/null', 'hotfix-redis-watchdog', String(pid)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
};

class PortTaken extends Error {}

/** Starts redis-server on `port` with AOF on; resolves once it answers PING, rejects (with its log) if it exits. */
const launch = async (program: string, port: number, dataDir: string): Promise<ChildProcess> => {
  const config: Record<string, string> = {
    port: String(port),
    bind: '127.0.0.1',
    dir: dataDir,
    logfile: 'redis.log',
    save: '',
    appendonly: 'yes',
    appendfsync: 'everysec',
    'maxmemory-policy': 'noeviction',
    daemonize: 'no',
  };
  const server = spawn(
    program,
    Object.entries(config).flatMap(([name, value]) => [`--${name}`, value]),
    {
      stdio: 'ignore',
    },
  );
  server.unref();
  server.on('error', () => undefined);
  await new Promise<void>((done, fail) => {
    server.once('spawn', done);
    server.once('error', (error) => fail(new Error(`cannot run ${program}: ${error.message}`)));
  });
  let exited = false;
  void exitOf(server).then(() => (exited = true));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = performance.now() + START_DEADLINE_MS;
  while (!exited) {
    if (await answers(url, 500)) return server;
    if (performance.now() > deadline) {
      server.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within ${START_DEADLINE_MS} ms`);
    }
    await sleep(20);
  }
  const log = await readFile(join(dataDir, 'redis.log'), 'utf8').catch(() => '');
  if (/address already in use/i.test(log)) throw new PortTaken(`port ${port} is taken`);
  const last = log.trim().split('\n').at(-1) ?? '';
  throw new Error(`redis-server exited during start${last === '' ? '' : `: ${last}`}`);
};

/** The one line said when there is no Redis to use. */
export const noRedisMessage = (url: string): string =>
  `No Redis: nothing answers at ${redact(url)} and redis-server is not on PATH. Install Redis 7 ` +
  '(apt-get install redis-server, brew install redis) or set REDIS_URL to a running server.';

/**
 * A Redis for the playground: REDIS_URL when it answers a PING quickly; otherwise a private redis-server
 * started on a free port with its data under `<dir>/redis` (AOF on, appendfsync everysec), which stops with
 * `stop()`, when our process exits, and — through a watchdog — when our process is killed outright.
 * Throws an error with one clear line when neither is possible.
 */
export const ensureRedis = async (options: EnsureRedisOptions): Promise<EnsuredRedis> => {
  const { url, log } = options;
  if (await answers(url, options.pingTimeoutMs ?? 500))
    return { url, started: false, stop: async () => undefined };
  const program = await onPath('redis-server', options.path ?? process.env.PATH ?? '');
  if (program === undefined) throw new Error(noRedisMessage(url));

  const dataDir = resolve(options.dir ?? '.hotfix', 'redis');
  await mkdir(dataDir, { recursive: true });
  let server: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; server === undefined; attempt++) {
    port = await freePort();
    try {
      server = await launch(program, port, dataDir);
    } catch (error) {
      // Another process may take the port between our probe and the server's bind: pick another.
      if (!(error instanceof PortTaken) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
  const running = server;
  const pid = running.pid as number;
  const watchdog = spawnWatchdog(pid);
  // Synchronous by necessity ('exit' handlers cannot wait): SIGTERM still lets Redis flush its AOF.
  const onExit = () => {
    watchdog.kill('SIGKILL');
    running.kill('SIGTERM');
  };
  process.once('exit', onExit);
  const privateUrl = `redis://127.0.0.1:${port}`;
  log.info(
    { url: privateUrl, dir: dataDir, pid },
    `no Redis at ${redact(url)}: started a private redis-server`,
  );

  let stopping: Promise<void> | undefined;
  return {
    url: privateUrl,
    started: true,
    stop() {
      stopping ??= (async () => {
        process.off('exit', onExit);
        watchdog.kill('SIGKILL');
        const exited = exitOf(running);
        running.kill('SIGTERM');
        const timer = setTimeout(() => {
          log.warn({ pid }, 'redis-server did not stop in time: killing it');
          running.kill('SIGKILL');
        }, STOP_DEADLINE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
};
