import { DispatchrError } from '../errors.js';

/**
 * A server that cannot listen (the port is taken, privileged, or the host is not this machine's)
 * fails with a bare `EADDRINUSE` and a stack. This says which server, which address, and what
 * moves it: the flag, config key or environment variable the caller names. Any other error comes
 * back unchanged.
 */
export interface ListenRemedy {
  /** What to change for another port, e.g. "--port or recorder.port in the config". */
  port: string;
  /** What to change for another address, e.g. "--host or recorder.host in the config". */
  host: string;
}

const REASONS: Record<string, (remedy: ListenRemedy) => string> = {
  EADDRINUSE: (remedy) =>
    `the port is already in use (EADDRINUSE): stop what holds it, or choose another with ${remedy.port}`,
  EACCES: (remedy) => `this user may not open that port (EACCES): choose one above 1023 with ${remedy.port}`,
  EADDRNOTAVAIL: (remedy) =>
    `that address is not one of this machine's (EADDRNOTAVAIL): choose another with ${remedy.host}`,
};

export function explainListenError(error: unknown, what: string, remedy: ListenRemedy): unknown {
  const failure = error as (NodeJS.ErrnoException & { address?: string; port?: number }) | null;
  if (failure?.syscall !== 'listen' || failure.code === undefined || !(failure.code in REASONS)) return error;
  const host =
    failure.address === undefined ? '' : failure.address.includes(':') ? `[${failure.address}]` : failure.address;
  const where = failure.port === undefined ? host : `${host}:${failure.port}`;
  return new DispatchrError('listen_failed', `${what} cannot listen on ${where}: ${REASONS[failure.code](remedy)}`, {
    status: 1,
    cause: error,
  });
}
