/**
 * The recorder group: the HTTP API checked from outside (docs/spec.md sections 3, 4, 5.2, 11).
 * Each file holds one topic; this index only lists them, in the order a report reads best.
 */
import type { ConformanceCase } from '../kit.js';
import { authCases } from './recorder-auth.js';
import { batchCases } from './recorder-batches.js';
import { bodyCases } from './recorder-bodies.js';
import { bulkCases } from './recorder-bulk.js';
import { conventionCases } from './recorder-conventions.js';
import { dedupCases } from './recorder-dedup.js';
import { jsonLimitCases } from './recorder-json-limits.js';
import { listCases } from './recorder-lists.js';
import { queueCases } from './recorder-queues.js';
import { stateCases } from './recorder-states.js';
import { validationCases } from './recorder-validation.js';

export const recorderCases: ConformanceCase[] = [
  ...authCases,
  ...conventionCases,
  ...validationCases,
  ...jsonLimitCases,
  ...bodyCases,
  ...dedupCases,
  ...batchCases,
  ...listCases,
  ...stateCases,
  ...bulkCases,
  ...queueCases,
];
