/**
 * Blocks or a view as the JSON string the Web API takes in a form body. WebClient would serialise an object
 * itself, but it also copies and serialises every request body for a debug line it builds even with debug
 * logging off; given a string, both are a cheap copy (a card is ~20 KB of blocks). The wire is the same.
 */
export const asJson = (value: unknown): never => JSON.stringify(value) as never;
