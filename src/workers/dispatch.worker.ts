import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  packResults,
  unpackRequests,
  type DispatchBatch,
  type DispatchWorkerData,
  type PackedResults,
} from './protocol.js';
import { createDispatchAgents, sendBatch } from './send-request.js';

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
  if (abortPort) {
    // An abort posted while the batch waited in piscina's queue is already here: take it
    // synchronously so no request of an aborted batch is ever sent.
    if (receiveMessageOnPort(abortPort) !== undefined) controller.abort();
    else abortPort.once('message', () => controller.abort());
  }
  try {
    return packResults(await sendBatch(unpackRequests(requests), agents, controller.signal));
  } finally {
    abortPort?.close();
  }
}
