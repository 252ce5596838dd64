import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestSchema, postgresAvailable } from '../../support/postgres.js';
import { expectEveryCasePasses, startDispatchr, type Implementation } from './kit-harness.js';

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
    await expectEveryCasePasses(impl);
  }, 360_000);
});
