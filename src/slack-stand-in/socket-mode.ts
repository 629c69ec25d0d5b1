import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';

/** What Slack sends over a Socket Mode connection instead of an HTTP request. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketMode {
  /** `apps.connections.open`: a URL good for one connection. */
  open(origin: string): string;
  /** Takes WebSocket upgrades of `/socket-mode/<ticket>` on the stand-in's HTTP server. */
  attach(server: Server): void;
  /** Apps connected now. */
  connections(): number;
  /**
   * Sends one envelope to a connected app (the newest connection, as Slack picks one of them) and resolves
   * with the `payload` of its acknowledgement (`{}` for a bare ack).
   */
  deliver(
    type: EnvelopeType,
    payload: unknown,
    options: { readonly timeoutMs: number; readonly retryAttempt?: number; readonly retryReason?: string },
  ): Promise<unknown>;
  close(): void;
}

const PATH = /^\/socket-mode\/([A-Za-z0-9-]+)$/;
const ackSchema = z.looseObject({ envelope_id: z.string().min(1), payload: z.unknown().optional() });

/**
 * Slack's side of Socket Mode: `apps.connections.open` hands out a single-use URL, the app connects, gets
 * `hello`, and from then on receives envelopes (`{ envelope_id, type, payload, accepts_response_payload }`)
 * which it acknowledges with `{ envelope_id, payload }` within 3 seconds.
 */
export const createSocketMode = (appId: string): SocketMode => {
  const tickets = new Set<string>();
  const sockets: WebSocket[] = [];
  const waiting = new Map<string, (payload: unknown) => void>();
  const wss = new WebSocketServer({ noServer: true });

  wss.on('connection', (socket: WebSocket) => {
    sockets.push(socket);
    socket.on('close', () => {
      const at = sockets.indexOf(socket);
      if (at >= 0) sockets.splice(at, 1);
    });
    socket.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const ack = ackSchema.safeParse(json);
      if (ack.success) waiting.get(ack.data.envelope_id)?.(ack.data.payload ?? {});
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.length,
        debug_info: { host: 'slack-stand-in', approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = request.url ?? '/';
    const ticket = URL.canParse(target, 'http://stand-in')
      ? PATH.exec(new URL(target, 'http://stand-in').pathname)?.[1]
      : undefined;
    if (ticket === undefined || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };

  return {
    open(origin) {
      const ticket = randomUUID();
      tickets.add(ticket);
      return `${origin.replace(/^http/, 'ws')}/socket-mode/${ticket}`;
    },
    attach(server) {
      server.on('upgrade', upgrade);
    },
    connections: () => sockets.length,
    deliver(type, payload, { timeoutMs, retryAttempt = 0, retryReason = '' }) {
      const socket = sockets.at(-1);
      if (socket === undefined) return Promise.reject(new Error('no app is connected over Socket Mode'));
      const envelopeId = randomUUID();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          reject(new Error(`the app did not acknowledge envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(envelopeId, (ack) => {
          clearTimeout(timer);
          waiting.delete(envelopeId);
          resolve(ack);
        });
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== 'events_api',
            retry_attempt: retryAttempt,
            retry_reason: retryReason,
          }),
        );
      });
    },
    close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
    },
  };
};
