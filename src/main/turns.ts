/**
 * Slack's requests first: background work (the notifier's chat calls, a click's own follow-up) waits its turn
 * while a Slack request is still waiting for its ack in this process. Node runs one thing at a time, so an
 * ack that arrives while a card is being drawn waits for it; this keeps such work from starting while an ack
 * is pending, and lets waiting work go one piece per event-loop turn, so a request that arrives meanwhile is
 * read before the next piece starts. No piece waits longer than `maxWaitMs`, however busy Slack keeps us.
 */
export interface Turns {
  /** A Slack request came in; `end` when it has been answered. */
  begin(): void;
  end(): void;
  /** Resolves when background work may go on. */
  wait(): Promise<void>;
}

export const createTurns = ({ maxWaitMs = 25 }: { maxWaitMs?: number } = {}): Turns => {
  let pending = 0;
  const queue: (() => void)[] = [];
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    if (pending > 0) return;
    queue.shift()?.();
    schedule();
  };
  // setImmediate runs after the event loop has polled for I/O: requests that arrived are seen first.
  const schedule = () => {
    if (scheduled || queue.length === 0 || pending > 0) return;
    scheduled = true;
    setImmediate(drain);
  };

  return {
    begin() {
      pending++;
    },
    end() {
      pending = Math.max(0, pending - 1);
      schedule();
    },
    wait() {
      if (pending === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const go = () => {
          clearTimeout(timer);
          const at = queue.indexOf(go);
          if (at >= 0) queue.splice(at, 1);
          resolve();
        };
        const timer = setTimeout(go, maxWaitMs);
        queue.push(go);
        schedule();
      });
    },
  };
};
