import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createTurns } from '../../src/main/turns.ts';

describe('turns: Slack requests first, background work after', () => {
  it('lets work go at once when no request is waiting', async () => {
    const turns = createTurns({ maxWaitMs: 60_000 });
    await expect(turns.wait()).resolves.toBeUndefined();
  });

  it('holds work while a request waits for its answer, then lets it go one piece per event-loop turn', async () => {
    const turns = createTurns({ maxWaitMs: 60_000 });
    const went: number[] = [];
    turns.begin();
    const waiting = [1, 2, 3].map((n) => turns.wait().then(() => went.push(n)));
    await nextTurn();
    await nextTurn();
    expect(went).toEqual([]);

    turns.end();
    await nextTurn();
    expect(went).toEqual([1]);
    // Another request arrives before the next piece: the rest wait for it too.
    turns.begin();
    await nextTurn();
    await nextTurn();
    expect(went).toEqual([1]);
    turns.end();
    await Promise.all(waiting);
    expect(went).toEqual([1, 2, 3]);
  });

  it('never holds work longer than maxWaitMs, however busy requests keep it', async () => {
    const turns = createTurns({ maxWaitMs: 5 });
    turns.begin();
    await expect(turns.wait()).resolves.toBeUndefined();
    turns.end();
  });
});
