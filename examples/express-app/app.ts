import path from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
// In your app: from 'dispatchr/client' and 'dispatchr/handler'.
import { DispatchrClient } from '../../src/client/index.js';
import { doNotRetry, retryAfter, verifyDispatchr, type VerifiedDispatch } from '../../src/handler/index.js';

/**
 * An Express app on both sides of Dispatchr: POST /signup enqueues a "welcome" task instead of
 * sending the email during the request; Dispatchr delivers the task, signed, to
 * POST /tasks/welcome, which verifies it and does the work.
 *
 *   npm run dispatchr -- schedule --with-recorder --config examples/express-app/dispatchr.yml
 *   node --import tsx examples/express-app/app.ts
 *   curl -X POST localhost:3000/signup -H 'content-type: application/json' -d '{"email": "a@example.com"}'
 */
export interface ExampleOptions {
  /** The recorder's URL. */
  dispatchrUrl: string;
  /** The `emails` queue's signingSecret. */
  signingSecret: string;
  /** The slow work, done when the task arrives. */
  sendWelcome(email: string, task: VerifiedDispatch): Promise<void>;
}

export function createApp({ dispatchrUrl, signingSecret, sendWelcome }: ExampleOptions): express.Express {
  const dispatchr = new DispatchrClient({ url: dispatchrUrl });
  const app = express();

  // Sending side: one task per signup (the key makes a double submit one email).
  app.post('/signup', express.json(), async (req, res) => {
    const { email } = req.body as { email: string };
    const task = await dispatchr.enqueue('emails', { path: '/welcome', body: { email }, key: `welcome:${email}` });
    res.status(202).json({ taskId: task.id });
  });

  // Receiving side: no body parser before verifyDispatchr; it reads the raw body and sets req.body.
  app.post('/tasks/welcome', verifyDispatchr({ secret: signingSecret }), async (req, res) => {
    const { email } = req.body as { email: string };
    if (!email.includes('@')) return doNotRetry(res, 'not an email address'); // the task fails now
    try {
      await sendWelcome(email, req.dispatchr!);
    } catch {
      return retryAfter(res, 60); // the mail service is down: try again in a minute
    }
    res.sendStatus(204); // done: the task completes
  });

  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const app = createApp({
    dispatchrUrl: process.env.DISPATCHR_URL ?? 'http://127.0.0.1:8787',
    signingSecret: process.env.DISPATCHR_SIGNING_SECRET ?? 'whsec_ZXhhbXBsZS1zZWNyZXQtY2hhbmdlLW1l', // base64 of "example-secret-change-me"
    sendWelcome: async (email, task) =>
      console.log(`welcome email to ${email} (task ${task.taskId}, attempt ${task.attempt})`),
  });
  app.listen(3000, '127.0.0.1', () => console.log('example app on http://127.0.0.1:3000'));
}
