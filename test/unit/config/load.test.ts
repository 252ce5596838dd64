import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { redactConfig } from '../../../src/config/redact.js';
import { parseDuration } from '../../../src/duration.js';

const queue = { target: 'https://example.com/tasks' };
const SECRET_32 = `whsec_${Buffer.from('a-config-test-secret-of-32-bytes').toString('base64')}`;

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, undefined, env);
  } catch (error) {
    return (error as { details: { path: string; message: string }[] }).details.map((d) => `${d.path}: ${d.message}`);
  }
  return [];
}

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    [250, 250],
    ['1.5s', 1_500],
  ])('config reads %j as %d ms', (value, ms) => expect(parseDuration(value, 'ms')).toBe(ms));

  it('reads a bare number as seconds where the surface says so (the API)', () =>
    expect(parseDuration(90, 's')).toBe(90_000));
  it.each(['ten seconds', '5 weeks', '-1s', '', null, {}])('refuses %j', (value) =>
    expect(parseDuration(value)).toBeUndefined(),
  );
});

describe('config validation', () => {
  it('fills every default', () => {
    const config = parseConfig({ queues: { emails: queue } });
    expect(config.database.url).toBe('sqlite:./dispatchr.db');
    expect(config.recorder).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      basePath: '/',
      tokens: [],
      maxBodySize: 1024 * 1024,
    });
    expect(config.scheduler).toMatchObject({ leaseDuration: 120_000, pollInterval: 1_000, shutdownTimeout: 25_000 });
    expect(config.queues.emails).toMatchObject({
      timeout: 30_000,
      maxConcurrent: 100,
      retry: { strategy: 'exponential', maxAttempts: 25 },
    });
  });

  it('reports every problem at once, each with its key path and the limit', () => {
    expect(
      problems({
        scheduler: { leaseDuration: 'soon' },
        queues: { emails: { ...queue, retry: { maxAttempts: 0 }, maxConcurrent: 1.5, tiemout: '1s' } },
      }),
    ).toEqual([
      'scheduler.leaseDuration: expected a duration like "500ms", "30s", "10m", "1h", "2d" or a number of milliseconds, got "soon"',
      'queues.emails.maxConcurrent: expected an integer >= 1, got 1.5',
      'queues.emails.retry.maxAttempts: expected an integer >= 1, got 0',
      'queues.emails.tiemout: unknown key',
    ]);
  });

  it('refuses a queue timeout that is not shorter than the lease', () => {
    expect(problems({ scheduler: { leaseDuration: '1m' }, queues: { emails: { ...queue, timeout: '1m' } } })).toEqual([
      'queues.emails.timeout: expected a timeout at least 2 s shorter than scheduler.leaseDuration (1m), got 1m',
    ]);
  });

  it('refuses loopback and private targets unless allowPrivateNetwork is set, and metadata always', () => {
    for (const target of [
      'http://127.0.0.1:3000/x',
      'http://localhost/x',
      'http://10.1.2.3/x',
      'http://[::1]/x',
      'http://192.168.0.9/',
    ]) {
      expect(problems({ queues: { q: { target } } })).toEqual([
        expect.stringContaining('set queues.q.allowPrivateNetwork: true'),
      ]);
      expect(problems({ queues: { q: { target, allowPrivateNetwork: true } } })).toEqual([]);
    }
    expect(problems({ queues: { q: { target: 'http://169.254.169.254/latest', allowPrivateNetwork: true } } })).toEqual(
      ['queues.q.target: 169.254.169.254 (cloud metadata) is never allowed'],
    );
  });

  it('judges every spelling of an address as the dispatch guard does (IPv6 forms carrying IPv4 included)', () => {
    const metadata = [
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[::a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[fd20:ce::254]/',
      'http://168.63.129.16/',
      'http://0xa9fea9fe/',
    ];
    for (const target of metadata) {
      expect(problems({ queues: { q: { target, allowPrivateNetwork: true } } }), target).toEqual([
        expect.stringContaining('(cloud metadata'),
      ]);
    }
    for (const target of ['http://[::ffff:7f00:1]/', 'http://[fec0::1]/', 'http://0.0.0.0/', 'http://app.localhost/']) {
      expect(problems({ queues: { q: { target } } }), target).toEqual([
        expect.stringContaining('set queues.q.allowPrivateNetwork: true'),
      ]);
      expect(problems({ queues: { q: { target, allowPrivateNetwork: true } } }), target).toEqual([]);
    }
  });

  it('refuses signing secrets that are not whsec_ + canonical base64 of 24-64 bytes, without printing them', () => {
    const of = (bytes: number) => `whsec_${Buffer.alloc(bytes, 0xa5).toString('base64')}`;
    expect(problems({ queues: { q: { ...queue, signingSecret: of(24) } } })).toEqual([]);
    expect(problems({ queues: { q: { ...queue, signingSecrets: [of(64), of(32)] } } })).toEqual([]);
    // One list of secrets, 1 to 8 of them (spec 5.3).
    expect(problems({ queues: { q: { ...queue, signingSecret: of(32), signingSecrets: [of(32)] } } })).toEqual([
      expect.stringMatching(/^queues\.q\.signingSecrets: expected signingSecret or signingSecrets, not both/),
    ]);
    expect(problems({ queues: { q: { ...queue, signingSecrets: [] } } })).toEqual([
      expect.stringMatching(/^queues\.q\.signingSecrets: expected 1 to 8 secrets/),
    ]);
    expect(problems({ queues: { q: { ...queue, signingSecrets: Array.from({ length: 9 }, () => of(32)) } } })).toEqual([
      expect.stringMatching(/^queues\.q\.signingSecrets: expected at most 8 secrets/),
    ]);
    const refused: [string, string][] = [
      ['', 'it is empty'],
      ['whsec_', 'it decodes to 0 bytes'],
      [of(23), 'it decodes to 23 bytes'],
      [of(65), 'it decodes to 65 bytes'],
      ['plain-text-secret-that-is-long-enough', 'it has no whsec_ prefix'],
      [Buffer.alloc(32, 1).toString('base64'), 'it has no whsec_ prefix'],
      ['whsec_not base64 at all, no no no no no', 'is not padded standard base64'],
      [`whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`, 'is not padded standard base64'],
      [`whsec_${Buffer.alloc(32, 2).toString('base64').replace(/=+$/, '')}`, 'is not padded standard base64'],
      [`whsec_${Buffer.alloc(25, 3).toString('base64').slice(0, -2)}R=`, 'has non-zero padding bits'],
    ];
    for (const [secret, why] of refused) {
      const [found, ...more] = problems({ queues: { q: { ...queue, signingSecret: secret } } });
      expect(more, secret).toEqual([]);
      expect(found, secret).toMatch(
        /^queues\.q\.signingSecret: expected whsec_ followed by the base64 of 24 to 64 random bytes/,
      );
      expect(found, secret).toContain(why);
      if (secret.length > 6) expect(found, secret).not.toContain(secret.slice(6, 30));
    }
    expect(problems({ queues: { q: { ...queue, signingSecrets: [of(32), 'whsec_'] } } })).toEqual([
      expect.stringMatching(/^queues\.q\.signingSecrets\.1: expected whsec_/),
    ]);
  });

  it('takes ${VAR} and ${VAR:-default} from the environment, typed when a value is one reference', () => {
    const config = parseConfig(
      {
        recorder: { port: '${PORT}' },
        queues: { q: { target: 'https://${HOST:-example.com}/t', signingSecret: '${SECRET}' } },
      },
      undefined,
      { PORT: '9000', SECRET: SECRET_32 },
    );
    expect(config.recorder.port).toBe(9000);
    expect(config.queues.q.target).toBe('https://example.com/t');
    expect(config.queues.q.signingSecret).toBe(SECRET_32);
    expect(problems({ queues: { q: { ...queue, signingSecret: '${MISSING}' } } })).toEqual([
      'queues.q.signingSecret: environment variable MISSING is not set (write ${MISSING:-default} for a default)',
    ]);
  });

  it('chooses --config, else DISPATCHR_CONFIG, else ./dispatchr.yml', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-config-'));
    writeFileSync(path.join(dir, 'dispatchr.yml'), 'recorder: { port: 1001 }\n');
    writeFileSync(path.join(dir, 'env.yml'), 'recorder: { port: 1002 }\n');
    writeFileSync(path.join(dir, 'flag.yml'), 'recorder: { port: 1003 }\n');
    expect(loadConfig({ cwd: dir, env: {} }).recorder.port).toBe(1001);
    expect(loadConfig({ cwd: dir, env: { DISPATCHR_CONFIG: 'env.yml' } }).recorder.port).toBe(1002);
    expect(loadConfig({ cwd: dir, env: { DISPATCHR_CONFIG: 'env.yml' }, file: 'flag.yml' }).recorder.port).toBe(1003);
    expect(() => loadConfig({ cwd: dir, env: {}, file: 'nope.yml' })).toThrow(/does not exist/);
  });

  it('redacts tokens, signing secrets and the database password for printing', () => {
    const SIGNING = {
      current: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
      next: `whsec_${Buffer.alloc(24, 2).toString('base64')}`,
      old: `whsec_${Buffer.alloc(24, 3).toString('base64')}`,
    };
    const config = parseConfig({
      database: { url: 'postgres://app:hunter2@db.internal:5432/prod' },
      recorder: { tokens: ['a-very-secret-token-1', { token: `sha256:${'ab'.repeat(32)}`, readOnly: true }] },
      queues: {
        q: { ...queue, signingSecret: SIGNING.current },
        r: { ...queue, signingSecrets: [SIGNING.next, SIGNING.old] },
      },
    });
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of ['hunter2', 'a-very-secret-token-1', ...Object.values(SIGNING)])
      expect(printed).not.toContain(secret);
    expect(printed).toContain(`sha256:${'ab'.repeat(32)}`); // a hash reveals nothing
    expect(printed).toContain('postgres://app:[redacted]@db.internal:5432/prod');
  });
});

describe('a bare number in configuration is milliseconds, and 1 to 999 is refused as a probable unit slip', () => {
  const queue = { target: 'https://app.example.com/tasks' };
  it('refuses timeout: 30 and offers both spellings; takes 0, 1000 and every duration with a unit', () => {
    expect(problems({ queues: { emails: { ...queue, timeout: 30 } } })).toEqual([
      'queues.emails.timeout: expected a duration with its unit (a bare number is milliseconds in configuration, so 30 would be 30 ms): write "30s" for seconds, or "30ms" if you meant milliseconds, got 30',
    ]);
    expect(problems({ queues: { emails: { ...queue, timeout: '30ms', retry: { maxRetryDuration: 0 } } } })).toEqual([]);
    expect(problems({ scheduler: { pollInterval: 1000 }, queues: { emails: { ...queue, timeout: 5000 } } })).toEqual(
      [],
    );
  });
});
