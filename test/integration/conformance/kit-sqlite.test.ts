import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KitFailure } from '../../../src/conformance/assert.js';
import type { ConformanceCase } from '../../../src/conformance/kit.js';
import { ALL_CASES, main } from '../../../src/conformance/main.js';
import { expectEveryCasePasses, runKit, startDispatchr, tapLines, type Implementation } from './kit-harness.js';

/**
 * Dispatchr passes its own conformance kit on SQLite (recorder and scheduler in two processes, as
 * the kit meets any implementation), guarantees included; and the kit's verdict follows the
 * levels: a failed MUST is exit 1, a failed SHOULD is reported and exit 0.
 */
let impl: Implementation;
const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-kit-report-'));

beforeAll(async () => {
  impl = await startDispatchr('sqlite:./kit.db');
}, 240_000);
afterAll(async () => {
  await impl?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the conformance kit against Dispatchr on SQLite', () => {
  it('passes every case of every group, guarantees included, and exits 0', async () => {
    await expectEveryCasePasses(impl);
  }, 360_000);

  it('writes a JUnit report to --out, one testcase per selected case', async () => {
    const out = path.join(dir, 'report.xml');
    const selected = ALL_CASES().filter((c) => /^4\.2 /.test(c.name));
    const result = await runKit([...impl.kitArgs(), '--grep', '^4\\.2 ', '--reporter', 'junit', '--out', out], 120_000);
    expect(result.stderr).toContain(`conformance: ${selected.length} passed, 0 failed (0 MUST), 0 skipped`);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="dispatchr-conformance"/);
    expect(xml.match(/<testcase /g)).toHaveLength(selected.length);
    expect(xml).not.toContain('<failure');
  }, 180_000);

  it('exits 1 for a failed MUST and 0 for a failed SHOULD, and reports both', async () => {
    const failing = (level: 'MUST' | 'SHOULD'): ConformanceCase => ({
      name: `0 a ${level} that the implementation breaks`,
      section: '0',
      level,
      group: 'recorder',
      async run(kit) {
        const res = await kit.api.request('GET', `/v1/queues/${kit.names.queue}/tasks`);
        throw new KitFailure(`got ${res.status}, as planned`);
      },
    });
    const passing: ConformanceCase = { ...failing('MUST'), name: '0 passes', run: async () => undefined };
    const skipped: ConformanceCase = { ...passing, name: '8 needs the commands', group: 'guarantees' };
    const run = async (cases: ConformanceCase[]) => {
      let stdout = '';
      let stderr = '';
      const argv = ['--url', impl.url, '--port', String(impl.targetPort)];
      const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, cases);
      return { code, stdout, stderr };
    };

    const should = await run([passing, failing('SHOULD'), skipped]);
    expect(should.stdout).toContain('ok 1 - 0 passes [MUST]\n');
    expect(should.stdout).toContain('not ok 2 - 0 a SHOULD that the implementation breaks [SHOULD] # TODO');
    expect(should.stdout).toContain('message: "got 200, as planned"');
    expect(should.stdout).toMatch(/^ok 3 - 8 needs the commands \[MUST\] # SKIP needs --start and --kill/m);
    expect(should.stderr).toMatch(/conformance: 1 passed, 1 failed \(0 MUST\), 1 skipped in \d+\.\ds\n$/);
    expect(should.code).toBe(0);

    const must = await run([passing, failing('MUST')]);
    expect(must.stdout).toMatch(/^not ok 2 - 0 a MUST that the implementation breaks \[MUST\]$/m);
    expect(must.stderr).toContain('conformance: 1 passed, 1 failed (1 MUST), 0 skipped');
    expect(must.code).toBe(1);
  }, 60_000);
});
