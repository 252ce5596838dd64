import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchrClient } from '../../../src/client/index.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/**
 * A task's own retry settings at create time (spec 11.3): stored as sent (the duration in ms) and
 * shown; the options checked by the queue strategy's own schema, each problem at its field
 * (`retry.options.<name>`), per strategy; maxRetryDuration within the queue's window; attempts
 * only through the top-level maxAttempts. A refused create writes nothing.
 */
describe.each(drivers())('per-task retry settings at create time on %s', (driver) => {
  let recorder: TestRecorder;
  const post = (queue: string, body: unknown) => recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });

  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: {
        expo: {
          target: 'http://127.0.0.1:9/expo',
          allowPrivateNetwork: true,
          retry: { strategy: 'exponential', options: { initialDelay: '2s', maxDelay: '10m' }, maxRetryDuration: '1h' },
        },
        cloud: {
          target: 'http://127.0.0.1:9/cloud',
          allowPrivateNetwork: true,
          retry: { strategy: 'cloud-tasks', options: { minBackoff: '1s', maxBackoff: '5m' }, maxRetryDuration: 0 },
        },
      },
    });
  });

  afterAll(async () => {
    await recorder?.close();
  });

  it('stores the settings, shows them on create, GET and in lists, and leaves other tasks at null', async () => {
    const retry = { maxRetryDuration: '10m', options: { initialDelay: '100ms', factor: 3 } };
    const created = await post('expo', { path: '/a', retry });
    expect(created.status).toBe(201);
    const shown = { maxRetryDurationMs: 600_000, options: { initialDelay: '100ms', factor: 3 } };
    expect(created.body.retry).toEqual(shown);
    expect((await recorder.call('GET', `/v1/tasks/${created.body.id}`)).body.retry).toEqual(shown);
    const listed = await recorder.call('GET', '/v1/queues/expo/tasks');
    expect(listed.body.tasks.find((t: { id: string }) => t.id === created.body.id).retry).toEqual(shown);
    const stored = await recorder.tasks.findTask(created.body.id);
    expect(JSON.parse(stored!.retry!)).toEqual(shown);

    // A bare number is seconds, as for every API duration; options alone, or the duration alone.
    expect((await post('expo', { retry: { maxRetryDuration: 90 } })).body.retry).toEqual({
      maxRetryDurationMs: 90_000,
      options: null,
    });
    expect((await post('cloud', { retry: { options: { minBackoff: '50ms', maxDoublings: 2 } } })).body.retry).toEqual({
      maxRetryDurationMs: null,
      options: { minBackoff: '50ms', maxDoublings: 2 },
    });
    const plain = await post('expo', { path: '/plain' });
    expect(plain.body.retry).toBeNull();
    expect((await recorder.tasks.findTask(plain.body.id))!.retry).toBeNull();
  });

  it("refuses options the queue's strategy refuses, naming retry.options.<field>, per strategy", async () => {
    const before = await recorder.count();
    const cases: [string, unknown, { path: string; message: string }[]][] = [
      [
        'expo',
        { options: { initialDelay: 'soon' } },
        [{ path: 'retry.options.initialDelay', message: expect.stringContaining('expected a duration') }],
      ],
      [
        'expo',
        { options: { factor: 0.5, base: 2 } },
        [
          { path: 'retry.options.factor', message: expect.stringContaining('expected a number >= 1') },
          { path: 'retry.options.base', message: expect.stringContaining('unknown option') },
        ],
      ],
      [
        // Laid over the queue's options: maxDelay 10m is the queue's, so an initialDelay above it is refused there.
        'expo',
        { options: { initialDelay: '1h' } },
        [
          {
            path: 'retry.options.maxDelay',
            message: expect.stringContaining('expected maxDelay >= initialDelay (1h)'),
          },
        ],
      ],
      [
        'cloud',
        { options: { maxDoublings: 101 } },
        [{ path: 'retry.options.maxDoublings', message: expect.stringContaining('expected an integer <= 100') }],
      ],
      [
        'cloud',
        { options: { jitter: 'lots', minBackoff: 0 } },
        [
          { path: 'retry.options.minBackoff', message: expect.stringContaining('expected a duration from 1ms') },
          { path: 'retry.options.jitter', message: expect.stringContaining('expected one of "none", "full", "equal"') },
        ],
      ],
      ['cloud', { options: [1] }, [{ path: 'retry.options', message: expect.stringContaining('expected an object') }]],
    ];
    for (const [queue, retry, errors] of cases) {
      const reply = await post(queue, { retry });
      expect(reply.status, JSON.stringify(retry)).toBe(400);
      expect(reply.body.errors).toEqual(expect.arrayContaining(errors));
      expect(reply.body.errors).toHaveLength(errors.length);
      expect(reply.body.errors[0].message).toContain(queue === 'expo' ? 'strategy "exponential"' : '');
    }
    expect(await recorder.count()).toBe(before);
  });

  it('keeps maxRetryDuration within the queue window and attempts on maxAttempts', async () => {
    const before = await recorder.count();
    const cases: [string, unknown, string, string][] = [
      ['expo', { maxRetryDuration: '2h' }, 'retry.maxRetryDuration', "at most 1h, this queue's retry.maxRetryDuration"],
      ['expo', { maxRetryDuration: 0 }, 'retry.maxRetryDuration', 'expected a duration greater than 0'],
      ['expo', { maxRetryDuration: 'a while' }, 'retry.maxRetryDuration', 'expected a duration like "10m"'],
      ['cloud', { maxRetryDuration: '400d' }, 'retry.maxRetryDuration', 'expected a duration of at most 365d'],
      ['expo', { maxAttempts: 3 }, 'retry.maxAttempts', "set attempts with the task's top-level maxAttempts"],
      ['expo', { strategy: 'fixed' }, 'retry.strategy', "the strategy is the queue's"],
      ['expo', 'fast', 'retry', 'expected object'],
    ];
    for (const [queue, retry, path, message] of cases) {
      const reply = await post(queue, { retry });
      expect(reply.status, JSON.stringify(retry)).toBe(400);
      expect(reply.body.errors).toEqual([{ path, message: expect.stringContaining(message) }]);
    }
    // A queue without a window (maxRetryDuration 0) takes any duration up to 365 days.
    expect((await post('cloud', { retry: { maxRetryDuration: '30d' } })).status).toBe(201);
    expect(await recorder.count()).toBe(before + 1);
  });

  it('names the task in a batch, and creates none of it', async () => {
    const before = await recorder.count();
    const reply = await recorder.call('POST', '/v1/queues/cloud/tasks/batch', {
      body: { tasks: [{ retry: { options: { minBackoff: '1s' } } }, { retry: { options: { maxBackoff: -1 } } }] },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { path: 'tasks.1.retry.options.maxBackoff', message: expect.stringContaining('expected a duration') },
    ]);
    expect(await recorder.count()).toBe(before);
  });

  it('the HTTP client sends and reads the settings, and carries the field named in a refusal', async () => {
    const client = new DispatchrClient({ url: recorder.url, retryDelayMs: 10 });
    const created = await client.enqueue('cloud', { retry: { maxRetryDuration: '5m', options: { maxDoublings: 4 } } });
    expect(created.retry).toEqual({ maxRetryDurationMs: 300_000, options: { maxDoublings: 4 } });
    expect((await client.get(created.id)).retry).toEqual(created.retry);
    const refused = await client
      .enqueue('cloud', { retry: { options: { maxDoublings: 'x' } } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'retry.options.maxDoublings', message: expect.stringContaining('expected an integer') }],
    });
  });
});
