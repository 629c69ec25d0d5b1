import { expect } from 'vitest';
import type { HotfixCommand } from '../../src/domain/hotfix/commands.ts';
import type { DecideContext } from '../../src/domain/hotfix/decide.ts';
import { decide } from '../../src/domain/hotfix/decide.ts';
import type { RuleCode } from '../../src/domain/hotfix/errors.ts';
import { RuleViolation } from '../../src/domain/hotfix/errors.ts';
import type { HotfixEvent } from '../../src/domain/hotfix/events.ts';
import type { HotfixState } from '../../src/domain/hotfix/state.ts';
import { fold } from '../../src/domain/hotfix/state.ts';
import { policy, T0 } from './fixtures/policy.ts';

type EventShape = { type: HotfixEvent['type'] } & Record<string, unknown>;

/** given(history).when(command).then(events) — the decider's specification style. */
export const given = (history: readonly HotfixEvent[], ctx: Partial<DecideContext> = {}) => {
  const context: DecideContext = { now: T0, policy, ...ctx };
  const state = fold(history);
  return {
    state,
    when(command: HotfixCommand, at: Partial<DecideContext> = {}) {
      const run = () => decide(command, state, { ...context, ...at });
      return {
        /** The produced events match these shapes, in order and count. */
        then(expected: EventShape[]): HotfixEvent[] {
          const events = run();
          expect(events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
          expected.forEach((shape, i) => expect(events[i]).toMatchObject(shape));
          return events;
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        thenRefused(code: RuleCode, message?: RegExp): void {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(RuleViolation);
          expect((caught as RuleViolation).code).toBe(code);
          if (message) expect((caught as RuleViolation).message).toMatch(message);
        },
        events: run,
      };
    },
  };
};

/** Runs commands one after another, each at its own time, returning the whole history. */
export const play = (
  steps: readonly (readonly [HotfixCommand, Date?])[],
  ctx: Partial<DecideContext> = {},
  history: HotfixEvent[] = [],
): { history: HotfixEvent[]; state: HotfixState } => {
  let state = fold(history);
  const all = [...history];
  for (const [command, now] of steps) {
    const events = decide(command, state, { now: now ?? T0, policy, ...ctx });
    all.push(...events);
    state = fold(events, state);
  }
  return { history: all, state };
};
