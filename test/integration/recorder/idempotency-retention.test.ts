import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { createIdempotencyRepository, IDEMPOTENCY_TTL_MS } from '../../../src/db/idempotency.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createRetention } from '../../../src/scheduler/retention.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/**
 * Idempotency-Key records go away (spec §4.4): the scheduler's retention loop deletes them once
 * their 24-hour window has passed, in batches of at most 1,000 per statement; and a record holds
 * the answer in the basic view, so it does not grow with the task's body.
 */
describe.each(drivers())('Idempotency-Key records on %s', (driver) => {
  const clock = fixedClock('2026-03-01T12:00:00Z');
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {}, { clock });
  });
  afterAll(async () => recorder.close());

  const records = async () =>
    Number(
      (await recorder.db.sql.query<{ n: number | string }>('select count(*) as n from dispatchr_idempotency_key'))[0].n,
    );
  const create = (key: string, body: unknown, path = '/v1/queues/emails/tasks') =>
    recorder.call('POST', path, { body, headers: { 'Idempotency-Key': key } });
  /** One pass of the scheduler's retention loop as of `at` (nothing else configured to prune). */
  const retentionAt = (at: Date) => {
    const passClock = fixedClock(at);
    const config = parseConfig({ retention: { completed: 0, failed: 0 } });
    return createRetention({
      config,
      repository: createDispatchRepository(recorder.db),
      idempotency: createIdempotencyRepository(recorder.db, passClock),
      clock: passClock,
      logger: silentLogger,
    }).runOnce();
  };

  it('keeps records through their window and deletes every one in a single retention pass after it', async () => {
    const madeAt = clock.now().getTime();
    for (let i = 0; i < 3; i++) expect((await create(`window-${i}`, { path: `/w/${i}` })).status).toBe(201);
    expect(
      (await create('window-batch', { tasks: [{ path: '/b/1' }, { path: '/b/2' }] }, '/v1/queues/emails/tasks/batch'))
        .status,
    ).toBe(201);
    expect(await records()).toBe(4);

    expect(await retentionAt(new Date(madeAt + IDEMPOTENCY_TTL_MS - 1))).toEqual({ tasks: 0, idempotencyKeys: 0 });
    expect(await records()).toBe(4);
    const replay = await create('window-0', { path: '/w/0' });
    expect(replay.headers['idempotent-replayed']).toBe('true'); // still answered within the window

    expect(await retentionAt(new Date(madeAt + IDEMPOTENCY_TTL_MS))).toEqual({ tasks: 0, idempotencyKeys: 4 });
    expect(await records()).toBe(0);
    expect(await recorder.count()).toBe(5); // the tasks are not the records': they stay
  });

  it('deletes at most 1,000 records per statement, and a pass goes on until none has expired', async () => {
    const now = clock.now();
    const expired = new Date(now.getTime() - 1);
    const p = (n: number) => recorder.db.driver.placeholder(n);
    await recorder.db.sql.transaction(async (tx) => {
      for (let i = 0; i < 2_500; i++) {
        await tx.execute(
          `insert into dispatchr_idempotency_key (scope, key, request_hash, status, response, created_at, expires_at) values ('bulk', ${p(1)}, 'h', 201, '{}', ${p(2)}, ${p(3)})`,
          [`bulk-${i}`, new Date(expired.getTime() - IDEMPOTENCY_TTL_MS), expired],
        );
      }
    });
    await create('young', { path: '/young' }); // within its window: kept
    expect(await createIdempotencyRepository(recorder.db).pruneExpired(now, 1_000)).toBe(1_000);
    expect(await records()).toBe(1_501);
    expect(await retentionAt(now)).toEqual({ tasks: 0, idempotencyKeys: 1_500 });
    expect(await records()).toBe(1);
  });

  it('stores a small record for a create with a 500 KB body, and its replay answers the same task without the body', async () => {
    const body = { blob: 'x'.repeat(500_000) };
    const first = await create('big-body', { path: '/big', body });
    expect(first.status).toBe(201);
    expect(first.body.body).toEqual(body); // the first answer is the full view
    const p = recorder.db.driver.placeholder(1);
    const [row] = await recorder.db.sql.query<{ bytes: number | string }>(
      `select length(scope) + length(key) + length(request_hash) + length(response) as bytes from dispatchr_idempotency_key where key = ${p}`,
      ['big-body'],
    );
    expect(Number(row.bytes)).toBeLessThan(2_048);
    const again = await create('big-body', { path: '/big', body });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.body).toMatchObject({
      id: first.body.id,
      state: first.body.state,
      path: '/big',
      bodyBytes: first.body.bodyBytes,
    });
    expect(again.body).not.toHaveProperty('body');
  });
});
