import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { buildRecord, renderRecordJson, renderRecordMarkdown } from '../domain/hotfix/record.ts';
import { identify } from '../domain/hotfix/policy.ts';
import type { EventStore } from '../service/ports.ts';
import { CorruptEventError } from '../store/event-codec.ts';
import type { Env } from '../config/env.ts';
import { createRedisEventStore } from '../store/redis-event-store.ts';
import { connectRedis } from './redis-connection.ts';
import { StartupError, loadSettings } from './runtime.ts';
import type { CliDeps } from './commands/command.ts';

/** Where `record` and `verify` read: this installation (the environment), or a running playground's state directory. */
export interface StoreSource {
  /** `--playground [dir]`: the state directory of the playground to read (default `.hotfix`). */
  readonly playground?: string | undefined;
}

/** The settings of the installation or playground to read, and a store on its Redis. */
const openSource = async (deps: CliDeps, source: StoreSource) => {
  if (source.playground === undefined) {
    const settings = await loadSettings(deps.env);
    return { settings, ...(await openStore(settings.env)) };
  }
  const { playgroundEnv, playgroundRedisProblem } = await import('./playground-state.ts');
  const settings = await loadSettings(await playgroundEnv(source.playground, deps.env));
  const opened = await openStore(settings.env).catch((error: unknown) => {
    // Its process runs but its Redis does not answer: say so, not "start one with redis-server".
    if (error instanceof StartupError) throw playgroundRedisProblem(settings.env.REDIS_URL);
    throw error;
  });
  return { settings, ...opened };
};

/** `hotfix record <id>`: the deployment record, rebuilt from the event stream and its verified hash chain. */
export const printRecord = async (
  hotfixId: string,
  format: 'md' | 'json',
  deps: CliDeps,
  source: StoreSource = {},
): Promise<void> => {
  const { settings, store, close } = await openSource(deps, source);
  try {
    const loaded = await store.load(hotfixId).catch((error: unknown) => {
      // An operator needs where the stream is broken, not our stack.
      if (!(error instanceof CorruptEventError)) throw error;
      deps.stderr(`hotfix: ${error.message}; \`hotfix verify ${hotfixId}\` checks the whole stream.\n`);
      deps.setExitCode(1);
      return undefined;
    });
    if (loaded === undefined) return;
    const { events } = loaded;
    if (events.length === 0) {
      deps.stderr(`hotfix: ${hotfixId} does not exist (hotfix ids look like HF-12).\n`);
      deps.setExitCode(1);
      return;
    }
    const chain = await store.verify(hotfixId);
    const record = buildRecord(
      events.map((e) => e.event),
      {
        timezone: settings.config.timezone,
        signoffRoles: settings.policy.signoffs,
        identify: (who) => identify(settings.policy, who),
        ...(chain.ok ? { chain: { head: chain.head, count: chain.count } } : {}),
      },
    );
    deps.stdout(format === 'json' ? renderRecordJson(record) : renderRecordMarkdown(record));
    if (!chain.ok) {
      deps.stderr(
        `hotfix: warning: ${hotfixId} hash chain check failed at event ${chain.position}: ${chain.reason}\n`,
      );
      deps.setExitCode(2);
    }
  } finally {
    await close();
  }
};

/** What a posted record says the stream was when it was written: its head and how many events it held. */
interface RecordAnchor {
  readonly hotfixId: string | undefined;
  readonly head: string;
  readonly count: number;
}

const jsonRecordAnchor = z.object({
  hotfixId: z.string(),
  events: z.object({
    count: z.int().nonnegative(),
    chain: z.object({ head: z.string().regex(/^[0-9a-f]{64}$/), count: z.int().nonnegative() }),
  }),
});

/**
 * The anchor of a record file as `hotfix record` or the bot (the file posted on close) writes it: JSON's
 * `events.chain`, or the Markdown footer "Built from N events; hash-chain head `…` (the chain holds M
 * events)". The footer is the record's last line, so user text above it cannot pose as one.
 */
const readRecordAnchor = (text: string): RecordAnchor | undefined => {
  try {
    const json = jsonRecordAnchor.safeParse(JSON.parse(text));
    if (json.success) return { hotfixId: json.data.hotfixId, ...json.data.events.chain };
  } catch {
    // Not JSON: the Markdown record.
  }
  const lastLine = text.trimEnd().split('\n').at(-1) ?? '';
  const footer =
    /Built from (\d+) events?; hash-chain head `([0-9a-f]{64})`(?: \(the chain holds (\d+) events?\))?/.exec(
      lastLine,
    );
  if (footer?.[1] === undefined || footer[2] === undefined) return undefined;
  return {
    hotfixId: /^Hotfix `([^`\s]+)`/m.exec(text)?.[1],
    head: footer[2],
    count: Number(footer[3] ?? footer[1]),
  };
};

/** Why a stream no longer matches its record, or undefined when it does. */
const anchorMismatch = async (
  store: EventStore,
  hotfixId: string,
  anchor: RecordAnchor,
  stream: { readonly count: number; readonly head: string },
): Promise<string | undefined> => {
  if (stream.count < anchor.count)
    return `the record anchors ${anchor.count} events (head ${anchor.head}) but the stream holds ${stream.count}: events ${stream.count + 1}-${anchor.count} were removed after the record was made`;
  const { events } = await store.load(hotfixId);
  const atAnchor = events[anchor.count - 1]?.hash ?? '';
  if (atAnchor !== anchor.head)
    return `event ${anchor.count}'s hash is ${atAnchor || '(none)'} but the record anchors ${anchor.head}: the history was rewritten after the record was made`;
  if (stream.count > anchor.count)
    return `the record anchors ${anchor.count} events but the stream holds ${stream.count}: events ${anchor.count + 1}-${stream.count} were added after the record was made`;
  return undefined;
};

/**
 * `hotfix verify <id> [--record <file>]`: proves the hotfix's event chain intact, or names the first event that
 * is not; with a record file, also that the stream is still what the record anchored (nothing cut or rewritten).
 */
export const verifyChain = async (
  hotfixId: string,
  deps: CliDeps,
  recordFile?: string,
  source: StoreSource = {},
): Promise<void> => {
  const anchorText =
    recordFile === undefined
      ? undefined
      : await readFile(recordFile, 'utf8').catch((error: unknown) => {
          deps.stderr(`hotfix: cannot read the record file ${recordFile}: ${(error as Error).message}\n`);
          deps.setExitCode(1);
          return null;
        });
  if (anchorText === null) return;
  const anchor = anchorText === undefined ? undefined : readRecordAnchor(anchorText);
  if (anchorText !== undefined && anchor === undefined) {
    deps.stderr(
      `hotfix: ${recordFile} carries no hash-chain head: pass the deployment record (Markdown or JSON) the bot posted or \`hotfix record\` printed.\n`,
    );
    deps.setExitCode(1);
    return;
  }
  if (anchor?.hotfixId !== undefined && anchor.hotfixId !== hotfixId) {
    deps.stderr(`hotfix: ${recordFile} is the record of ${anchor.hotfixId}, not of ${hotfixId}.\n`);
    deps.setExitCode(1);
    return;
  }

  const { store, close } = await openSource(deps, source);
  try {
    const result = await store.verify(hotfixId);
    if (result.ok && result.count === 0) {
      deps.stderr(`hotfix: ${hotfixId} does not exist.\n`);
      deps.setExitCode(1);
    } else if (!result.ok) {
      deps.stderr(`${hotfixId}: hash chain check failed at event ${result.position}: ${result.reason}\n`);
      deps.setExitCode(1);
    } else {
      deps.stdout(
        `${hotfixId}: ${result.count} events, hash chain intact (head ${result.head}), ${
          result.keyed
            ? 'keyed with HOTFIX_AUDIT_KEY'
            : 'UNKEYED (plain sha256, written before HOTFIX_AUDIT_KEY): this shows that the events agree with each other, not that nobody with write access to Redis rewrote or cut them; check it against the record posted on close with --record <file>'
        }\n`,
      );
      if (anchor === undefined) {
        // Unkeyed and unanchored, "intact" proves little: exit 2 tells scripts so too.
        if (!result.keyed) deps.setExitCode(2);
        return;
      }
      const mismatch = await anchorMismatch(store, hotfixId, anchor, result);
      if (mismatch === undefined) {
        deps.stdout(
          `${hotfixId}: matches its record ${recordFile} (${anchor.count} events, head ${anchor.head})\n`,
        );
      } else {
        deps.stderr(`${hotfixId}: does not match its record ${recordFile}: ${mismatch}\n`);
        deps.setExitCode(1);
      }
    }
  } finally {
    await close();
  }
};

/**
 * A read-only store on a fresh connection, for one-shot CLI commands: this installation's keys
 * (HOTFIX_REDIS_PREFIX), and HOTFIX_AUDIT_KEY when set to check keyed events.
 */
export const openStore = async (env: Env): Promise<{ store: EventStore; close: () => Promise<void> }> => {
  const redis = await connectRedis(env.REDIS_URL);
  return {
    store: createRedisEventStore({
      redis,
      prefix: env.HOTFIX_REDIS_PREFIX,
      auditKey: env.HOTFIX_AUDIT_KEY,
      durability: { minReplicas: env.HOTFIX_REDIS_MIN_REPLICAS, timeoutMs: env.HOTFIX_REDIS_REPLICA_TIMEOUT },
    }),
    close: async () => {
      await redis.quit();
    },
  };
};
