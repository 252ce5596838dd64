import { connect } from 'node:net';
import fc from 'fast-check';
import { createDispatchRepository } from '../../src/db/dispatch.repository.js';
import type { Orm } from '../../src/db/orm.js';
import type { TaskState } from '../../src/task.js';

/**
 * What the bad-input corpus and the fuzz suites share: a raw HTTP/1.1 sender (the corpus sends
 * bytes no well-behaved client would: broken UTF-8 in headers, NUL, bodies with no Content-Length,
 * smuggling-shaped framing), tasks seeded in every state, a snapshot of everything a request could
 * change, and the fuzzers' text and number generators.
 */
export interface RawRequest {
  method: string;
  /** The request target as written on the request line (latin1: each char is one byte). */
  target: string;
  /** Header lines in order; values are latin1 strings, so any byte can be sent. */
  headers: [string, string][];
  /** Sent after the headers, framed by the headers the caller wrote. */
  body?: Buffer;
  /** Default 1.1. */
  version?: '1.0' | '1.1';
}

export interface RawReply {
  status: number;
  /** Lowercase names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  // Problem details and task resources of many shapes; the tests read the fields they assert on.
  json: any;
}

const REPLY_TIMEOUT_MS = 10_000;

/**
 * Writes one request on a fresh connection (`Connection: close` is the caller's to add) and reads
 * the answer until the server closes. The body goes out in 16 KB slices and stops once the answer
 * has begun: a 413 comes before the body is read, and the server closes without reading the rest.
 */
export function sendRaw(port: number, request: RawRequest): Promise<RawReply> {
  const head = [
    `${request.method} ${request.target} HTTP/${request.version ?? '1.1'}`,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let answered = false;
    const timer = setTimeout(
      () => socket.destroy(new Error(`no complete answer within ${REPLY_TIMEOUT_MS} ms`)),
      REPLY_TIMEOUT_MS,
    );
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      received.push(chunk);
    });
    socket.on('error', (error) => {
      // A reset after the answer began is the server closing on a body it will not read.
      if (!answered) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!answered) return reject(new Error('the connection closed without an answer'));
      try {
        resolve(parseReply(Buffer.concat(received), request.method === 'HEAD'));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.on('connect', async () => {
      socket.write(Buffer.from(head, 'latin1'));
      const body = request.body ?? Buffer.alloc(0);
      for (let offset = 0; offset < body.length && !answered && socket.writable; offset += 16_384) {
        await new Promise<void>((done) => socket.write(body.subarray(offset, offset + 16_384), () => done()));
      }
    });
  });
}

function parseReply(bytes: Buffer, head: boolean): RawReply {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`an incomplete answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let body = head ? Buffer.alloc(0) : bytes.subarray(end + 4);
  if (!head && /chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (!head && headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  const text = body.toString('utf8');
  const json = /json/.test(headers['content-type'] ?? '') && text !== '' ? JSON.parse(text) : undefined;
  return { status, headers, text, json };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** A body sent with Transfer-Encoding: chunked, in chunks of `size` bytes. */
export function chunked(body: Buffer, size = 8192): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += size) {
    const chunk = body.subarray(offset, offset + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

export type SeededState = Extract<
  TaskState,
  'available' | 'scheduled' | 'cancelled' | 'running' | 'completed' | 'failed'
>;

/**
 * One task in each state the actions care about. `available`, `scheduled` and `cancelled` are made
 * through the API of the queue `waitingQueue`; `running`, `completed` and `failed` are claimed and
 * settled in `claimQueue` with the scheduler's own repository, as a scheduler would.
 */
export async function seedTasks(
  queues: { waitingQueue: string; claimQueue: string },
  create: (queue: string, body: Record<string, unknown>) => Promise<{ id: string }>,
  cancel: (id: string) => Promise<void>,
  db: Orm,
): Promise<Record<SeededState, string>> {
  const { waitingQueue, claimQueue } = queues;
  const available = (
    await create(waitingQueue, {
      path: '/seed/available',
      headers: { 'x-seed': 'available' },
      body: { seed: 'available' },
    })
  ).id;
  const scheduled = (await create(waitingQueue, { path: '/seed/scheduled', delay: '1h', key: 'seed-scheduled' })).id;
  const cancelled = (await create(waitingQueue, { path: '/seed/cancelled', delay: '1h' })).id;
  await cancel(cancelled);
  const dispatch = createDispatchRepository(db);
  const owner = 'corpus-scheduler';
  const claimed = new Map<string, string>();
  for (const name of ['completed', 'failed', 'running']) {
    claimed.set(name, (await create(claimQueue, { path: `/seed/${name}` })).id);
    const [task] = await dispatch.claim({
      queue: claimQueue,
      limit: 1,
      owner,
      now: new Date(),
      leaseMs: 3_600_000,
      maxConcurrent: 10,
    });
    if (task?.id !== claimed.get(name)) throw new Error(`seeding: expected to claim the ${name} task`);
    if (name === 'running') break;
    const now = new Date();
    const status = name === 'completed' ? 200 : 400;
    await dispatch.settle(
      [
        {
          taskId: task.id,
          attempt: 1,
          owner,
          state: name as TaskState,
          nextAttempt: 1,
          runAt: null,
          lastStatus: status,
          lastError: name === 'failed' ? 'HTTP 400' : null,
          record: {
            startedAt: task.attemptedAt ?? now,
            finishedAt: now,
            status,
            outcome: name === 'completed' ? 'completed' : 'failed',
            durationMs: 1,
            error: null,
            responseExcerpt: null,
          },
        },
      ],
      now,
    );
  }
  return {
    available,
    scheduled,
    cancelled,
    running: claimed.get('running')!,
    completed: claimed.get('completed')!,
    failed: claimed.get('failed')!,
  };
}

export interface Snapshot {
  tasks: string[];
  attempts: number;
  paused: string[];
  idempotencyRecords: number;
  /** Cron entries (name, definition, pause flag, next fire time) and the count of fire records. */
  cronEntries: string[];
  cronFires: number;
}

/**
 * Everything a refused request must leave as it was, read straight from the tables: every task's
 * (id, state, attempt, run_at, updated_at), the attempt rows, the paused queues and the stored
 * Idempotency-Key records, the cron entries and their fire records. Equal snapshots around a request mean it created, changed and deleted
 * nothing, whichever route it reached.
 */
export async function snapshot(db: Orm): Promise<Snapshot> {
  const [tasks, attempts, paused, records, cron, fires] = await Promise.all([
    db.sql.query<Record<string, unknown>>(
      'select id, state, attempt, run_at, updated_at from dispatchr_task order by id',
    ),
    db.sql.query<{ n: unknown }>('select count(*) as n from dispatchr_attempt'),
    db.sql.query<{ name: string; paused: unknown }>('select name, paused from dispatchr_queue_state order by name'),
    db.sql.query<{ n: unknown }>('select count(*) as n from dispatchr_idempotency_key'),
    db.sql.query<Record<string, unknown>>(
      'select name, definition_hash, paused, next_fire_at from dispatchr_cron_entry order by name',
    ),
    db.sql.query<{ n: unknown }>('select count(*) as n from dispatchr_cron_fire'),
  ]);
  const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
  return {
    tasks: tasks.map((row) => [row.id, row.state, row.attempt, row.run_at, row.updated_at].map(text).join(' ')),
    attempts: Number(attempts[0].n),
    paused: paused.filter((row) => row.paused === true || Number(row.paused) === 1).map((row) => row.name),
    idempotencyRecords: Number(records[0].n),
    cronEntries: cron.map((row) => [row.name, row.definition_hash, row.paused, row.next_fire_at].map(text).join(' ')),
    cronFires: Number(fires[0].n),
  };
}

/**
 * One character of fuzzed text: mostly printable ASCII, then any code point, and now and then the
 * two things no stored string may hold: an unpaired surrogate and NUL.
 */
export const textUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constant('\u0000') },
);

export const fuzzText = (maxLength: number, minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: textUnit, minLength, maxLength });

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether any string or key in a JSON-shaped value holds NUL or an unpaired surrogate (spec 4.13: such a request is a 400). */
export function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || UNPAIRED_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorableText);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([key, inner]) => holdsUnstorableText(key) || holdsUnstorableText(inner));
  return false;
}

/** The shortest form of a double with `digits` appended to its fraction (before any exponent). */
function withDigits(value: number, digits: string): string {
  const [mantissa, exponent] = String(value).split('e');
  return `${mantissa}${mantissa.includes('.') ? '' : '.'}${digits}${exponent === undefined ? '' : `e${exponent}`}`;
}

/**
 * JSON number tokens whose class is known by construction (spec 4.13): a token is sent as written
 * when its decimal value is the one JavaScript writes back for the double it parses to.
 */
export const exactNumberToken: fc.Arbitrary<string> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => String(value)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => withDigits(value, '000')),
  fc.integer({ min: 0, max: 999 }).map((n) => `${n}E2`),
  fc.constantFrom('-0', '1.0', '100e-2', '9007199254740991', '-9007199254740991', '1e21', '5e-324'),
);
export const inexactNumberToken: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e400', '-1e309', '1e-400', '12345678901234567890', '18446744073709551616', '1.0000000000000000001'),
  // Odd integers above 2^53 have no double: they would be rounded to an even neighbour.
  fc.bigInt({ min: 1n, max: 1n << 40n }).map((k) => String((1n << 53n) + 2n * k + 1n)),
  // The shortest form of a double, then 22 more digits: the same double, a different decimal.
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((value) => value !== 0)
    .map((value) => withDigits(value, '0000000000000000000001')),
);
