import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../../src/conformance/main.js';
import { createTestSchema, postgresAvailable } from '../../support/postgres.js';
import { runKit, startDispatchr, tapLines, type Implementation } from './kit-harness.js';

/**
 * Dispatchr passes its own conformance kit on PostgreSQL: the recorder and one scheduler as child
 * processes on a fresh schema, configured with the printed fragment, guarantees included.
 */
describe.runIf(postgresAvailable())('the conformance kit against Dispatchr on PostgreSQL', () => {
  let impl: Implementation;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const schema = await createTestSchema('kit');
    drop = schema.drop;
    impl = await startDispatchr(schema.url);
  }, 240_000);
  afterAll(async () => {
    await impl?.close();
    await drop?.();
  });

  it('passes every case of every group, guarantees included, and exits 0', async () => {
    const result = await runKit(impl.kitArgs(), 300_000);
    const tap = tapLines(result.stdout);
    const failures = result.stdout
      .split('\nnot ok')
      .slice(1)
      .map((block) => `not ok${block.split('\n  ...')[0]}`);
    expect(failures, impl.logs().slice(-4000)).toEqual([]);
    expect(tap.skipped).toEqual([]);
    expect(tap.plan).toBe(ALL_CASES().length);
    expect(tap.ok).toHaveLength(ALL_CASES().length);
    expect(result.stderr).toMatch(
      new RegExp(`conformance: ${ALL_CASES().length} passed, 0 failed \\(0 MUST\\), 0 skipped in `),
    );
    expect(result.code).toBe(0);
  }, 360_000);
});
