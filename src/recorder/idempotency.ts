import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { IdempotencyRepository, StoredResponse } from '../db/idempotency.repository.js';
import type { CreateResult, TaskRepository } from '../db/task.repository.js';
import { DispatchrError } from '../errors.js';
import type { NewTask } from '../task.js';
import { validationError } from './errors.js';

/**
 * `Idempotency-Key`: the first response to a create is stored in the same transaction as its tasks,
 * so the record and the tasks commit together or not at all, and two concurrent requests with one
 * key make one set of tasks: the second one's insert of the record conflicts, its transaction rolls
 * back, and it answers the stored response. Keys are scoped per token and queue; the same key with
 * a different request (route or body bytes) is refused rather than answered with someone else's task.
 *
 * What is stored is the first answer in the basic view (docs/spec.md 4.4): its status and its
 * tasks as they were then, without headers and bodies. A record stays small whatever the tasks
 * carry (the client SDK sends a key with every create), and a replay needs no task still to exist.
 */
export interface IdempotencyRequest {
  scope: string;
  key: string;
  requestHash: string;
}

export interface CreateResponse {
  status: number;
  body: string;
  replayed: boolean;
  /** A first answer's Dispatchr-Deduplicated (a replay's is in its stored body). */
  deduplicated?: string | false;
}

/** The first answer to a create, and what a replay of it answers (the basic view). */
export interface FirstAnswer {
  status: number;
  body: string;
  replayBody(): string;
  deduplicated?: string | false;
}

const KEY = /^[\u0021-\u007e]{1,255}$/;

export function readIdempotencyKey(ctx: Context, scope: string, route: string, raw: Buffer): IdempotencyRequest | null {
  const key = ctx.get('Idempotency-Key');
  if (key === '') return null;
  if (!KEY.test(key)) {
    throw validationError([{ path: 'Idempotency-Key', message: 'expected 1 to 255 visible ASCII characters' }]);
  }
  const requestHash = createHash('sha256').update(`${route}\n`).update(raw).digest('hex');
  return { scope, key, requestHash };
}

/** Thrown inside the create transaction to roll it back when another request stored the key first. */
class KeyTaken extends Error {}

export async function createIdempotently(
  repositories: { tasks: TaskRepository; idempotency: IdempotencyRepository },
  request: IdempotencyRequest,
  tasks: readonly NewTask[],
  respond: (results: CreateResult[]) => FirstAnswer,
): Promise<CreateResponse> {
  const stored = await repositories.idempotency.find(request.scope, request.key);
  if (stored) return replay(stored, request);
  let answer: FirstAnswer | undefined;
  try {
    await repositories.tasks.insertTasks(tasks, {
      onInserted: async (tx, results) => {
        answer = respond(results);
        const record = { requestHash: request.requestHash, status: answer.status, body: answer.replayBody() };
        const saved = await repositories.idempotency.save(request.scope, request.key, record, tx);
        if (!saved) throw new KeyTaken();
      },
    });
  } catch (error) {
    if (!(error instanceof KeyTaken)) throw error;
    const winner = await repositories.idempotency.find(request.scope, request.key);
    // Another request took the key while this one ran, and its record cannot be answered (its
    // window passed meanwhile). Nothing was written here; a retry replaces that record.
    if (!winner) {
      throw new DispatchrError(
        'idempotency_key_in_use',
        'another request with this Idempotency-Key was in progress; retry',
        { status: 409 },
      );
    }
    return replay(winner, request);
  }
  return { status: answer!.status, body: answer!.body, replayed: false, deduplicated: answer!.deduplicated };
}

function replay(stored: StoredResponse, request: IdempotencyRequest): CreateResponse {
  if (stored.requestHash !== request.requestHash) {
    throw new DispatchrError(
      'idempotency_key_reused',
      'this Idempotency-Key was used within the last 24 hours for a different request; use a new key',
      { status: 422, details: [{ path: 'Idempotency-Key', message: 'already used for a different request' }] },
    );
  }
  return { status: stored.status, body: stored.body, replayed: true };
}
