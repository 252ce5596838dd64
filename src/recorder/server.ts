import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { Orm } from '../db/orm.js';
import { silentLogger, type Logger } from '../logger.js';
import { createRecorder, type Recorder } from './app.js';

/**
 * The recorder standing alone: listens on recorder.host:port and drains on SIGTERM/SIGINT: stop
 * accepting, let requests in flight finish (their creates commit and are answered), close idle
 * keep-alive connections, then close the database. A request still running after `drainTimeoutMs`
 * has its connection cut; its transaction either committed or rolls back, never half-written.
 */
export interface RecorderServerOptions {
  db?: Orm;
  logger?: Logger;
  clock?: Clock;
  /** Install SIGTERM/SIGINT handlers that drain and close (the CLI does; tests do not). */
  handleSignals?: boolean;
  drainTimeoutMs?: number;
  coalesceCreates?: boolean;
}

export interface RecorderServer {
  /** http://host:port plus recorder.basePath. */
  url: string;
  port: number;
  recorder: Recorder;
  server: Server;
  /** Drains and closes; safe to call more than once. */
  close(): Promise<void>;
  /** Settles once the server has closed (after close() or a signal). */
  closed: Promise<void>;
}

const DEFAULT_DRAIN_MS = 10_000;

export async function startRecorderServer(
  config: ResolvedConfig,
  options: RecorderServerOptions = {},
): Promise<RecorderServer> {
  const logger = options.logger ?? silentLogger;
  // The caller's logger as given: without one, createRecorder still says when the API is open (process warning).
  const recorder = createRecorder({
    config,
    db: options.db,
    clock: options.clock,
    logger: options.logger,
    coalesceCreates: options.coalesceCreates,
  });
  await recorder.ready();

  const handle = recorder.callback();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // Once draining, answers close their connection so keep-alive clients reconnect elsewhere.
    if (draining) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.recorder.port, config.recorder.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.recorder.host.includes(':') ? `[${config.recorder.host}]` : config.recorder.host;
  const url = `http://${host}:${port}${config.recorder.basePath.replace(/\/+$/, '')}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + (options.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
      while (inFlight.size > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (inFlight.size > 0)
        logger.warn({ inFlight: inFlight.size }, 'drain timeout: closing connections with requests in flight');
      server.closeAllConnections();
      await stopped;
      await recorder.close();
      removeSignals();
      resolveClosed();
    })());

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'draining the recorder');
    close().catch((error: unknown) => logger.error({ err: error }, 'error while closing the recorder'));
  };
  const removeSignals = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (options.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, port, recorder, server, close, closed };
}
