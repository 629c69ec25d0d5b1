import type { StandInEvents } from './types.ts';

export type Listener<K extends keyof StandInEvents> = (event: StandInEvents[K]) => void;

export interface Events {
  on<K extends keyof StandInEvents>(event: K, listener: Listener<K>): () => void;
  emit<K extends keyof StandInEvents>(event: K, payload: StandInEvents[K]): void;
}

/**
 * A listener's failure must not turn into a connector error for the bot, so it is rethrown on its own tick: it
 * still surfaces (as an uncaught exception) where the listener was registered.
 */
export const createEvents = (): Events => {
  const listeners = new Map<keyof StandInEvents, Set<(event: never) => void>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (event: typeof payload) => void)(payload);
        } catch (error) {
          setImmediate(() => {
            throw error;
          });
        }
      }
    },
  };
};
