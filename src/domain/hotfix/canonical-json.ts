/**
 * JSON with object keys sorted and `undefined` members dropped, so equal values always serialise to the
 * same bytes whatever order their fields were built in. The hash chain depends on it.
 */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  const json = JSON.stringify(value);
  // JSON.stringify gives undefined for functions, symbols and a bare undefined: none belong in an event.
  if (json === undefined) throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
  return json;
};
