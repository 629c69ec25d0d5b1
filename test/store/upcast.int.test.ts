import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import { WORKER } from '../../src/jobs/system.ts';
import { buildRecord, renderRecordMarkdown } from '../../src/domain/hotfix/record.ts';
import { storeKeys } from '../../src/store/keys.ts';
import { createRedisEventStore } from '../../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, uniquePrefix, useRedisServer } from '../helpers/redis.ts';

const redisServer = useRedisServer();

/** Raw entries of a stream as an earlier release wrote them (test/fixtures/streams/README.md). */
const fixtureSchema = z.object({
  hotfixId: z.string(),
  head: z.object({ version: z.int(), hash: z.string() }),
  entries: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
});

const loadFixture = async (name: string) =>
  fixtureSchema.parse(
    JSON.parse(await readFile(new URL(`../fixtures/streams/${name}`, import.meta.url), 'utf8')),
  );

/** Puts the fixture's entries into Redis byte for byte, under a fresh prefix, as a release upgrade finds them. */
const restore = async (fixture: z.infer<typeof fixtureSchema>) => {
  const redis = redisServer().connect();
  const prefix = uniquePrefix('fixture');
  const keys = storeKeys(prefix);
  for (const { id, fields } of fixture.entries)
    await redis.xadd(keys.stream(fixture.hotfixId), id, ...fields);
  await redis.hset(keys.head(fixture.hotfixId), 'version', fixture.head.version, 'hash', fixture.head.hash);
  return { redis, prefix, store: createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY }) };
};

describe('a stream written by the release before event schema versions', () => {
  it('loads, verifies and renders a record under this release, its stored entries untouched', async () => {
    const fixture = await loadFixture('release-1-deploy-rollback.json');
    const { redis, prefix, store } = await restore(fixture);
    const streamKey = storeKeys(prefix).stream(fixture.hotfixId);
    const before = await redis.xrange(streamKey, '-', '+');

    const verified = await store.verify(fixture.hotfixId);
    expect(verified).toMatchObject({ ok: true, count: fixture.entries.length, head: fixture.head.hash });

    const { events, version } = await store.load(fixture.hotfixId);
    expect(version).toBe(fixture.entries.length);
    const runs = events.flatMap(({ event }) => (event.type === 'PipelineStarted' ? [event] : []));
    expect(runs.map((r) => r.runId)).toEqual(['deploy-1', 'rollback-1']);
    // v1 recorded no step specs: unknown, not guessed.
    expect(runs.flatMap((r) => r.steps.map((s) => s.spec))).toEqual(
      runs.flatMap((r) => r.steps.map(() => null)),
    );

    const record = buildRecord(
      events.map((e) => e.event),
      { timezone: 'UTC', chain: { head: fixture.head.hash, count: version } },
    );
    expect(record.outcome.status).toBe('rolled_back');
    expect(record.deployments[0]?.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'backup:succeeded',
      'deploy:succeeded',
      'slow:succeeded',
      'soak:succeeded',
      'smoke:succeeded',
      'confirm:failed',
    ]);
    expect(record.rollback.runs[0]?.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['revert:succeeded']);
    expect(record.signoffs.filter((s) => s.by !== null).map((s) => s.role)).toEqual([
      'technical',
      'business',
    ]);
    const markdown = renderRecordMarkdown(record);
    expect(markdown).toContain('| backup | api | run | not recorded (run started by an earlier release) |');
    expect(markdown).toContain(fixture.head.hash);

    // Reading upcasts in memory only: the hash chain covers the stored text, which stays as written.
    expect(await redis.xrange(streamKey, '-', '+')).toEqual(before);
  });

  it('takes new events after the old ones, stored at the current schema version, and still verifies', async () => {
    const fixture = await loadFixture('release-1-deploy-rollback.json');
    const { redis, prefix, store } = await restore(fixture);
    const observation: HotfixEvent = {
      type: 'ObservationNoted',
      text: 'Checkout is back to normal',
      at: '2030-01-01T00:00:00.000Z',
      by: WORKER,
    };
    const appended = await store.append(fixture.hotfixId, fixture.head.version, [observation], {
      expectedHead: fixture.head.hash,
    });
    expect(appended.ok).toBe(true);
    const [[, fields] = ['', []]] = await redis.xrange(
      storeKeys(prefix).stream(fixture.hotfixId),
      `0-${fixture.head.version + 1}`,
      '+',
    );
    expect(JSON.parse(fields[1] ?? '{}')).toMatchObject({ type: 'ObservationNoted', schemaVersion: 4 });
    expect(await store.verify(fixture.hotfixId)).toMatchObject({ ok: true, count: fixture.head.version + 1 });
    expect((await store.load(fixture.hotfixId)).events.at(-1)?.event).toEqual(observation);
  });

  it('refuses an event written by a newer release, naming the version, instead of misreading it', async () => {
    const fixture = await loadFixture('release-1-deploy-rollback.json');
    const first = fixture.entries[0]!;
    const newer = JSON.stringify({ ...JSON.parse(first.fields[1]!), schemaVersion: 99 });
    const { store } = await restore({
      ...fixture,
      entries: [{ ...first, fields: ['event', newer, ...first.fields.slice(2)] }],
      head: { version: 1, hash: first.fields[5]! },
    });
    await expect(store.load(fixture.hotfixId)).rejects.toThrow(
      /event 1 is corrupt: it was written with event schema v99, newer than this release reads \(v4\)/,
    );
  });
});
