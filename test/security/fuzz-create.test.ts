import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { startTestRecorder, type Reply, type TestRecorder } from '../integration/recorder/support.js';
import { exactNumberToken, fuzzText, holdsUnstorableText, inexactNumberToken } from './support.js';

/**
 * fast-check over `POST /v1/queues/{q}/tasks` and `/tasks/batch`, 1,000 runs each on each database,
 * against a real recorder over HTTP (keep-alive). Whatever is sent, the answer is 2xx or a 4xx
 * problem document, never 5xx; text the database cannot hold (NUL, unpaired surrogates) is a 400;
 * a refused request creates nothing; and a created task reads back as sent: path, method, headers
 * (sensitive values as `[redacted]`), body (the same JSON, or the same bytes), contentType, key and
 * maxAttempts. Raw JSON texts check numbers: one that cannot be sent as written is a 400 naming it,
 * one that can is stored as its value. A run is one create; what it made is checked when the
 * property ends (Ledger), so the run count stays and the time does not.
 */
const RUNS = 1000;
const NUMBER_RUNS = 300;
const QUEUE = 'fuzz';
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'HEAD', 'OPTIONS'] as const;

/** Spec 4.6: a header whose lowercased name contains one of these is shown as [redacted]. */
const SENSITIVE_PARTS = [
  'auth',
  'cookie',
  'token',
  'secret',
  'key',
  'passw',
  'pwd',
  'signature',
  'jwt',
  'session',
  'credential',
];
const isSensitive = (name: string) => SENSITIVE_PARTS.some((part) => name.toLowerCase().includes(part));
const isJsonType = (type: string) => /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.test(type);

type Sent = Record<string, unknown> & {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  bodyBase64?: string;
  contentType?: string;
  key?: string;
  maxAttempts?: number;
  runAt?: string;
};

// Path segments that stay inside the target: no "." or ".." (refused), percent-escapes that decode
// to ordinary characters. Such a path must read back exactly as sent.
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}$/),
  fc.constantFrom('%20', '%41', '%C3%A9', '%25', 'caf%C3%A9', '%E2%98%83', '\u00e9t\u00e9'),
);
const safePath = fc
  .tuple(
    fc.array(segment, { minLength: 1, maxLength: 4 }),
    fc.option(fc.stringMatching(/^[a-z]{1,5}=[A-Za-z0-9%]{0,8}$/), { nil: undefined }),
  )
  .map(([segments, query]) => `/${segments.join('/')}${query === undefined ? '' : `?${query}`}`);
const headerName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Authorization',
      'X-Api-Key',
      'Cookie',
      'Set-Cookie',
      'X-Auth-Token',
      'Password',
      'X-Jwt',
      'X-Session-Id',
      'X-Hub-Signature',
      'db_passwd',
      'X-Authorization',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Dispatchr-Queue',
      'Webhook_Id',
      'Host',
      'X-Forwarded-For',
      'Connection',
      'Content-Type',
      'X-Original-URL',
    ),
  },
);
const headerValue = fc.string({ unit: fc.constantFrom(...'\t abcXYZ019-_.:;/=+~!@"\'\u00e9\u00ff'), maxLength: 30 });

/** A task object; `hostile` lets every field take any text and any type. */
function taskArbitrary(hostile: boolean): fc.Arbitrary<Sent> {
  const text = (max: number, min = 0) =>
    hostile ? fuzzText(max, min) : fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ body: value })) },
    {
      weight: hostile ? 3 : 1,
      arbitrary: fc
        .jsonValue({
          maxDepth: 3,
          stringUnit: hostile ? fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) : 'grapheme',
        })
        .map((value) => ({ body: value })),
    },
    { weight: hostile ? 2 : 0, arbitrary: text(20).map((value) => ({ body: { text: value } })) },
    {
      weight: 3,
      arbitrary: fc
        .uint8Array({ maxLength: 96 })
        .map((bytes) => ({ bodyBase64: Buffer.from(bytes).toString('base64') })),
    },
  );
  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/vnd.fuzz+json',
      'text/plain',
      'application/octet-stream',
      'image/png',
      'text/plain; charset=utf-8',
    ),
    ...(hostile ? [text(24)] : []),
  );
  const when = fc.oneof(
    fc.constant({}),
    fc.integer({ min: hostile ? -10 : 0, max: hostile ? 40_000_000 : 86_400 }).map((delay) => ({ delay })),
    fc
      .constantFrom('500ms', '10s', '5m', '2h', '1d', ...(hostile ? ['soon', '-1s', '400d'] : []))
      .map((delay) => ({ delay })),
    fc
      .integer({ min: -86_400_000, max: hostile ? 500 * 86_400_000 : 300 * 86_400_000 })
      .map((offset) => ({ runAt: new Date(Date.now() + offset).toISOString() })),
  );
  const fields = fc.record(
    {
      path: hostile ? fc.oneof(safePath, fc.constant(''), text(30)) : fc.oneof(safePath, fc.constant('')),
      method: hostile
        ? fc.oneof(fc.constantFrom(...METHODS), text(8))
        : fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
      headers: fc.dictionary(
        hostile
          ? fc.oneof(headerName, text(12, 1))
          : headerName.filter((name) => /^x-[a-z]/i.test(name) || isSensitive(name)),
        hostile ? fc.oneof(headerValue, text(20)) : headerValue,
        {
          maxKeys: 5,
        },
      ),
      contentType,
      key: text(40, 1),
      maxAttempts: hostile
        ? fc.oneof(fc.integer({ min: -2, max: 150 }), fc.double())
        : fc.integer({ min: 1, max: 100 }),
    },
    { requiredKeys: [] },
  );
  return fc
    .tuple(fields, body, when)
    .map(([rest, chosenBody, chosenTime]) => ({ ...rest, ...chosenBody, ...chosenTime }));
}

/** Spec 4.5: the stored path is "" for the target itself, else starts with "/" (or "?" for a query on the target). */
function expectedPath(sent: string | undefined): string | undefined {
  if (sent === undefined || sent === '' || sent === '/') return '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(sent)) return undefined; // an absolute URL inside the target is stored relative to it
  const path = sent.startsWith('/') || sent.startsWith('?') ? sent : `/${sent}`;
  return path.startsWith('/?') ? path.slice(1) : path;
}

function expectProblemOrSuccess(reply: Reply): void {
  expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(500);
  if (reply.status >= 400) {
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ code: expect.any(String), status: reply.status, errors: expect.any(Array) });
  }
}

/** A task in the full view against what its create sent. */
function expectAsSent(task: Record<string, any>, sent: Sent): void {
  const path = expectedPath(sent.path);
  if (path !== undefined) expect(task.path).toBe(path);
  expect(task.method).toBe(sent.method ?? 'POST');
  const headers = Object.fromEntries(
    Object.entries(sent.headers ?? {}).map(([name, value]) => [
      name.toLowerCase(),
      isSensitive(name) ? '[redacted]' : value,
    ]),
  );
  expect(task.headers).toEqual(headers);
  const hasBody = sent.body !== undefined && sent.body !== null;
  const contentType =
    sent.contentType ??
    (hasBody ? 'application/json' : sent.bodyBase64 !== undefined ? 'application/octet-stream' : null);
  expect(task.contentType).toBe(contentType);
  if (hasBody) {
    // The value a JSON reader sees in the text that was sent (-0 is that value, written as 0).
    expect(task.body).toEqual(JSON.parse(JSON.stringify(sent.body)));
  } else if (sent.bodyBase64 !== undefined) {
    // Bytes: shown as they are, or as JSON when the type is JSON and the bytes are JSON text.
    if (task.bodyBase64 !== undefined) expect(task.bodyBase64).toBe(sent.bodyBase64);
    else expect(task.body).toEqual(JSON.parse(Buffer.from(sent.bodyBase64, 'base64').toString('utf8')));
  } else {
    expect(task.body).toBeNull();
  }
  expect(task.key).toBe(sent.key ?? null);
  expect(task.maxAttempts).toBe(sent.maxAttempts ?? null);
  if (sent.runAt !== undefined && Date.parse(task.createdAt) < Date.parse(sent.runAt))
    expect(task.runAt).toBe(sent.runAt);
}

/** GET /v1/tasks/{id} (the full view, the single read) against what the create sent. */
async function expectReadBack(
  recorder: TestRecorder,
  id: string,
  check: (task: Record<string, any>) => void,
): Promise<void> {
  const reply = await recorder.call('GET', `/v1/tasks/${id}`);
  expect(reply.status).toBe(200);
  check(reply.body);
}

/**
 * What a property's runs came to, checked when it ends: the queue holds exactly the tasks the
 * created runs made (so no refused request wrote anything), and every created task reads back as
 * sent, read in the full view a page of up to 1,000 at a time; every tenth is also read alone
 * during its run (GET /v1/tasks/{id}). Reading in pages keeps a run to one create, so 1,000 runs
 * fit the time budget. Both outcomes must be common, or the generators have drifted into testing
 * only one side.
 */
class Ledger {
  private made = 0;
  private refusals = new Map<string, number>();
  private readonly checks = new Map<string, { sent: unknown; check: (task: Record<string, any>) => void }>();
  private tasks = 0;
  private constructor(
    private readonly label: string,
    private readonly recorder: TestRecorder,
  ) {}

  static async open(label: string, recorder: TestRecorder): Promise<Ledger> {
    const ledger = new Ledger(label, recorder);
    ledger.tasks = await recorder.count(QUEUE);
    return ledger;
  }

  /** A created run: its tasks' ids, what each was sent as, and how to check it. */
  async created(tasks: { id: string; sent: unknown; check: (task: Record<string, any>) => void }[]): Promise<void> {
    this.made += 1;
    this.tasks += tasks.length;
    for (const { id, sent, check } of tasks) {
      this.checks.set(id, { sent, check });
      if (this.checks.size % 10 === 0) await expectReadBack(this.recorder, id, check);
    }
  }

  refused(reply: Reply): void {
    const code = `${reply.status} ${reply.body?.code}`;
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  async settle(): Promise<void> {
    const refused = [...this.refusals.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[fuzz] ${this.label}: ${this.made} created, ${refused} refused (${[...this.refusals].map(([code, n]) => `${code}: ${n}`).join(', ')})`,
    );
    expect(
      await this.recorder.count(QUEUE),
      'the queue holds the created tasks and nothing a refused request sent',
    ).toBe(this.tasks);
    let seen = 0;
    let cursor: string | null = null;
    do {
      const page = await this.recorder.call(
        'GET',
        `/v1/queues/${QUEUE}/tasks?view=full&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status, page.text.slice(0, 300)).toBe(200);
      for (const task of page.body.tasks as Record<string, any>[]) {
        const expected = this.checks.get(task.id);
        if (!expected) continue;
        seen += 1;
        try {
          expected.check(task);
        } catch (error) {
          throw new Error(
            `task ${task.id} does not read back as sent ${JSON.stringify(expected.sent)}: ${(error as Error).message}`,
          );
        }
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen, 'every created task was listed').toBe(this.checks.size);
    expect(this.made, 'runs that created tasks').toBeGreaterThanOrEqual(Math.min(100, (this.made + refused) / 10));
    expect(refused, 'runs that were refused').toBeGreaterThanOrEqual(Math.min(100, (this.made + refused) / 10));
  }
}

describe.each(drivers())('fuzzing the create routes on %s', (driver) => {
  let recorder: TestRecorder;
  let run = 0;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: { [QUEUE]: { target: 'http://127.0.0.1:9/t', allowPrivateNetwork: true } },
    });
  });
  afterAll(async () => recorder?.close());

  /** Keys are made unique per run, so no create is de-duplicated into an earlier run's task. */
  const uniqueKey = (task: Sent): Sent =>
    typeof task.key === 'string' ? { ...task, key: `${(run += 1)}:${task.key}` } : task;

  it(`answers ${RUNS} single creates with 2xx or 4xx, and a created task reads back as sent`, async () => {
    const ledger = await Ledger.open(`${driver} single creates`, recorder);
    await fc.assert(
      fc.asyncProperty(fc.oneof(taskArbitrary(false), taskArbitrary(true)), async (generated) => {
        const sent = uniqueKey(generated);
        const reply = await recorder.call('POST', `/v1/queues/${QUEUE}/tasks`, { raw: JSON.stringify(sent) });
        expectProblemOrSuccess(reply);
        if (holdsUnstorableText(sent)) expect(reply.status).toBe(400);
        if (reply.status >= 400) return ledger.refused(reply);
        expect(reply.status).toBe(201);
        await ledger.created([{ id: reply.body.id, sent, check: (task) => expectAsSent(task, sent) }]);
      }),
      { numRuns: RUNS },
    );
    await ledger.settle();
  });

  it(`answers ${RUNS} batches all or nothing, each created task reading back as sent`, async () => {
    const task = fc.oneof(
      { weight: 4, arbitrary: taskArbitrary(false) },
      { weight: 1, arbitrary: taskArbitrary(true) },
    );
    const ledger = await Ledger.open(`${driver} batches`, recorder);
    await fc.assert(
      fc.asyncProperty(fc.array(task, { minLength: 1, maxLength: 4 }), async (generated) => {
        const tasks = generated.map(uniqueKey);
        const reply = await recorder.call('POST', `/v1/queues/${QUEUE}/tasks/batch`, {
          raw: JSON.stringify({ tasks }),
        });
        expectProblemOrSuccess(reply);
        if (holdsUnstorableText(tasks)) expect(reply.status).toBe(400);
        if (reply.status >= 400) return ledger.refused(reply);
        expect(reply.status).toBe(201);
        expect(reply.body.tasks).toHaveLength(tasks.length);
        const created = reply.body.tasks as { id: string }[];
        await ledger.created(
          created.map(({ id }, index) => ({
            id,
            sent: tasks[index],
            check: (shown) => expectAsSent(shown, tasks[index]),
          })),
        );
      }),
      { numRuns: RUNS },
    );
    await ledger.settle();
  });

  it(`refuses, in ${NUMBER_RUNS} raw bodies, every number that cannot be sent as written, and stores the others as their value`, async () => {
    const arbitrary = fc.oneof(
      exactNumberToken.map((token) => ({ token, exact: true })),
      inexactNumberToken.map((token) => ({ token, exact: false })),
    );
    const ledger = await Ledger.open(`${driver} raw numbers`, recorder);
    await fc.assert(
      fc.asyncProperty(arbitrary, fc.boolean(), async ({ token, exact }, inList) => {
        const raw = inList ? `{"path":"/n","body":{"list":[1,${token}]}}` : `{"path":"/n","body":{"n":${token}}}`;
        const reply = await recorder.call('POST', `/v1/queues/${QUEUE}/tasks`, { raw });
        expectProblemOrSuccess(reply);
        if (!exact) {
          expect(reply.status, `${token} must be refused`).toBe(400);
          expect(reply.body.errors.map((error: { path: string }) => error.path)).toEqual([
            inList ? 'body.list.1' : 'body.n',
          ]);
          return ledger.refused(reply);
        }
        expect(reply.status, `${token} can be sent as written: ${reply.text.slice(0, 200)}`).toBe(201);
        const value = Number(token) === 0 ? 0 : Number(token); // -0 is the value 0
        const check = (task: Record<string, any>) =>
          expect(task.body).toEqual(inList ? { list: [1, value] } : { n: value });
        await ledger.created([{ id: reply.body.id, sent: raw, check }]);
      }),
      { numRuns: NUMBER_RUNS },
    );
    await ledger.settle();
  });
});
