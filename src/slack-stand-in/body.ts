import type { IncomingMessage } from 'node:http';

export interface ParsedBody {
  readonly fields: Record<string, unknown>;
  /** Multipart file parts by field name. */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly json: boolean;
}

export type BodyResult =
  { readonly ok: true; readonly body: ParsedBody } | { readonly ok: false; readonly error: string };

/** Far above anything the bot sends (a view is at most 250 kB); a runaway client gets 413, not an OOM. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

export const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
};

const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const fromSearchParams = (params: URLSearchParams) => Object.fromEntries(params.entries());

/**
 * Slack accepts `application/x-www-form-urlencoded` (structured arguments as JSON strings), `multipart/form-data`
 * and `application/json`; query-string arguments are merged under the body's.
 */
export const parseBody = async (
  raw: Buffer,
  contentType: string | undefined,
  query: URLSearchParams,
): Promise<BodyResult> => {
  const type = mediaType(contentType);
  const base = fromSearchParams(query);
  if (raw.length === 0)
    return { ok: true, body: { fields: base, files: new Map(), json: type === 'application/json' } };
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return { ok: false, error: 'invalid_json' };
      return { ok: true, body: { fields: { ...base, ...value }, files: new Map(), json: true } };
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
  }
  if (type === 'multipart/form-data') {
    try {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType ?? '' },
      }).formData();
      const fields: Record<string, unknown> = { ...base };
      const files = new Map<string, Buffer>();
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') fields[key] = value;
        else files.set(key, Buffer.from(await value.arrayBuffer()));
      }
      return { ok: true, body: { fields, files, json: false } };
    } catch {
      return { ok: false, error: 'invalid_form_data' };
    }
  }
  return {
    ok: true,
    body: {
      fields: { ...base, ...fromSearchParams(new URLSearchParams(raw.toString('utf8'))) },
      files: new Map(),
      json: false,
    },
  };
};
