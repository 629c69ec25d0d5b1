/**
 * Start-up cannot go on: one clear line (or one per config problem) and exit code 1. In a module of its own so
 * the CLI's entry can recognise it without loading Redis and the config loader.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}

/** A listener of ours: the port and address it was given, and the variables that choose them. */
export interface Listener {
  readonly port: number;
  /** The address it was to bind; every interface when unset. */
  readonly host?: string | undefined;
  /** The variable that sets the port (`PORT`, `HOTFIX_METRICS_PORT`). */
  readonly portVariable: string;
  /** What sets the address (`--host`, `HOTFIX_METRICS_HOST`), when something does. */
  readonly hostSetting?: string;
  /** Said after the way out, e.g. that 0 picks any free port. */
  readonly note?: string;
}

/**
 * Why a listener could not bind, as the one line a person acts on: which port, why, and how to pick another.
 * Node's own error (`listen EADDRINUSE: address already in use …`) says none of that.
 */
export const cannotListen = (listener: Listener, error: unknown): StartupError => {
  const { port, host, portVariable } = listener;
  const where = host === undefined ? `port ${port}` : `port ${port} on ${host}`;
  const pick = `pick another with ${portVariable}=<port>${listener.note ? ` (${listener.note})` : ''}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError([
        `${where} is already in use (another hotfix, or another program): stop that one, or ${pick}`,
      ]);
    case 'EACCES':
      return new StartupError([
        `${where} needs privileges this process does not have (ports below 1024 do): ${pick}, above 1023`,
      ]);
    case 'EADDRNOTAVAIL':
      return new StartupError([
        `${host ?? 'that address'} is not an address of this machine, so ${where} cannot be listened on: give one of its addresses${listener.hostSetting ? ` with ${listener.hostSetting}` : ''}`,
      ]);
    default:
      return new StartupError([
        `cannot listen on ${where} (${portVariable}): ${error instanceof Error ? error.message : String(error)}`,
      ]);
  }
};
