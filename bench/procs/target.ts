import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tell } from '../lib/common.js';

/**
 * The no-op target: node:http in its own process, reads the body and answers 200 with an empty
 * body. It counts requests and, for requests carrying `x-bench-seq`, records the arrival time on
 * CLOCK_MONOTONIC (process.hrtime, shared by every process on Linux) when the headers are parsed.
 * Control routes under /__bench/ are not counted. Between `/__bench/lateness/start` and `…/stop`
 * (the soak), it also keeps each request's lateness: arrival (wall clock, ms) minus its
 * `Dispatchr-Scheduled-At`; `…/take` hands over and clears what was kept.
 */
let count = 0;
let first = 0;
let last = 0;
let arrivals: [number, number][] = [];
/** Flat pairs: arrival (epoch ms), lateness (ms). Null when no soak records. */
let lateness: number[] | null = null;

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/__bench/')) {
    control(url, res);
    req.resume();
    return;
  }
  const now = process.hrtime.bigint();
  const seq = req.headers['x-bench-seq'];
  if (typeof seq === 'string') arrivals.push([Number(seq), Number(now) / 1e6]);
  const due = req.headers['dispatchr-scheduled-at'];
  if (lateness && typeof due === 'string') {
    const at = Date.now();
    lateness.push(at, at - Date.parse(due));
  }
  count += 1;
  if (count === 1) first = Number(now) / 1e6;
  last = Number(now) / 1e6;
  req.on('data', noop);
  req.on('end', () => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 10_000;

function noop(): void {}

function control(url: string, res: http.ServerResponse): void {
  let body: unknown = {};
  if (url === '/__bench/reset') {
    count = 0;
    first = 0;
    last = 0;
    arrivals = [];
  } else if (url === '/__bench/stats') {
    body = { count, first, last };
  } else if (url === '/__bench/arrivals') {
    body = { arrivals };
  } else if (url.startsWith('/__bench/lateness/')) {
    body = { lateness: lateness ?? [] };
    lateness = url.endsWith('/stop') ? null : [];
  }
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

server.listen(0, '127.0.0.1', () => {
  tell({ type: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
