import type { IncomingMessage } from 'node:http';

/**
 * Limits on a parsed chat payload, far above anything Slack or Teams sends: past them a request is refused
 * with 400 before anything else reads it. A structured clone (the hand-over to the app thread) overflows the
 * stack at a few thousand levels of nesting, so depth matters as much as size.
 */
export interface PayloadBounds {
  readonly bytes: number;
  readonly depth: number;
  readonly arrayItems: number;
  readonly objectKeys: number;
  readonly stringChars: number;
}

/** A request body as text, or null when it is larger than `maxBytes` (read to its end, never kept). */
export const readBoundedBody = (req: IncomingMessage, maxBytes: number): Promise<string | null> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });

/** Why a parsed payload is out of bounds, or null. A walk with its own stack: no recursion to overflow. */
export const outOfBounds = (root: unknown, bounds: PayloadBounds): string | null => {
  const { depth: maxDepth, arrayItems, objectKeys, stringChars } = bounds;
  const pending: [unknown, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value === 'string') {
      if (value.length > stringChars) return `a string is longer than ${stringChars} characters`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return `the payload is nested deeper than ${maxDepth} levels`;
    if (Array.isArray(value)) {
      if (value.length > arrayItems) return `an array has more than ${arrayItems} items`;
      for (const item of value as unknown[]) pending.push([item, depth + 1]);
      continue;
    }
    const entries = Object.entries(value);
    if (entries.length > objectKeys) return `an object has more than ${objectKeys} keys`;
    for (const [key, item] of entries) {
      if (key.length > stringChars) return `a key is longer than ${stringChars} characters`;
      pending.push([item, depth + 1]);
    }
  }
  return null;
};
