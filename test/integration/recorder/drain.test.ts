import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/**
 * Draining (what SIGTERM runs): close() stops accepting connections, but a create already in flight
 * is finished, committed and answered. The request is held open by sending its body in two parts,
 * so "in flight" is a fact of the test, not a race.
 */
describe.each(drivers())('draining the server on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver);
  });
  afterAll(async () => recorder.close());

  function open(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  it('finishes a request in flight, refuses new connections, then closes', async () => {
    const { port } = recorder.server;
    const before = await recorder.count();
    const body = JSON.stringify({ path: '/in-flight', body: { n: 1 } });
    const socket = await open(port);
    let answer = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('close', () => resolve());
    });
    socket.write(
      `POST /v1/queues/emails/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 10));
    // Wait until the server has seen the request begin (a full request/response on another connection proves the loop turned).
    expect((await recorder.call('GET', '/healthz')).status).toBe(200);

    const closing = recorder.server.close();
    await expect(open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    socket.write(body.slice(10));
    await answered;
    await closing;

    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(await recorder.count()).toBe(before + 1);
  });
});
