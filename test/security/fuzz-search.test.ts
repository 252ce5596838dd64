import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATES } from '../../src/task.js';
import { drivers } from '../support/databases.js';
import { startTestRecorder, type TestRecorder } from '../integration/recorder/support.js';
import { fuzzText } from './support.js';

/**
 * fast-check over `GET /v1/tasks` query strings, 1,000 runs on each database, against a real
 * recorder over HTTP with a fixed set of tasks. Whatever the query string (known and unknown
 * parameters, repeated ones, NUL, unpaired surrogates, broken percent-encoding, valid and forged
 * cursors), the answer is 200 or a 4xx problem document, never 5xx. A 200 answers what was asked:
 * at most `limit` tasks, each in the queue, states, time window and path prefix the query names,
 * and, in the full view, each holding the search text in its body, a header name or a header value
 * that is not redacted (a search never matches a secret).
 */
const RUNS = 1000;
const QUEUES = ['alpha', 'beta'];
const WORDS = ['apple', 'Banana', 'cherry', 'delta', 'echo', 'hunter2', 'x-trace', 'zulu'];
/** Only in sensitive headers: a search for it must find nothing. */
const SECRET = 'hunter2';

const isSensitive = (name: string) =>
  ['auth', 'cookie', 'token', 'secret', 'key', 'passw', 'pwd', 'signature', 'jwt', 'session', 'credential'].some(
    (part) => name.toLowerCase().includes(part),
  );

interface Seeded {
  createdAt: number[];
  cursors: string[];
}

/** 48 tasks over two queues, with words in bodies, paths and headers, a secret in sensitive headers, and some cancelled. */
async function seed(recorder: TestRecorder): Promise<Seeded> {
  const ids: string[] = [];
  for (const [q, queue] of QUEUES.entries()) {
    for (let round = 0; round < 3; round++) {
      const tasks = Array.from({ length: 8 }, (_, i) => {
        const word = WORDS[(i + round + q) % WORDS.length];
        const other = WORDS[(i * 3 + round) % WORDS.length];
        const task: Record<string, unknown> = {
          path: `/${word.toLowerCase()}/${i}`,
          headers: { 'x-word': other, authorization: `Bearer ${SECRET}-${i}`, 'x-api-key': SECRET },
          key: `${queue}-${round}-${i}`,
        };
        if (i % 3 === 0) task.bodyBase64 = Buffer.from(`raw ${word} bytes \u00e9`).toString('base64');
        else if (i % 3 === 1)
          task.body = { note: `${word} and ${other}`, n: i, nested: [{ deep: word.toUpperCase() }] };
        if (i % 4 === 0) task.delay = '1h';
        return task;
      });
      const reply = await recorder.call('POST', `/v1/queues/${queue}/tasks/batch`, { body: { tasks } });
      if (reply.status !== 201) throw new Error(`seeding: batch answered ${reply.status} ${reply.text}`);
      ids.push(...(reply.body.tasks as { id: string }[]).map((task) => task.id));
      await new Promise((resolve) => setTimeout(resolve, 5)); // rounds created at distinct milliseconds, for since/until
    }
  }
  for (const id of ids.filter((_, index) => index % 5 === 0)) {
    await recorder.call('POST', `/v1/tasks/${id}/cancel`, { headers: { 'content-type': 'application/json' } });
  }
  const page = await recorder.call('GET', '/v1/tasks?limit=1000');
  const createdAt = (page.body.tasks as { createdAt: string }[]).map((task) => Date.parse(task.createdAt));
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const next = await recorder.call('GET', `/v1/tasks?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    cursor = next.body.nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { createdAt, cursors };
}

/** Percent-encodes as a browser would; unpaired surrogates become U+FFFD's bytes, as in any UTF-8 encoder. */
const encode = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

function queryArbitrary(seeded: Seeded): fc.Arbitrary<string> {
  const time = fc.oneof(
    fc
      .constantFrom(...seeded.createdAt)
      .chain((at) => fc.integer({ min: -3, max: 3 }).map((delta) => new Date(at + delta).toISOString())),
    fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    fc.constantFrom('2025-02-30T00:00:00Z', 'yesterday', '2025-01-01', '1700000000', '2025-01-01T00:00:00+01:00'),
  );
  const value: Record<string, fc.Arbitrary<string>> = {
    queue: fc.oneof(fc.constantFrom(...QUEUES, 'nope', ''), fuzzText(10)),
    state: fc.oneof(
      fc.subarray([...TASK_STATES], { minLength: 1 }).map((states) => states.join(',')),
      fc.constantFrom('', ',', 'RUNNING', 'failed,,cancelled', ' failed'),
      fuzzText(12),
    ),
    since: time,
    until: time,
    path: fc.oneof(fc.constantFrom('/', '/apple', '/banana/', '/cherry/1', '/zz', ''), fuzzText(12)),
    search: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...WORDS, 'APPLE', 'an', 'deep', 'raw', 'note') },
      { weight: 1, arbitrary: fuzzText(12) },
    ),
    limit: fc.oneof(
      fc.integer({ min: -2, max: 1_200 }).map(String),
      fc.constantFrom('', '1e2', '0x10', '007', '10000', ' 5', '5.0'),
    ),
    cursor: fc.oneof(
      fc.constantFrom(...seeded.cursors),
      fc.constantFrom('', 'garbage', Buffer.from('v1:not-an-id').toString('base64url')),
      fuzzText(20),
    ),
    view: fc.oneof(fc.constantFrom('basic', 'full'), fc.constantFrom('', 'FULL', 'all'), fuzzText(6)),
  };
  const known = fc
    .constantFrom(...Object.keys(value))
    .chain((name) => value[name].map((text) => `${name}=${encode(text)}`));
  const unknown = fc.oneof(
    fc.constantFrom('__proto__=x', 'constructor=1', 'Queue=alpha', 'queue[]=alpha', 'view', '=x', 'limit', 'a=1=2'),
    fuzzText(8, 1).map((name) => `${encode(name)}=1`),
  );
  const broken = fc.constantFrom(
    '%',
    '%zz',
    'search=%ED%A0%80',
    'search=%C0%AF',
    'path=%FF',
    '&&',
    'search=a+b',
    'queue=%00',
    'search=%25',
  );
  const parts = fc.array(
    fc.oneof({ weight: 12, arbitrary: known }, { weight: 1, arbitrary: unknown }, { weight: 1, arbitrary: broken }),
    { maxLength: 5 },
  );
  // A full-view word search, with or without other parameters: the searches whose matches are checked.
  const fullSearch = fc
    .tuple(fc.constantFrom(...WORDS, 'APPLE', 'deep', 'raw', 'note'), fc.array(known, { maxLength: 2 }))
    .map(([word, rest]) => [`view=full`, `search=${word}`, ...rest]);
  return fc.oneof({ weight: 4, arbitrary: parts }, { weight: 1, arbitrary: fullSearch }).map((list) => list.join('&'));
}

/** What a 200 must satisfy, read from the query the recorder accepted (parsed as it parses it). Answers the number of search matches it checked. */
function expectAnswersTheQuery(
  query: string,
  body: { tasks: Record<string, any>[]; nextCursor: string | null },
): number {
  let searchesChecked = 0;
  const params = new URLSearchParams(query);
  const one = (name: string) => params.get(name) ?? undefined;
  const limit = one('limit') === undefined ? 100 : Number(one('limit'));
  expect(body.tasks.length).toBeLessThanOrEqual(limit);
  expect(body.nextCursor === null || typeof body.nextCursor === 'string').toBe(true);
  const states = one('state')
    ?.split(',')
    .map((state) => state.trim());
  const since = one('since') === undefined ? undefined : Date.parse(one('since')!);
  const until = one('until') === undefined ? undefined : Date.parse(one('until')!);
  const search = one('search');
  for (const task of body.tasks) {
    const shown = JSON.stringify(task).slice(0, 300);
    if (one('queue') !== undefined) expect(task.queue, shown).toBe(one('queue'));
    if (states) expect(states, shown).toContain(task.state);
    if (since !== undefined) expect(Date.parse(task.createdAt), shown).toBeGreaterThanOrEqual(since);
    if (until !== undefined) expect(Date.parse(task.createdAt), shown).toBeLessThan(until);
    if (one('path') !== undefined) expect(task.path.startsWith(one('path')!), shown).toBe(true);
    if (one('view') === 'full') {
      expect(task.headers, shown).toBeDefined();
      for (const [name, shownValue] of Object.entries(task.headers as Record<string, string>))
        if (isSensitive(name)) expect(shownValue).toBe('[redacted]');
      // Words only: PostgreSQL searches jsonb's own text, whose spacing and key order differ from JSON.stringify's.
      if (search !== undefined && /^[A-Za-z0-9]+$/.test(search)) {
        const bodyText =
          task.bodyBase64 !== undefined
            ? Buffer.from(task.bodyBase64, 'base64').toString('utf8')
            : JSON.stringify(task.body);
        const visible = [
          bodyText,
          ...Object.entries(task.headers as Record<string, string>).flatMap(([name, v]) =>
            isSensitive(name) ? [name] : [name, v],
          ),
        ];
        expect(
          visible.some((text) => text.toLowerCase().includes(search.toLowerCase())),
          `${search} is in ${shown}`,
        ).toBe(true);
        searchesChecked += 1;
      }
    }
  }
  return searchesChecked;
}

describe.each(drivers())('fuzzing the search on %s', (driver) => {
  let recorder: TestRecorder;
  let seeded: Seeded;
  beforeAll(async () => {
    const queues = Object.fromEntries(
      QUEUES.map((name) => [name, { target: `http://127.0.0.1:9/${name}`, allowPrivateNetwork: true }]),
    );
    recorder = await startTestRecorder(driver, { queues });
    seeded = await seed(recorder);
  });
  afterAll(async () => recorder?.close());

  it(`answers ${RUNS} query strings with 200 or a 4xx problem, and a 200 with what was asked`, async () => {
    let answered = 0;
    let tasksChecked = 0;
    let searchMatchesChecked = 0;
    const refused = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(queryArbitrary(seeded), async (query) => {
        const reply = await recorder.call('GET', `/v1/tasks?${query}`);
        expect(reply.status, `?${query} → ${reply.text.slice(0, 300)}`).toBeLessThan(500);
        if (reply.status >= 400) {
          expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(reply.body).toMatchObject({
            code: expect.any(String),
            status: reply.status,
            errors: expect.any(Array),
          });
          refused.set(
            `${reply.status} ${reply.body.code}`,
            (refused.get(`${reply.status} ${reply.body.code}`) ?? 0) + 1,
          );
          return;
        }
        expect(reply.status).toBe(200);
        answered += 1;
        tasksChecked += reply.body.tasks.length;
        searchMatchesChecked += expectAnswersTheQuery(query, reply.body);
      }),
      { numRuns: RUNS },
    );
    const refusedRuns = [...refused.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[fuzz] ${driver} search: ${answered} answered (${tasksChecked} tasks checked against their filters, ${searchMatchesChecked} search matches), ${refusedRuns} refused (${[...refused].map(([code, n]) => `${code}: ${n}`).join(', ')})`,
    );
    // Both sides must be common, or the generator has drifted into testing only one of them.
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(refusedRuns).toBeGreaterThanOrEqual(100);
    expect(tasksChecked).toBeGreaterThanOrEqual(1000);
    expect(searchMatchesChecked).toBeGreaterThanOrEqual(20);
  });
});
