import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { BodyTooLarge, parseBody, readBody } from './body.ts';
import type { ParsedBody } from './body.ts';
import type { Answer, ApiRequest } from './router.ts';

/** What the HTTP layer hands each route; each returns the answer to write. */
export interface Routes {
  api(request: ApiRequest): Answer;
  responseUrl(id: string, body: ParsedBody): Answer;
  upload(fileId: string, content: Buffer): { readonly status: number; readonly text: string };
  download(fileId: string): { readonly status: number; readonly type: string; readonly content: Buffer };
}

const API = /^\/api\/([A-Za-z0-9_.]+)$/;
const RESPONSE = /^\/response\/([A-Za-z0-9-]+)$/;
const UPLOAD = /^\/upload\/([A-Z0-9]+)$/;
const FILE = /^\/files\/([A-Z0-9]+)(?:\/[^/]*)?$/;

const bearer = (header: string | undefined) => {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
};

const send = (response: ServerResponse, answer: Answer) => {
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    ...answer.headers,
  });
  response.end(JSON.stringify(answer.body));
};

const notFound: Answer = { status: 404, body: { ok: false, error: 'not_found' } };

/** An upload's bytes: the file part of a multipart body (what WebClient sends), else the raw body. */
const uploadedBytes = (raw: Buffer, body: ParsedBody | undefined) => body?.files.values().next().value ?? raw;

/**
 * Hosts this stand-in answers to: its own listen address, and loopback names. Inside the playground it holds
 * the channel's files (deployment records); a page that rebinds its own name to 127.0.0.1 must not read them.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const hostAllowed = (header: string | undefined, listenHost: string): boolean => {
  if (header === undefined) return true;
  const name = header.toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(name) || name === listenHost.toLowerCase() || name === `[${listenHost}]`;
};

const route = async (
  routes: Routes,
  request: IncomingMessage,
  response: ServerResponse,
  listenHost: string,
) => {
  if (
    !URL.canParse(request.url ?? '/', 'http://stand-in') ||
    !hostAllowed(request.headers.host, listenHost)
  ) {
    send(response, { status: 400, body: { ok: false, error: 'invalid_request' } });
    return;
  }
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const method = request.method ?? 'GET';
  const file = FILE.exec(url.pathname);
  if (file?.[1] !== undefined && (method === 'GET' || method === 'HEAD')) {
    const found = routes.download(file[1]);
    response.writeHead(found.status, { 'content-type': found.type, 'content-length': found.content.length });
    response.end(method === 'HEAD' ? undefined : found.content);
    return;
  }
  const raw = await readBody(request);
  const parsed = await parseBody(raw, request.headers['content-type'], url.searchParams);
  const api = API.exec(url.pathname);
  const responseUrl = RESPONSE.exec(url.pathname);
  const upload = UPLOAD.exec(url.pathname);
  if (api?.[1] !== undefined && (method === 'POST' || method === 'GET')) {
    send(
      response,
      routes.api({
        method: api[1],
        fields: parsed.ok ? parsed.body.fields : {},
        headerToken: bearer(request.headers.authorization),
        json: parsed.ok && parsed.body.json,
        ...(parsed.ok ? {} : { malformed: parsed.error }),
      }),
    );
  } else if (responseUrl?.[1] !== undefined && method === 'POST') {
    send(
      response,
      parsed.ok
        ? routes.responseUrl(responseUrl[1], parsed.body)
        : { status: 400, body: { ok: false, error: parsed.error } },
    );
  } else if (upload?.[1] !== undefined && (method === 'POST' || method === 'PUT')) {
    const answer = routes.upload(upload[1], uploadedBytes(raw, parsed.ok ? parsed.body : undefined));
    // Slack's upload host answers plain text (`OK - <bytes>`); WebClient only checks for status 200.
    response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(answer.text);
  } else send(response, notFound);
};

export const createHttpServer = (routes: Routes, listenHost: string): Server =>
  createServer((request, response) => {
    route(routes, request, response, listenHost).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof BodyTooLarge)
        send(response, { status: 413, body: { ok: false, error: 'request_too_large' } });
      else
        send(response, {
          status: 500,
          body: { ok: false, error: 'internal_error', stand_in_error: String(error) },
        });
    });
  });
