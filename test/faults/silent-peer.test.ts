import { describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { runSilentPeer } from '../support/fault/scenarios/silent-peer.js';

// When the database's connections die without a reset (a crashed host, a failover to a new
// address), queries never answer and sockets never close: the PostgreSQL driver throws away a connection
// whose query outlives its deadline, and new connections must take over.
describe.runIf(postgresAvailable())('fault (full): the database vanishes without a reset', () => {
  it('dispatching resumes through new connections within 30 s', { timeout: 120_000 }, async () => {
    const result = await runSilentPeer(30_000);
    expect(result.recoveryMs).not.toBeNull();
    expect(result.recoveryMs!).toBeLessThan(30_000);
  });
});
