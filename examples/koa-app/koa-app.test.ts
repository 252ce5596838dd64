import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchrClient } from '../../src/client/index.js';
import type { VerifiedDispatch } from '../../src/handler/index.js';
import {
  listenFirst,
  startLocalDispatchr,
  type LocalDispatchr,
} from '../../test/integration/client/local-dispatchr.js';
import { waitFor } from '../../test/support/target-server.js';
import { createApp } from './app.js';

/**
 * The Koa example end to end: a real recorder and scheduler (temporary SQLite) deliver the task
 * that POST /signup enqueued back to the app, signed; the handler runs with the verified task.
 */
const SECRET = `whsec_${Buffer.from('koa-example-signing-secret-bytes!!').toString('base64')}`;

describe('examples/koa-app', () => {
  let dispatchr: LocalDispatchr;
  let app: Awaited<ReturnType<typeof listenFirst>>;
  let mailDown = false;
  const sent: { email: string; task: VerifiedDispatch }[] = [];

  beforeAll(async () => {
    app = await listenFirst();
    dispatchr = await startLocalDispatchr({
      emails: {
        target: `${app.url}/tasks`,
        allowPrivateNetwork: true,
        timeout: '5s',
        signingSecret: SECRET,
        retry: { maxAttempts: 2 },
      },
    });
    const koa = createApp({
      dispatchrUrl: dispatchr.url,
      signingSecret: SECRET,
      sendWelcome: async (email, task) => {
        if (mailDown) throw new Error('mail service down');
        sent.push({ email, task });
      },
    });
    app.server.on('request', koa.callback());
  });
  afterAll(async () => {
    await app?.close();
    await dispatchr?.close();
  });

  const signup = async (email: string) => {
    const response = await fetch(`${app.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const settled = (taskId: string) =>
    waitFor(
      async () => {
        const task = await new DispatchrClient({ url: dispatchr.url }).get(taskId);
        return ['completed', 'failed', 'retryable'].includes(task.state) ? task : undefined;
      },
      10_000,
      `task ${taskId} to settle`,
    );

  it('enqueues on signup; the handler runs with the verified task, and the task completes', async () => {
    const taskId = await signup('a@example.com');
    const delivered = await waitFor(
      async () => sent.find((s) => s.task.taskId === taskId),
      10_000,
      'the welcome email',
    );
    expect(delivered).toMatchObject({
      email: 'a@example.com',
      task: { taskId, queue: 'emails', attempt: 1, previousStatus: null },
    });
    expect(await settled(taskId)).toMatchObject({ state: 'completed', lastStatus: 204 });
  });

  it('fails a task at once when the handler says doNotRetry', async () => {
    const task = await settled(await signup('not-an-address'));
    expect(task).toMatchObject({ state: 'failed', attempt: 1, lastStatus: 422 });
    expect(task.attempts?.[0].responseExcerpt).toContain('not an email address');
  });

  it('retries when the handler says retryAfter', async () => {
    mailDown = true;
    try {
      const task = await settled(await signup('b@example.com'));
      expect(task).toMatchObject({ state: 'retryable', attempt: 1, lastStatus: 503 });
      expect(Date.parse(task.runAt) - Date.now()).toBeGreaterThan(50_000); // Retry-After: 60
    } finally {
      mailDown = false;
    }
  });

  it('answers 401 to a request Dispatchr did not sign, and the handler never runs', async () => {
    const before = sent.length;
    const forged = await fetch(`${app.url}/tasks/welcome`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'x',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,Zm9yZ2Vk',
      },
      body: JSON.stringify({ email: 'victim@example.com' }),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'invalid_signature' });
    expect(sent.length).toBe(before);
  });
});
