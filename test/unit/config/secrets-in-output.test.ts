import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { redactConfig, redactUrl } from '../../../src/config/redact.js';

/**
 * What the config code prints (`config validate`, validation errors, YAML errors) carries no
 * credential: URLs lose theirs, a rejected value is not echoed where it may be a secret, and a
 * digits-only secret from the environment is never turned into a number first.
 */
function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, undefined, env);
  } catch (error) {
    return (error as { details: { path: string; message: string }[] }).details.map((d) => `${d.path}: ${d.message}`);
  }
  return [];
}

describe('URLs printed by config validate', () => {
  it('a target loses its user-info and sensitive query values; other parameters keep their spelling', () => {
    expect(redactUrl('https://user:pw@example.com/t?a=b%20c&api_key=k1&x', { keepUser: false })).toBe(
      'https://[redacted]:[redacted]@example.com/t?a=b%20c&api_key=[redacted]&x',
    );
    expect(redactUrl('https://TOKEN123@example.com/t', { keepUser: false })).toBe('https://[redacted]@example.com/t');
    expect(redactUrl('https://example.com/t?page=2', { keepUser: false })).toBe('https://example.com/t?page=2');
  });

  it('the database URL keeps its user (a role) and loses its password, in the user-info and in ?password=', () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/prod?sslmode=require&password=pw2', { keepUser: true })).toBe(
      'postgres://app:[redacted]@db:5432/prod?sslmode=require&password=[redacted]',
    );
    expect(redactUrl('sqlite:./dispatchr.db', { keepUser: true })).toBe('sqlite:./dispatchr.db');
  });

  it('redactConfig applies both to a whole config', () => {
    const config = parseConfig({
      database: { url: 'postgres://app:hunter2@db.internal:5432/prod?password=pw2' },
      queues: { q: { target: 'https://basic-user:basic-pass@example.com/tasks?token=tk-123&page=1' } },
    });
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of ['hunter2', 'pw2', 'basic-user', 'basic-pass', 'tk-123'])
      expect(printed).not.toContain(secret);
    expect(printed).toContain('https://[redacted]:[redacted]@example.com/tasks?token=[redacted]&page=1');
  });
});

describe('${VAR} under a credential key', () => {
  it('stays the string the environment holds, digits-only or not; elsewhere one reference is still typed', () => {
    const digits = '12345678901234567890123'; // beyond 2^53: as a number it would not even survive
    const config = parseConfig(
      { recorder: { port: '${PORT}', tokens: ['${TOKEN}', { token: '${TOKEN2}' }] } },
      undefined,
      {
        PORT: '9000',
        TOKEN: digits,
        TOKEN2: `${digits}9`,
      },
    );
    expect(config.recorder.port).toBe(9000);
    expect(config.recorder.tokens).toEqual([digits, expect.objectContaining({ token: `${digits}9` })]);
  });
});

describe('validation errors', () => {
  it('never echo a value taken from the environment, but name its kind and keep the limit', () => {
    const lines = problems(
      { recorder: { port: '${PORT}' }, queues: { q: { target: 'https://example.com', maxConcurrent: '${MAX}' } } },
      { PORT: '70000', MAX: 'lots-of-secret' },
    );
    expect(lines).toEqual([
      'recorder.port: expected an integer <= 65535, got a number (not shown)',
      'queues.q.maxConcurrent: expected an integer from 1 to 10000, got a string (not shown)',
    ]);
  });

  it('never echo a value under a credential key, even one written in the file', () => {
    const lines = problems({ recorder: { tokens: ['short-secret-1'] } });
    expect(lines).toEqual(['recorder.tokens.0: expected a token of at least 16 characters, got a string (not shown)']);
  });

  it('still echo a literal, non-secret value (a person fixing the file needs it), with URL credentials removed', () => {
    expect(problems({ queues: { q: { target: 'https://example.com', maxConcurrent: 0 } } })).toEqual([
      'queues.q.maxConcurrent: expected an integer >= 1, got 0',
    ]);
    const [line] = problems({ queues: { q: { target: 'ftp://user:pw-123@example.com/x' } } });
    expect(line).toMatch(/^queues\.q\.target: expected an http\(s\) URL/);
    expect(line).not.toContain('pw-123');
  });
});

describe('YAML syntax errors', () => {
  it('name the file, line and column, and show the code frame', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-yaml-'));
    const file = path.join(dir, 'dispatchr.yml');
    const bad = '  demo: { target: http://x, retry: [1, 2 }';
    const column = bad.indexOf('}') + 1; // where the unclosed "[" is found out
    writeFileSync(file, `database:\n  url: "sqlite:./x.db"\nqueues:\n${bad}\n`);
    let error: { message: string; details: { path: string; message: string }[] } | undefined;
    try {
      loadConfig({ file });
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.details).toHaveLength(1);
    const [detail] = error!.details;
    expect(detail.path).toBe(`${file}:4:${column}`);
    const [reason, ...frame] = detail.message.split('\n');
    expect(reason).toMatch(/^not valid YAML: Flow sequence .* must be sufficiently indented and end with a \]$/);
    expect(frame).toEqual([`  ${bad}`, `  ${' '.repeat(column - 1)}^`]);
    expect(error!.message).toBe(`${file}:4:${column}: not valid YAML: ${reason.slice('not valid YAML: '.length)}`);
  });
});
