import { describe, expect, it } from 'vitest';
import { classifyResult, type StatusMap } from '../../../src/workers/classify.js';
import type { DispatchErrorKind } from '../../../src/workers/protocol.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/outcomes.json: what an answer (a status, or an error without one) makes of the task,
 * under the default table of spec section 6 or a queue's statusMap, and whether a Retry-After the
 * answer carried is honoured.
 */
interface OutcomeCase {
  name: string;
  status: number | null;
  error: 'timeout' | 'network' | null;
  statusMap: Record<string, 'completed' | 'retry' | 'failed'> | null;
  outcome: 'completed' | 'retry' | 'failed';
  honoursRetryAfter?: boolean;
}

const { cases } = loadVectors<OutcomeCase>('outcomes.json', 30);
/** Any delay will do: the case asks only whether it is passed on. */
const RETRY_AFTER_MS = 7_000;

describe('spec/vectors/outcomes.json', () => {
  it.each(cases)('$name', (c) => {
    expect((c.status === null) !== (c.error === null), 'exactly one of status and error').toBe(true);
    const result = classifyResult(
      { status: c.status, errorKind: c.error as DispatchErrorKind | null, retryAfterMs: RETRY_AFTER_MS },
      (c.statusMap ?? undefined) as StatusMap | undefined,
    );
    expect(result.outcome).toBe(c.outcome);
    const honoured = result.retryAfterMs !== null;
    if (c.outcome === 'retry') expect(honoured).toBe(c.honoursRetryAfter);
    else expect(honoured).toBe(false);
  });
});
