/** How long a test waits for something it expects to happen: long enough for a loaded 2-core runner. */
const PATIENCE_MS = 20_000;

/** Polls until `probe` returns a value (bounded: a test never hangs on it). */
export const waitFor = async <T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = PATIENCE_MS,
): Promise<T> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
};

/** Options for vitest's own polls (`expect.poll`, `vi.waitFor`), which give up after 1 s unless told. */
export const patiently = { timeout: PATIENCE_MS } as const;
