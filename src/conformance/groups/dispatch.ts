import type { ConformanceCase } from '../kit.js';
import { dispatchControlCases } from './dispatch-control.js';
import { dispatchLeaseCases } from './dispatch-lease.js';
import { dispatchOutcomeCases } from './dispatch-outcomes.js';
import { dispatchRequestCases } from './dispatch-request.js';
import { dispatchRetryCases } from './dispatch-retries.js';

/**
 * The dispatch group's cases (docs/spec.md 4.9, 4.10, 5, 6, 7, 11.6); each file holds one topic.
 * The lease case comes first of the serial ones: it needs the queue at full speed, which the
 * 429s, 503s and timeouts of the later serial cases take away for a few seconds (spec 6).
 */
export const dispatchCases: ConformanceCase[] = [
  ...dispatchLeaseCases,
  ...dispatchRequestCases,
  ...dispatchOutcomeCases,
  ...dispatchRetryCases,
  ...dispatchControlCases,
];
