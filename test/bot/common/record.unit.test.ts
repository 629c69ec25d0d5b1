import { describe, expect, it } from 'vitest';
import type { RecordDeps } from '../../../src/bot/common/record.ts';
import { listed, readRecord, recordMarkdown } from '../../../src/bot/common/record.ts';
import type { VerifyResult } from '../../../src/service/ports.ts';
import { buildLargeHotfix, largePolicy } from './large-hotfix.ts';

const large = buildLargeHotfix();

const deps = (verify: VerifyResult): RecordDeps => ({
  store: {
    load: async (id) => ({
      version: id === large.final.id ? large.stored.length : 0,
      events: id === large.final.id ? large.stored : [],
    }),
    verify: async () => verify,
  },
  config: () => ({ timezone: 'Europe/Paris' }),
  policy: () => largePolicy,
});

describe('reading the deployment record for any edge', () => {
  it('rebuilds it from the stream with the chain it verified; null for no hotfix', async () => {
    const intact = deps({ ok: true, count: large.stored.length, head: 'abc', keyed: true });
    const read = await readRecord(intact, large.final.id);
    expect(read?.broken).toBeNull();
    expect(read?.record.hotfixId).toBe(large.final.id);
    expect(read?.record.events.count).toBe(large.stored.length);
    expect(read?.markdown).toMatch(/^# Deployment Documentation/);
    expect(await readRecord(intact, 'HF-404')).toBeNull();
    expect(await recordMarkdown(intact, 'HF-404')).toBeNull();
  });

  it('says where a broken chain breaks, in the Markdown too', async () => {
    const broken = deps({ ok: false, position: 7, reason: 'hash mismatch' });
    const read = await readRecord(broken, large.final.id);
    expect(read?.broken).toBe('the event chain is broken at event 7: hash mismatch');
    expect(read?.markdown).toMatch(/> ⚠️ The event chain is broken at event 7: hash mismatch\n$/);
  });

  it('lists at most eight lines in a summary, then how many more', () => {
    expect(listed([], 'none')).toBe('none');
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    expect(listed(lines, 'none').split('\n')).toEqual([...lines.slice(0, 8), '…and 2 more']);
  });
});
