/**
 * The path syntax of a check's `expect.json` items: keys joined by dots, list indices in brackets
 * (`status`, `checks.db.healthy`, `items[0].state`, `[0].id`).
 */
export const JSON_PATH_PATTERN = /^(?:[A-Za-z_$][\w$-]*|\[\d+\])(?:\.[A-Za-z_$][\w$-]*|\[\d+\])*$/;

/** `items[0].state` → `['items', 0, 'state']`. Only call with a path that matches JSON_PATH_PATTERN. */
export const jsonPathSegments = (path: string): (string | number)[] =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(([, key, index]) => key ?? Number(index));

/** The value at `path` in a parsed JSON body, or `undefined` when any segment is absent. */
export const readJsonPath = (value: unknown, path: string): unknown =>
  jsonPathSegments(path).reduce<unknown>((node, segment) => {
    if (typeof segment === 'number') return Array.isArray(node) ? node[segment] : undefined;
    return node !== null && typeof node === 'object' && !Array.isArray(node)
      ? (node as Record<string, unknown>)[segment]
      : undefined;
  }, value);
