import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createExampleApp, type ExampleApp } from './app.js';

/** The example Koa app, started on 127.0.0.1:0 over a temporary SQLite file, creating a task through its mount. */
describe('Koa app with the recorder mounted under /dispatchr', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-koa-mount-'));
  let example: ExampleApp;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const config = parseConfig(
      {
        database: { url: 'sqlite:./example.db' },
        queues: { emails: { target: 'http://127.0.0.1:3000/tasks', allowPrivateNetwork: true } },
      },
      { file: null, dir },
    );
    example = await createExampleApp(config);
    server = createServer(example.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await example.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a task through /dispatchr/v1/queues/emails/tasks and reads it back', async () => {
    const created = await request(`${origin}/dispatchr/v1/queues/emails/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/email', body: { to: 'a@example.com' } }),
    });
    expect(created.statusCode).toBe(201);
    const task = (await created.body.json()) as { id: string; state: string; path: string };
    expect(task).toMatchObject({ state: 'available', path: '/email' });
    expect(created.headers.location).toBe(`/dispatchr/v1/tasks/${task.id}`);

    const read = await request(`${origin}${String(created.headers.location)}`);
    expect(((await read.body.json()) as { id: string }).id).toBe(task.id);
  });

  it("leaves the host app's own routes alone", async () => {
    const home = await request(`${origin}/`);
    expect(home.statusCode).toBe(200);
    expect(await home.body.json()).toMatchObject({ app: 'example' });
    const health = await request(`${origin}/dispatchr/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });
});
