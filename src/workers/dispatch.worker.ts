import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  ABORT_BATCH,
  type AbortMessage,
  type CancelAttempt,
  type DispatchBatch,
  type DispatchWorkerData,
} from './protocol.js';
import { packResults, unpackRequests, type PackedResults } from './protocol-pack.js';
import { createDispatchAgents, startBatch } from './send-request.js';

/**
 * The piscina entry. One module instance per worker thread, so the two guarded Agents (and their
 * keep-alive connections) are per thread and live as long as the thread. Architecture rule: this
 * file and what it imports stay free of the ORM, Koa and the config loader.
 *
 * A batch (as columns, see protocol.ts) is sent concurrently, so one thread-hop carries many
 * requests; results come back in request order, as columns. Every request settles as data, so the
 * batch never rejects.
 */
const options = (workerData ?? {}) as DispatchWorkerData;
const agents = createDispatchAgents({ connectionsPerOrigin: options.connectionsPerOrigin });

export default async function dispatchBatch({ requests, abortPort }: DispatchBatch): Promise<PackedResults> {
  const controller = new AbortController();
  // Messages posted while the batch waited in piscina's queue are already here: take them
  // synchronously so no request of an aborted batch is ever sent.
  const early: CancelAttempt[] = [];
  if (abortPort) {
    for (let m = receiveMessageOnPort(abortPort); m !== undefined; m = receiveMessageOnPort(abortPort)) {
      const message = m.message as AbortMessage;
      if (message === ABORT_BATCH) controller.abort();
      else early.push(message);
    }
  }
  const batch = startBatch(unpackRequests(requests), agents, controller.signal);
  for (const { cancel } of early) batch.cancel(cancel.taskId, cancel.attempt);
  abortPort?.on('message', (message: AbortMessage) => {
    if (message === ABORT_BATCH) controller.abort();
    else batch.cancel(message.cancel.taskId, message.cancel.attempt);
  });
  try {
    return packResults(await batch.done);
  } finally {
    abortPort?.close();
  }
}
