import { probePostgres } from './postgres.js';

/**
 * Decides once per run whether the PostgreSQL half of the suite runs. Unreachable PostgreSQL is a
 * printed skip outside CI and a failure under CI=true, where those tests must run.
 */
export default async function setup(): Promise<void> {
  const probe = await probePostgres();
  if (probe.ok) {
    process.env.DISPATCHR_TEST_PG_AVAILABLE = '1';
    console.log(`[dispatchr tests] PostgreSQL tests run against ${probe.display}`);
    return;
  }
  process.env.DISPATCHR_TEST_PG_AVAILABLE = '0';
  const message = `PostgreSQL at ${probe.display} is unreachable (${probe.reason})`;
  if (process.env.CI === 'true') throw new Error(`${message}: under CI=true the PostgreSQL tests must run`);
  console.log(`[dispatchr tests] SKIPPING PostgreSQL tests: ${message}. Set DISPATCHR_TEST_DATABASE_URL to run them.`);
}
