import { describe, expect, it } from 'vitest';
import { cannotListen } from '../../src/main/startup-error.ts';

const failure = (code: string, message = `listen ${code}`) =>
  Object.assign(new Error(message), { code }) as NodeJS.ErrnoException;

describe('a listener that cannot bind: one line saying which port and the way out', () => {
  const serve = { port: 3000, portVariable: 'PORT', hostSetting: '--host' };

  it('names the port, the address when one was given, and the variable that picks another', () => {
    expect(cannotListen(serve, failure('EADDRINUSE')).lines).toEqual([
      'port 3000 is already in use (another hotfix, or another program): stop that one, or pick another with PORT=<port>',
    ]);
    expect(
      cannotListen(
        {
          port: 9464,
          host: '127.0.0.1',
          portVariable: 'HOTFIX_METRICS_PORT',
          hostSetting: 'HOTFIX_METRICS_HOST',
          note: '0 picks any free one',
        },
        failure('EADDRINUSE'),
      ).lines,
    ).toEqual([
      'port 9464 on 127.0.0.1 is already in use (another hotfix, or another program): stop that one, or pick another with HOTFIX_METRICS_PORT=<port> (0 picks any free one)',
    ]);
  });

  it('says a low port needs privileges, and an address not of this machine is the setting to change', () => {
    expect(cannotListen({ ...serve, port: 80 }, failure('EACCES')).lines).toEqual([
      'port 80 needs privileges this process does not have (ports below 1024 do): pick another with PORT=<port>, above 1023',
    ]);
    expect(cannotListen({ ...serve, host: '10.9.9.9' }, failure('EADDRNOTAVAIL')).lines).toEqual([
      '10.9.9.9 is not an address of this machine, so port 3000 on 10.9.9.9 cannot be listened on: give one of its addresses with --host',
    ]);
  });

  it('keeps any other reason as Node gives it, after the port and its variable', () => {
    expect(cannotListen(serve, failure('EMFILE', 'too many open files')).lines).toEqual([
      'cannot listen on port 3000 (PORT): too many open files',
    ]);
  });
});
