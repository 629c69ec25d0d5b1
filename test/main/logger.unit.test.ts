import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFor } from '../../src/main/logger.ts';

/** Everything written to it, as text. */
const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
};

describe('the logger', () => {
  it('is pretty on a terminal and JSON on anything else', () => {
    expect(logFormatFor({ isTTY: true })).toBe('pretty');
    expect(logFormatFor({ isTTY: false })).toBe('json');
    expect(logFormatFor({})).toBe('json');
  });

  it('writes one JSON object a line, with the hotfix context of its child loggers', () => {
    const out = capture();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    log
      .child({ hotfixId: 'HF-7', runId: 'deploy-1' })
      .child({ step: 'execution.api.0' })
      .info('step succeeded');
    const [line, ...rest] = out.text().trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(line ?? '')).toMatchObject({
      level: 30,
      hotfixId: 'HF-7',
      runId: 'deploy-1',
      step: 'execution.api.0',
      msg: 'step succeeded',
    });
  });

  it('writes lines for a person with pino-pretty: the message and the context, not JSON', () => {
    const out = capture();
    const log = createLogger({
      level: 'info',
      format: 'pretty',
      destination: out.stream,
      bindings: { thread: 'app' },
    });
    log.child({ hotfixId: 'HF-7' }).warn({ err: 'boom' }, 'chat update failed; will retry');
    const text = out.text();
    expect(text).toMatch(/WARN.*chat update failed; will retry/);
    expect(text).toContain('hotfixId: "HF-7"');
    expect(text).toContain('thread: "app"');
    expect(() => JSON.parse(text.split('\n')[0] ?? '')).toThrow();
  });
});
