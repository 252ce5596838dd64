import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKENS } from '../../../src/conformance/config.js';
import { runCli } from '../../support/cli.js';
import { freePort, runKit, startDispatchr } from './kit-harness.js';

/**
 * The kit's command line outside a full run: what it prints for the implementation's
 * configuration (and that Dispatchr's own validation accepts it), and the one-line exit 2 for a
 * usage error, for a recorder that does not answer, and for a setup that misses what the kit needs.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-kit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (text: string) => text.split('\n').filter(Boolean);

describe('dispatchr-conformance', () => {
  it('--print-config prints YAML that `dispatchr config validate` accepts as it is', async () => {
    const printed = await runKit(['--print-config', '--port', '4711', '--private-host', 'kit-private.example']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('target: http://127.0.0.1:4711/kit\n');
    expect(printed.stdout).toContain('target: http://kit-private.example:4711/p\n');
    const file = path.join(dir, 'printed.yml');
    writeFileSync(file, printed.stdout);
    const validated = await runCli(['config', 'validate', '--config', file], { timeoutMs: 60_000 });
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    for (const queue of ['kit', 'kit-mapped', 'kit-other', 'kit-private'])
      expect(validated.stdout).toContain(`  ${queue}:\n`);
  }, 120_000);

  it('exits 2 with one line when nothing listens at --url', async () => {
    const port = await freePort();
    const result = await runKit(['--url', `http://127.0.0.1:${port}`]);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(`cannot reach the recorder at http://127.0.0.1:${port}`),
    ]);
    expect(result.code).toBe(2);
  }, 60_000);

  it('exits 2 with one line naming the flag on a usage error', async () => {
    const cases: [string[], string][] = [
      [[], '--url is required'],
      [['--url', 'ftp://x'], '--url: expected an http(s) URL'],
      [
        ['--url', 'http://127.0.0.1:1', '--group', 'nope'],
        '--group: expected recorder, dispatch, guarantees, got "nope"',
      ],
      [['--url', 'http://127.0.0.1:1', '--reporter', 'xml'], '--reporter: expected tap or junit'],
      [['--url', 'http://127.0.0.1:1', '--port', '0'], '--port: expected an integer from 1 to 65535'],
      [['--url', 'http://127.0.0.1:1', '--grep', '('], '--grep: not a regular expression'],
      [['--url', 'http://127.0.0.1:1', '--what'], "Unknown option '--what'"],
    ];
    const results = await Promise.all(cases.map(([args]) => runKit(args)));
    results.forEach((result, i) => {
      expect(oneLine(result.stderr), cases[i][1]).toEqual([expect.stringContaining(cases[i][1])]);
      expect(result.code).toBe(2);
    });
  }, 120_000);

  it('exits 2 naming what the implementation misses: a queue, or a token it refuses', async () => {
    const impl = await startDispatchr('sqlite:./kit.db', {
      scheduler: false,
      edit: (config) => delete config.queues['kit-private'],
    });
    try {
      const missing = await runKit(['--url', impl.url, '--port', String(impl.targetPort)]);
      expect(oneLine(missing.stderr)).toEqual([
        'dispatchr-conformance: queue kit-private is not configured: run with --print-config and add it',
      ]);
      expect(missing.code).toBe(2);

      const wrong = 'not-the-kit-admin-token-0123456789';
      const refused = await runKit(['--url', impl.url, '--port', String(impl.targetPort), '--token', wrong]);
      expect(oneLine(refused.stderr)).toEqual([
        'dispatchr-conformance: the admin token (--token) was refused (401): configure it as --print-config prints',
      ]);
      expect(refused.stderr).not.toContain(wrong);
      expect(refused.code).toBe(2);

      const swapped = await runKit([
        '--url',
        impl.url,
        '--port',
        String(impl.targetPort),
        '--read-token',
        DEFAULT_TOKENS.enqueue,
      ]);
      expect(oneLine(swapped.stderr)).toEqual([
        'dispatchr-conformance: the read token (--read-token) has role "enqueue", expected read',
      ]);
      expect(swapped.code).toBe(2);
    } finally {
      await impl.close();
    }
  }, 240_000);
});
