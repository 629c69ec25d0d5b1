import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Env } from '../config/env.ts';

/** `pretty` for a person at a terminal (pino-pretty), `json` for everything else (one JSON object a line). */
export type LogFormat = 'pretty' | 'json';

/** Pretty when the output is a terminal, JSON when it is a pipe or a file (a log collector reads it). */
export const logFormatFor = (output: { readonly isTTY?: boolean }): LogFormat =>
  output.isTTY === true ? 'pretty' : 'json';

export interface LoggerOptions {
  readonly level: Env['LOG_LEVEL'];
  readonly format: LogFormat;
  /** Where lines go; stdout when unset. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Fields on every line (`{ thread: 'app' }`). */
  readonly bindings?: Record<string, unknown>;
}

/**
 * The one place a process builds its logger (`hotfix serve`, its app thread, `hotfix worker`, the playground).
 * pino-pretty is loaded only when a terminal will read the lines, so a JSON process never loads it.
 */
export const createLogger = (options: LoggerOptions): Logger => {
  const destination =
    options.format === 'pretty'
      ? (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty)({
          // Synchronous: lines of both threads land in order on the terminal, and none are lost at exit.
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          ...(options.destination === undefined ? {} : { destination: options.destination, colorize: false }),
        })
      : options.destination;
  const logger =
    destination === undefined
      ? pino({ level: options.level })
      : pino({ level: options.level }, destination as DestinationStream);
  return options.bindings === undefined ? logger : logger.child(options.bindings);
};
