import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The app at the other end, as the fault suite needs it: answers every delivery after a random
 * latency and keeps a log of what it saw: task id (`webhook-id`), attempt, queue, arrival and end
 * times, the status it sent, and whether the caller hung up first (an aborted request). It also
 * tracks requests in flight per queue (the peak is what `maxConcurrent` must bound) and per task
 * (two requests of one task at once is an overlap, which must never happen).
 */
export interface Delivery {
  taskId: string;
  attempt: number;
  queue: string;
  path: string;
  arrivedAt: number;
  /** When the response was written, or the connection closed without one. */
  endedAt: number | null;
  status: number | null;
  /** The caller closed the connection before the answer was written. */
  aborted: boolean;
}

export interface TargetReply {
  status: number;
  headers?: Record<string, string>;
  /** Delay before answering; default the target's random latency. */
  latencyMs?: number;
}

export interface RecordingTargetOptions {
  /** Uniform random latency per request, inclusive bounds in ms. Default 20-200. */
  latencyMs?: [number, number];
  /** Scripted answers; default 200 after the random latency. */
  reply?(delivery: Delivery): TargetReply | undefined;
  random?: () => number;
}

export interface RecordingTarget {
  url: string;
  port: number;
  log: Delivery[];
  /** Highest number of requests in flight at once, per queue. */
  peakConcurrent: Map<string, number>;
  /** Requests of one task in flight at the same time (must stay 0). */
  overlaps: number;
  inFlight(queue?: string): number;
  /** Deliveries per task id. */
  byTask(): Map<string, Delivery[]>;
  close(): Promise<void>;
}

export async function startRecordingTarget(options: RecordingTargetOptions = {}): Promise<RecordingTarget> {
  const [minMs, maxMs] = options.latencyMs ?? [20, 200];
  const random = options.random ?? Math.random;
  const log: Delivery[] = [];
  const concurrent = new Map<string, number>();
  const peakConcurrent = new Map<string, number>();
  const openPerTask = new Map<string, number>();
  const sockets = new Set<Socket>();
  const state = { overlaps: 0 };

  const server = http.createServer((req, res) => {
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const delivery: Delivery = {
      taskId: header('webhook-id') ?? 'unknown',
      attempt: Number(header('dispatchr-attempt') ?? 0),
      queue: header('dispatchr-queue') ?? 'unknown',
      path: (req.url ?? '/').split('?')[0],
      arrivedAt: Date.now(),
      endedAt: null,
      status: null,
      aborted: false,
    };
    log.push(delivery);
    const now = (concurrent.get(delivery.queue) ?? 0) + 1;
    concurrent.set(delivery.queue, now);
    peakConcurrent.set(delivery.queue, Math.max(peakConcurrent.get(delivery.queue) ?? 0, now));
    const open = (openPerTask.get(delivery.taskId) ?? 0) + 1;
    openPerTask.set(delivery.taskId, open);
    if (open > 1) state.overlaps += 1;

    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (aborted: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      delivery.endedAt = Date.now();
      delivery.aborted = aborted;
      concurrent.set(delivery.queue, (concurrent.get(delivery.queue) ?? 1) - 1);
      const left = (openPerTask.get(delivery.taskId) ?? 1) - 1;
      if (left > 0) openPerTask.set(delivery.taskId, left);
      else openPerTask.delete(delivery.taskId);
    };
    // The request body is small; read it so the socket is free, then answer after the latency.
    req.resume();
    res.on('close', () => finish(!res.writableFinished));
    const scripted = options.reply?.(delivery);
    const latency = scripted?.latencyMs ?? minMs + Math.floor(random() * (maxMs - minMs + 1));
    timer = setTimeout(() => {
      const status = scripted?.status ?? 200;
      delivery.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...scripted?.headers }).end(status < 300 ? 'ok' : 'no');
    }, latency);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    peakConcurrent,
    get overlaps() {
      return state.overlaps;
    },
    inFlight(queue) {
      if (queue !== undefined) return concurrent.get(queue) ?? 0;
      let total = 0;
      for (const value of concurrent.values()) total += value;
      return total;
    },
    byTask() {
      const map = new Map<string, Delivery[]>();
      for (const delivery of log) {
        const list = map.get(delivery.taskId);
        if (list) list.push(delivery);
        else map.set(delivery.taskId, [delivery]);
      }
      return map;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
