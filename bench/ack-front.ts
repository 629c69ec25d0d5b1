/**
 * `slack-ack.ts --front`, an experiment and not the product: an HTTP front that only checks Slack's signature,
 * answers 200 at once, and hands the request to `hotfix serve` on BACKEND_PORT (whose answer it drops). It
 * is the least an app can do for an ack, less than bare Bolt: how close to bare it gets under the same load
 * shows what the measure charges to the work behind each click rather than to the ack path. (Modal
 * submissions, whose answer is decided by the handler, would need the backend's answer; the bench sends none.)
 *
 *   PORT=… BACKEND_PORT=… SLACK_SIGNING_SECRET=… node --import tsx bench/ack-front.ts   # prints `ready`
 */
import { isValidSlackRequest } from '@slack/bolt';
import { Agent, createServer, request } from 'node:http';

const secret = process.env.SLACK_SIGNING_SECRET ?? '';
const backend = Number(process.env.BACKEND_PORT);
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const ok = isValidSlackRequest({
      signingSecret: secret,
      body,
      headers: {
        'x-slack-signature': String(req.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
      },
    });
    if (!ok) return void res.writeHead(401).end();
    res.writeHead(200).end();
    const out = request(
      {
        host: '127.0.0.1',
        port: backend,
        path: '/slack/events',
        method: 'POST',
        agent,
        headers: req.headers,
      },
      (r) => r.resume(),
    );
    out.on('error', () => undefined);
    out.end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => process.exit(0));
