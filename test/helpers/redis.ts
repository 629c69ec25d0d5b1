import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisOptions } from 'ioredis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../src/main/local-redis.ts';

export { freePort };

/** A private redis-server for one test suite, configured like production (AOF, no eviction). */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Its data directory (AOF files); kept across `restart`, removed by `stop`. */
  readonly dir: string;
  /** A new ioredis client for this server; `stop` disconnects it if the test has not. */
  connect(options?: RedisOptions): Redis;
  /** Kills the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops and starts the server on the same port and directory, so AOF data survives. `crash: true` kills it
   * with SIGKILL instead of a clean shutdown: with `appendfsync everysec` the last second of writes may be lost.
   */
  restart(options?: { readonly crash?: boolean }): Promise<void>;
  /** Kills the server with SIGKILL and leaves it down (its directory stays until `stop`). */
  kill(): Promise<void>;
}

/** Safety nets only: a healthy start takes milliseconds, and nothing below relies on a delay being enough. */
const START_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 10_000;
const PORT_ATTEMPTS = 5;

interface Running {
  readonly server: ChildProcess;
  /** Kills the server if this test process dies without stopping it (see `spawnWatchdog`). */
  readonly watchdog: ChildProcess;
}

/** Every server this process started and has not stopped, for the exit hook. */
const live = new Map<Running, string>();
let exitHookInstalled = false;

const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous by necessity: 'exit' handlers cannot await.
  process.once('exit', () => {
    for (const [running, dir] of live) {
      running.watchdog.kill('SIGKILL');
      running.server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
};

/**
 * A process killed outright (SIGKILL, a crashed worker) runs no exit hook, and Linux does not take its
 * children with it. The watchdog holds a pipe from us; when we die the pipe closes, `read` returns and it
 * kills the server and removes its directory. We always kill the watchdog before the server, so it never
 * outlives its server's pid.
 */
const spawnWatchdog = (pid: number, dir: string): ChildProcess => {
  const script = 'read _ignored; kill -9 "$1" 2>/dev/null; rm -rf -- "$2"';
  const watchdog = spawn('sh', ['-c', script, 'hotfix-redis-watchdog', String(pid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  // Unreferenced so a suite that forgets stop() does not keep the test process alive.
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
};

type Probe = 'ours' | 'other' | 'not-ready';

/**
 * Sends inline `PING` and `INFO server`. Ready means +PONG (not -LOADING while the AOF is replayed) from
 * the process we started: a server of another suite that got the same port answers PING just as well.
 */
const probe = (port: number, pid: number): Promise<Probe> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (result: Probe): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (!reply.includes('\r\n')) return;
      if (!reply.startsWith('+PONG')) return done('not-ready');
      const serverPid = /process_id:(\d+)\r\n/.exec(reply)?.[1];
      if (serverPid !== undefined) done(Number(serverPid) === pid ? 'ours' : 'other');
    });
    socket.on('error', () => done('not-ready'));
    socket.on('close', () => done('not-ready'));
  });

const exitOf = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** A server's settings: a data server's command-line options, or a sentinel's config file (which it rewrites). */
type ServerSpec =
  | { readonly kind: 'server'; readonly config: Readonly<Record<string, string>> }
  | { readonly kind: 'sentinel'; readonly file: string };

/** The settings of every data server, as in production (PLATFORM.md): durable through the AOF, no eviction. */
const serverConfig = (port: number, dir: string, extra: Readonly<Record<string, string>>) => ({
  port: String(port),
  bind: '127.0.0.1',
  dir,
  logfile: join(dir, 'redis.log'),
  save: '',
  appendonly: 'yes',
  appendfsync: 'everysec',
  'maxmemory-policy': 'noeviction',
  daemonize: 'no',
  ...extra,
});

/** Starts redis-server and waits until it answers PING; rejects (with its log) if it exits first. */
const launch = async (port: number, dir: string, spec: ServerSpec): Promise<Running> => {
  const args =
    spec.kind === 'sentinel'
      ? [spec.file, '--sentinel']
      : // A value of several words (`replicaof 127.0.0.1 6379`) is given as several arguments.
        Object.entries(spec.config).flatMap(([name, value]) => [
          `--${name}`,
          ...(value.includes(' ') ? value.split(' ') : [value]),
        ]);
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  server.unref();
  server.on('error', () => undefined); // reported through the spawn promise below; later ones are moot
  await new Promise<void>((resolve, reject) => {
    server.once('spawn', resolve);
    server.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
  });
  if (server.pid === undefined) throw new Error('redis-server did not start');
  const running: Running = { server, watchdog: spawnWatchdog(server.pid, dir) };
  live.set(running, dir);
  installExitHook();

  let exited = false;
  void exitOf(server).then(() => {
    exited = true;
    running.watchdog.kill('SIGKILL');
  });
  const deadline = performance.now() + START_DEADLINE_MS;
  while (!exited) {
    const state = await probe(port, server.pid);
    if (state === 'ours') return running;
    if (state === 'other') {
      await halt(running, 'SIGKILL');
      throw new RedisStartError(port, 'Address already in use (another redis-server answers on this port)');
    }
    if (performance.now() > deadline) {
      await halt(running, 'SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within ${START_DEADLINE_MS} ms`);
    }
    await sleep(10);
  }
  live.delete(running);
  const log = await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '');
  throw new RedisStartError(port, log);
};

class RedisStartError extends Error {
  constructor(
    readonly port: number,
    readonly log: string,
  ) {
    super(`redis-server on port ${port} exited during start:\n${log.split('\n').slice(-10).join('\n')}`);
  }
  get portTaken(): boolean {
    return /address already in use/i.test(this.log);
  }
}

/** Stops the server (clean shutdown by default, which flushes the AOF) and waits until it has exited. */
const halt = async (running: Running, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
  running.watchdog.kill('SIGKILL');
  const exited = exitOf(running.server);
  running.server.kill(signal);
  const timer = setTimeout(() => running.server.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(timer);
  live.delete(running);
};

export interface RedisServerOptions {
  /**
   * More redis-server options (`replicaof`, `cluster-enabled`…), given the server's port and directory; asked
   * again on each attempt, so a port it picks is picked afresh when the first one turns out taken.
   */
  readonly config?: (port: number, dir: string) => Promise<Record<string, string>> | Record<string, string>;
  /** Runs a sentinel instead (`redis-server <file> --sentinel`): the lines of its config file after `port`. */
  readonly sentinel?: readonly string[];
}

const specFor = async (port: number, dir: string, options: RedisServerOptions): Promise<ServerSpec> => {
  if (options.sentinel === undefined)
    return { kind: 'server', config: serverConfig(port, dir, (await options.config?.(port, dir)) ?? {}) };
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `logfile ${join(dir, 'redis.log')}`,
    'daemonize no',
    ...options.sentinel,
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return { kind: 'sentinel', file };
};

/** Starts a private redis-server (or sentinel) on a free port with a fresh data directory. */
export const startRedisServer = async (options: RedisServerOptions = {}): Promise<TestRedis> => {
  let started: { port: number; dir: string; spec: ServerSpec; running: Running } | undefined;
  for (let attempt = 1; started === undefined; attempt++) {
    // A fresh directory per attempt, so a failed attempt's log cannot be mistaken for the next one's.
    const dir = await mkdtemp(join(tmpdir(), 'hotfix-redis-'));
    const port = await freePort();
    try {
      const spec = await specFor(port, dir, options);
      started = { port, dir, spec, running: await launch(port, dir, spec) };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      // Another process may take the port between our probe and the server's bind: pick another.
      if (!(error instanceof RedisStartError && error.portTaken && attempt < PORT_ATTEMPTS)) throw error;
    }
  }
  const { port, dir, spec, running } = started;

  let current: Running | undefined = running;
  let stopped = false;
  const clients = new Set<Redis>();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    connect(options = {}) {
      const client = new Redis({ host: '127.0.0.1', port, ...options });
      // Commands still reject on failure; this only keeps ioredis from logging every reconnect attempt
      // as an "unhandled error event" while the server is down (restart).
      client.on('error', () => undefined);
      clients.add(client);
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const client of clients) client.disconnect();
      if (current !== undefined) await halt(current, 'SIGTERM');
      current = undefined;
      await rm(dir, { recursive: true, force: true });
    },
    async restart({ crash = false } = {}) {
      if (stopped) throw new Error('restart after stop');
      if (current !== undefined) await halt(current, crash ? 'SIGKILL' : 'SIGTERM');
      current = undefined;
      current = await launch(port, dir, spec);
    },
    async kill() {
      if (current !== undefined) await halt(current, 'SIGKILL');
      current = undefined;
    },
  };
};

/**
 * Starts a private redis-server before the suite's tests and stops it after them, whether they pass or not.
 * Call at the top level of a test file or `describe`; the returned function gives the server inside tests.
 */
export const useRedisServer = (): (() => TestRedis) => {
  let server: TestRedis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined)
      throw new Error('the redis-server is not started yet (use it inside a test or hook)');
    return server;
  };
};

/** A key prefix no other test shares, e.g. `t-3f9c2a1b:`; braces are avoided (they are hash tags). */
export const uniquePrefix = (label = 't'): string => `${label}-${randomUUID().slice(0, 8)}:`;

/** The HOTFIX_AUDIT_KEY of every test: a fixed value, so a stream written in one place verifies in another. */
export const TEST_AUDIT_KEY = 'test-audit-key-0123456789abcdef0123456789abcdef';
