import { once } from 'node:events';
import { connect } from 'node:net';

/** Sends a raw HTTP request line (one no HTTP client would send) and returns the status line answered. */
export const rawStatusLine = async (port: number, requestLine: string, host = `127.0.0.1:${port}`) => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(`${requestLine}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  let answer = '';
  for await (const chunk of socket) answer += String(chunk);
  return answer.split('\r\n')[0] ?? '';
};
