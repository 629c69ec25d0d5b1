import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import { canonicalJson } from '../../src/domain/hotfix/canonical-json.ts';
import { eventHashOfJson } from '../../src/store/event-codec.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { cast, deployedHistory, rolledBackHistory } from '../domain/fixtures/record-histories.ts';
import { TEST_AUDIT_KEY, useRedisServer } from '../helpers/redis.ts';
import { HOTFIX_CLI } from '../helpers/cli.ts';

const run = promisify(execFile);
const redisServer = useRedisServer();

/** Runs the real CLI against the suite's private Redis; resolves with the exit code instead of throwing. */
const hotfix = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [...HOTFIX_CLI, ...args], {
      env: {
        ...process.env,
        REDIS_URL: redisServer().url,
        HOTFIX_CONFIG: 'config/hotfix.example.yml',
        HOTFIX_AUDIT_KEY: TEST_AUDIT_KEY,
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let redis: Redis;
let dir: string;
beforeAll(async () => {
  redis = redisServer().connect();
  dir = await mkdtemp(join(tmpdir(), 'hotfix-record-cli-'));
});
afterAll(async () => {
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

/** Writes a hotfix's history under `prefix` and `hotfixId` as the bot would (keyed with the test key). */
const seed = async (prefix: string, hotfixId: string, history: readonly HotfixEvent[]) => {
  const store = createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY });
  const events = history.map((e) => (e.type === 'HotfixStarted' ? { ...e, id: hotfixId } : e));
  expect((await store.append(hotfixId, 0, events)).ok).toBe(true);
  return store;
};

/** The stored JSON text of each event, as written. */
const storedTexts = async (prefix: string, hotfixId: string): Promise<string[]> =>
  (await redis.xrange(storeKeys(prefix).stream(hotfixId), '-', '+')).map(
    ([, fields]) => fields[fields.indexOf('event') + 1] ?? '',
  );

/**
 * Someone with write access to Redis but not the key: rewrites the stream from `texts`, recomputing every
 * link from `from` on with plain sha256 (entries before keep theirs), and moves the head to the end.
 */
const forge = async (
  prefix: string,
  hotfixId: string,
  texts: readonly string[],
  { from, keepAlg }: { from: number; keepAlg: boolean },
) => {
  const keys = storeKeys(prefix);
  const old = await redis.xrange(keys.stream(hotfixId), '-', '+');
  const tx = redis.multi().del(keys.stream(hotfixId));
  let prevHash = '';
  for (const [i, text] of texts.entries()) {
    const position = i + 1;
    const kept = old[i]?.[1] ?? [];
    const hash =
      position < from
        ? (kept[kept.indexOf('hash') + 1] ?? '')
        : eventHashOfJson(hotfixId, position, prevHash, text);
    const alg = position < from || keepAlg ? ['alg', 'hmac-sha256'] : [];
    tx.xadd(
      keys.stream(hotfixId),
      `0-${position}`,
      'event',
      text,
      'prevHash',
      prevHash,
      'hash',
      hash,
      ...alg,
    );
    prevHash = hash;
  }
  await tx.hset(keys.head(hotfixId), 'version', texts.length, 'hash', prevHash).exec();
};

const approvalIndex = deployedHistory.findIndex((e) => e.type === 'PlanApproved');
const rewrittenApproval = (texts: readonly string[]): string[] =>
  texts.map((text, i) =>
    i === approvalIndex ? canonicalJson({ ...deployedHistory[approvalIndex], by: cast.sam }) : text,
  );

describe('hotfix record / verify', () => {
  beforeAll(async () => {
    await seed('', 'HF-42', deployedHistory);
  });

  it('prints the record as Markdown and as JSON, with the verified chain head', async () => {
    const md = await hotfix(['record', 'HF-42']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Deployment Documentation/);
    expect(md.stdout).toContain('**Issue:** PAY-1423');
    const json = await hotfix(['record', 'HF-42', '--format', 'json']);
    const record = JSON.parse(json.stdout) as {
      hotfixId: string;
      events: { count: number; chain: { head: string } };
    };
    expect(record.hotfixId).toBe('HF-42');
    expect(record.events.count).toBe(deployedHistory.length);
    const verify = await hotfix(['verify', 'HF-42']);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain(
      `${deployedHistory.length} events, hash chain intact (head ${record.events.chain.head}), keyed with HOTFIX_AUDIT_KEY`,
    );
  });

  it('refuses an unknown id and a bad format clearly', async () => {
    expect(await hotfix(['record', 'HF-404'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('HF-404 does not exist'),
    });
    expect(await hotfix(['verify', 'HF-404'])).toMatchObject({ code: 1 });
    const bad = await hotfix(['record', 'HF-42', '--format', 'pdf']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are md, json/);
  });

  it('reads a hotfix id as chat does: hf-42 is HF-42, banana is no id', async () => {
    expect(await hotfix(['record', 'hf-42'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('**Issue:** PAY-1423'),
    });
    const bad = await hotfix(['record', 'banana']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a hotfix id (they look like HF-12)');
  });

  it('verify names the first tampered event', async () => {
    await seed('', 'HF-43', deployedHistory);
    // Rewrite history: the stream is rebuilt with event 3 changed but its stored hash kept.
    const key = '{hotfix}:stream:HF-43';
    const entries = await redis.xrange(key, '-', '+');
    const tx = redis.multi().del(key);
    for (const [id, fields] of entries) {
      const i = fields.indexOf('event') + 1;
      if (id === '0-3') fields[i] = fields[i]!.replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"');
      tx.xadd(key, id, ...fields);
    }
    await tx.exec();
    const verify = await hotfix(['verify', 'HF-43']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/hash chain check failed at event 3/);
  });

  it('record on a corrupt stream says which event in one line, exit 1, no stack trace', async () => {
    await seed('', 'HF-44', deployedHistory.slice(0, 3));
    await redis.xadd(
      '{hotfix}:stream:HF-44',
      '0-4',
      'event',
      '{"type":',
      'prevHash',
      'a'.repeat(64),
      'hash',
      'b'.repeat(64),
    );

    const record = await hotfix(['record', 'HF-44']);

    expect(record).toMatchObject({ code: 1, stdout: '' });
    expect(record.stderr).toBe(
      'hotfix: HF-44 event 4 is corrupt: not valid JSON; `hotfix verify HF-44` checks the whole stream.\n',
    );
    const verify = await hotfix(['verify', 'HF-44']);
    expect(verify).toMatchObject({
      code: 1,
      stderr: 'HF-44: hash chain check failed at event 4: not valid JSON\n',
    });
  });
});

describe('two installations in one Redis (HOTFIX_REDIS_PREFIX)', () => {
  beforeAll(async () => {
    await seed('site-a:', 'HF-7', deployedHistory);
    await seed('site-b:', 'HF-7', rolledBackHistory);
  });

  it("record and verify read their own installation's hotfix, never the other's", async () => {
    const a = await hotfix(['record', 'HF-7', '--format', 'json'], { HOTFIX_REDIS_PREFIX: 'site-a:' });
    const b = await hotfix(['record', 'HF-7', '--format', 'json'], { HOTFIX_REDIS_PREFIX: 'site-b:' });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const [recordA, recordB] = [a, b].map(
      (r) => JSON.parse(r.stdout) as { events: { count: number; chain: { head: string } } },
    );
    expect(recordA?.events.count).toBe(deployedHistory.length);
    expect(recordB?.events.count).toBe(rolledBackHistory.length);

    // B's stream tampered with: A's verify is unaffected, B's names the event.
    const keyB = storeKeys('site-b:').stream('HF-7');
    const [[, fields = []] = []] = await redis.xrange(keyB, '0-2', '0-2');
    fields[fields.indexOf('event') + 1] = fields[fields.indexOf('event') + 1]!.replace(
      /"at":"[^"]+"/,
      '"at":"2020-01-01T00:00:00.000Z"',
    );
    await redis
      .multi()
      .xdel(keyB, '0-2')
      .xadd(keyB, '0-2', ...fields)
      .exec();

    const verifyA = await hotfix(['verify', 'HF-7'], { HOTFIX_REDIS_PREFIX: 'site-a:' });
    expect(verifyA.code).toBe(0);
    expect(verifyA.stdout).toContain(`(head ${recordA?.events.chain.head})`);
    const verifyB = await hotfix(['verify', 'HF-7'], { HOTFIX_REDIS_PREFIX: 'site-b:' });
    expect(verifyB).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/hash chain check failed at event 2/),
    });
  });
});

describe('the audit key and the record anchor', () => {
  /** A closed hotfix and its record file as posted in the thread (Markdown) or printed as JSON. */
  const closedHotfix = async (hotfixId: string, format: 'md' | 'json' = 'md') => {
    await seed('', hotfixId, deployedHistory);
    const printed = await hotfix(['record', hotfixId, '--format', format]);
    expect(printed.code).toBe(0);
    const file = join(dir, `${hotfixId}.${format}`);
    await writeFile(file, printed.stdout);
    return file;
  };

  it('an intact hotfix verifies against its record, Markdown or JSON', async () => {
    const md = await closedHotfix('HF-50');
    const verify = await hotfix(['verify', 'HF-50', '--record', md]);
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    expect(verify.stdout).toMatch(
      new RegExp(
        `HF-50: matches its record .*HF-50\\.md \\(${deployedHistory.length} events, head [0-9a-f]{64}\\)`,
      ),
    );

    const json = await closedHotfix('HF-51', 'json');
    expect(await hotfix(['verify', 'HF-51', '--record', json])).toMatchObject({ code: 0 });
    // Another hotfix's record is refused, not compared.
    expect(await hotfix(['verify', 'HF-51', '--record', md])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is the record of HF-50, not of HF-51'),
    });
  });

  it('a rewritten approval with the plain hashes recomputed fails verify', async () => {
    const file = await closedHotfix('HF-52');
    await forge('', 'HF-52', rewrittenApproval(await storedTexts('', 'HF-52')), {
      from: approvalIndex + 1,
      keepAlg: true,
    });

    const verify = await hotfix(['verify', 'HF-52']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toBe(
      `HF-52: hash chain check failed at event ${approvalIndex + 1}: hash does not match the event: it was changed after it was written, or HOTFIX_AUDIT_KEY is not the key it was written with\n`,
    );
    expect(await hotfix(['verify', 'HF-52', '--record', file])).toMatchObject({ code: 1 });
  });

  it('a stream wholly passed off as unkeyed is flagged, and its record catches the rewrite', async () => {
    const file = await closedHotfix('HF-53');
    await forge('', 'HF-53', rewrittenApproval(await storedTexts('', 'HF-53')), { from: 1, keepAlg: false });

    const verify = await hotfix(['verify', 'HF-53']);
    expect(verify.code).toBe(2);
    expect(verify.stdout).toMatch(
      /hash chain intact .* UNKEYED \(plain sha256, written before HOTFIX_AUDIT_KEY\)/,
    );
    const anchored = await hotfix(['verify', 'HF-53', '--record', file]);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toMatch(
      new RegExp(
        `does not match its record .*: event ${deployedHistory.length}'s hash is [0-9a-f]{64} but the record anchors [0-9a-f]{64}: the history was rewritten`,
      ),
    );
  });

  it('a cut tail with the head moved back passes plain verify but not verify --record, which names the cut', async () => {
    const file = await closedHotfix('HF-54');
    const keys = storeKeys('');
    const n = deployedHistory.length;
    const [[, kept = []] = []] = await redis.xrange(keys.stream('HF-54'), `0-${n - 2}`, `0-${n - 2}`);
    await redis.xdel(keys.stream('HF-54'), `0-${n - 1}`, `0-${n}`);
    await redis.hset(keys.head('HF-54'), 'version', n - 2, 'hash', kept[kept.indexOf('hash') + 1] ?? '');

    expect(await hotfix(['verify', 'HF-54'])).toMatchObject({ code: 0 });
    const anchored = await hotfix(['verify', 'HF-54', '--record', file]);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toMatch(
      new RegExp(
        `HF-54: does not match its record .*HF-54\\.md: the record anchors ${n} events \\(head [0-9a-f]{64}\\) but the stream holds ${n - 2}: events ${n - 1}-${n} were removed after the record was made\\n$`,
      ),
    );
  });

  it('verify with another key fails, and without a key says what is missing', async () => {
    await seed('', 'HF-55', deployedHistory);
    const other = await hotfix(['verify', 'HF-55'], { HOTFIX_AUDIT_KEY: 'f'.repeat(64) });
    expect(other).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'HF-55: hash chain check failed at event 1: hash does not match the event: it was changed after it was written, or HOTFIX_AUDIT_KEY is not the key it was written with',
      ),
    });
    const none = await hotfix(['verify', 'HF-55'], { HOTFIX_AUDIT_KEY: '' });
    expect(none).toMatchObject({
      code: 1,
      stderr:
        'HF-55: hash chain check failed at event 1: it is keyed (HMAC-SHA256) and HOTFIX_AUDIT_KEY is not set, so it cannot be checked\n',
    });
  });
});
