import pg from 'pg';
import { backoffMs } from '../../../backoff.js';
import type { WakeUpOptions, WakeUps } from '../../driver.js';
import { CANCEL_CHANNEL } from '../../cancel-channel.js';
import { DUE_CHANNEL } from '../../due-signal.js';

/**
 * PostgreSQL LISTEN/NOTIFY wake-ups: the `dispatchr_due` trigger notifies at commit when tasks
 * become due, and so does the resume of a paused queue; the payload is the queue's name. A
 * dropped connection is noticed (socket errors, plus a periodic ping for half-open connections)
 * and re-established with capped backoff; polling covers the gap. After a reconnect every queue
 * is woken, since notifications may have been missed. When asked (`onCancelled`), it also LISTENs on
 * `dispatchr_cancel`, whose payload is the id of a running task just cancelled (spec 11.6).
 *
 * The ping has its own deadline: on a half-open connection a query neither fails nor returns, so
 * a ping that is not answered within `pingTimeoutMs` counts as a dropped connection.
 */
export interface PostgresWakeUpOptions extends WakeUpOptions {
  /** The database's URL without ?schema= (the channel is per database). */
  url: string;
}

/** Reconnects after 100 ms, 200 ms, … up to 5 s; polling covers the gap meanwhile. */
const RECONNECT_BACKOFF = { baseMs: 100, maxMs: 5_000 };

export function createPostgresWakeUps(options: PostgresWakeUpOptions): WakeUps {
  const { url, logger } = options;
  const pingIntervalMs = options.pingIntervalMs ?? 10_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  let client: pg.Client | null = null;
  let stopped = true;
  let connected = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = backoffMs(failures, RECONNECT_BACKOFF);
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    retryTimer.unref();
  };

  /** Drops `which` if it is still the current connection; a stale one's late events change nothing. */
  const drop = (which: pg.Client, reason: string) => {
    if (!client || client !== which) return;
    const old = client;
    client = null;
    if (connected) logger.warn({ reason }, 'wake-up connection lost; polling until it is back');
    connected = false;
    clearInterval(pingTimer);
    old.removeAllListeners('notification');
    old.end().catch(() => undefined);
    scheduleReconnect();
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5_000 });
    client = next;
    next.on('error', (error) => drop(next, error.message));
    next.on('end', () => drop(next, 'connection ended'));
    next.on('notification', (message) => {
      if (message.channel === CANCEL_CHANNEL) {
        if (message.payload) options.onCancelled?.(message.payload);
      } else options.onDue(message.payload ?? null);
    });
    try {
      await next.connect();
      // A cancel missed while away is found by polling: the watch polls while not connected. The due
      // channel's LISTEN comes last, so it is the backend's query an operator (or the fault tier)
      // finds in pg_stat_activity.
      if (options.onCancelled) await next.query(`listen ${CANCEL_CHANNEL}`);
      await next.query(`listen ${DUE_CHANNEL}`);
      if (client !== next) return; // stopped or replaced meanwhile
      connected = true;
      if (failures > 0) logger.info('wake-up connection re-established');
      failures = 0;
      options.onDue(null); // anything committed while we were away
      let pinging = false;
      pingTimer = setInterval(() => {
        if (pinging || client !== next) return;
        pinging = true;
        const deadline = setTimeout(() => {
          drop(next, `ping unanswered for ${pingTimeoutMs} ms`);
        }, pingTimeoutMs);
        deadline.unref();
        next
          .query('select 1')
          .catch((error: Error) => {
            drop(next, `ping failed: ${error.message}`);
          })
          .finally(() => {
            clearTimeout(deadline);
            pinging = false;
          });
      }, pingIntervalMs);
      pingTimer.unref();
    } catch (error) {
      logger.debug({ err: (error as Error).message }, 'wake-up connection failed');
      drop(next, (error as Error).message);
      if (client === null && !retryTimer) scheduleReconnect();
    }
  }

  return {
    get connected() {
      return connected;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      void connect();
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      const current = client;
      client = null;
      connected = false;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
