/**
 * What waiting for a replica costs an append (HOTFIX_REDIS_MIN_REPLICAS=1: the append script and `WAIT 1`
 * in one pipeline) against the primary's reply alone, on a local primary with one replica (both private
 * redis-servers, AOF on as in production). The two modes alternate append by append on the same servers
 * and the same connection, so they see the same load; each append is one event, as a click records.
 *
 *   node --import tsx bench/replica-wait.ts [--appends 400]
 */
import { parseArgs } from 'node:util';
import { createRedisEventStore } from '../src/store/redis-event-store.ts';
import { TEST_AUDIT_KEY, startRedisServer, uniquePrefix } from '../test/helpers/redis.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { noted, opening } from '../test/store/sample-events.ts';
import { Cleanup, machineFacts, ms, runBench, stats } from './lib.ts';

const { values } = parseArgs({ options: { appends: { type: 'string', default: '400' } } });
const appends = Number(values.appends);
const WARM_UP = 50;

const cleanup = new Cleanup(5 * 60_000);
await runBench(cleanup, async () => {
  const primary = await startRedisServer({ config: () => ({ 'repl-diskless-sync-delay': '0' }) });
  cleanup.add('stop the primary', () => primary.kill().then(() => primary.stop()));
  const replica = await startRedisServer({ config: () => ({ replicaof: `127.0.0.1 ${primary.port}` }) });
  cleanup.add('stop the replica', () => replica.kill().then(() => replica.stop()));
  const redis = primary.connect();
  await waitFor('the replica to acknowledge', async () => (await redis.wait(1, 100)) === 1, 30_000);

  const prefix = uniquePrefix('wait');
  const stores = {
    primary: createRedisEventStore({ redis, prefix, auditKey: TEST_AUDIT_KEY }),
    replica: createRedisEventStore({
      redis,
      prefix,
      auditKey: TEST_AUDIT_KEY,
      durability: { minReplicas: 1, timeoutMs: 2_000 },
    }),
  };
  await stores.primary.append('HF-1', 0, opening('HF-1'));
  let version = 3;
  const samples = { primary: [] as number[], replica: [] as number[] };
  for (let i = 0; i < WARM_UP + appends; i++) {
    const mode = i % 2 === 0 ? 'primary' : 'replica';
    const started = performance.now();
    const result = await stores[mode].append('HF-1', version, [noted(`observation ${i}`)]);
    const took = performance.now() - started;
    if (!result.ok) throw new Error(`append ${i} was refused`);
    version = result.version;
    if (i >= WARM_UP) samples[mode].push(took);
  }

  const facts = await machineFacts(redis);
  process.stdout.write(
    `${Object.entries(facts)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n\n`,
  );
  process.stdout.write(
    '| append of one event | n | p50 ms | p90 ms | p99 ms | mean ms |\n|---|---|---|---|---|---|\n',
  );
  for (const [label, mode] of [
    ['primary reply only (MIN_REPLICAS=0)', 'primary'],
    ['+ WAIT 1 (MIN_REPLICAS=1)', 'replica'],
  ] as const) {
    const s = stats(samples[mode]);
    process.stdout.write(
      `| ${label} | ${s.n} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.mean)} |\n`,
    );
  }
});
