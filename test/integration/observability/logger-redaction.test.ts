import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';

/**
 * The logger itself: whatever shape a secret arrives in (a header in any spelling, a token one
 * level deeper than a redact path foresaw, a database URL inside an error), it leaves censored.
 * The end-to-end run is log-redaction.test.ts; this pins the cases no current log line exercises.
 */
function capture(level = 'debug') {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ level, destination: stream, pretty: false });
  return { logger, text: () => text };
}

describe('log redaction', () => {
  it('censors credentials under any key spelling and at any depth', () => {
    const { logger, text } = capture();
    const headers = {
      Authorization: 'Bearer AAA-secret',
      'X-Api-Key': 'BBB-secret',
      cookie: 'CCC-secret',
      'x-tenant': 'acme',
    };
    logger.debug(
      {
        task: { headers },
        queue: { signingSecret: 'DDD-secret' },
        user: { accessToken: 'EEE-secret', db_password: 'FFF-secret' },
      },
      'dispatching',
    );
    const line = JSON.parse(text());
    expect(line.task.headers).toEqual({
      Authorization: '[redacted]',
      'X-Api-Key': '[redacted]',
      cookie: '[redacted]',
      'x-tenant': 'acme',
    });
    expect(line.queue.signingSecret).toBe('[redacted]');
    expect(line.user).toEqual({ accessToken: '[redacted]', db_password: '[redacted]' });
    expect(headers.Authorization).toBe('Bearer AAA-secret'); // the caller's object is untouched
  });

  it('censors the password of URLs in values, messages and errors', () => {
    const { logger, text } = capture();
    const error = Object.assign(new Error('connect to postgres://app:GGG-secret@db:5432/x failed'), {
      code: 'ECONNREFUSED',
    });
    logger.warn({ err: error, url: 'postgres://app:HHH-secret@db/x' }, 'retrying postgres://app:III-secret@db/x');
    logger.error(new Error('lost postgres://app:JJJ-secret@db/x'));
    const output = text();
    for (const secret of ['GGG', 'HHH', 'III', 'JJJ']) expect(output).not.toContain(`${secret}-secret`);
    const [first, second] = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(first.url).toBe('postgres://app:[redacted]@db/x');
    expect(first.msg).toBe('retrying postgres://app:[redacted]@db/x');
    expect(first.err).toMatchObject({
      type: 'Error',
      message: 'connect to postgres://app:[redacted]@db:5432/x failed',
      code: 'ECONNREFUSED',
    });
    expect(first.err.stack).toContain('[redacted]');
    expect(second.msg).toBe('lost postgres://app:[redacted]@db/x');
  });

  it('leaves ordinary fields alone', () => {
    const { logger, text } = capture('info');
    logger.info({ taskId: 't-1', queue: 'emails', status: 200, url: 'https://example.com/a@b' }, 'task completed');
    expect(JSON.parse(text())).toMatchObject({
      taskId: 't-1',
      queue: 'emails',
      status: 200,
      url: 'https://example.com/a@b',
      msg: 'task completed',
    });
  });

  it('censors by the one rule the API and search use: a whole object under a sensitive name, and any name containing "key"', () => {
    const { logger, text } = capture('info');
    logger.info({ auth: { user: 'u' }, key: 'welcome:42', session: 's', signature: 'sig' }, 'checked');
    expect(JSON.parse(text())).toMatchObject({
      auth: '[redacted]',
      key: '[redacted]',
      session: '[redacted]',
      signature: '[redacted]',
    });
  });
});
