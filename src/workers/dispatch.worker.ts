import { setMaxListeners } from 'node:events';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { DispatchBatch, DispatchResult, DispatchWorkerData } from './protocol.js';
import { createDispatchAgents, sendRequest } from './send-request.js';

/**
 * The piscina entry. One module instance per worker thread, so the two guarded Agents (and their
 * keep-alive connections) are per thread and live as long as the thread. Architecture rule: this
 * file and what it imports stay free of the ORM, Koa and the config loader.
 *
 * A batch is sent concurrently (Promise.all), so one thread-hop carries many requests; results
 * come back in request order. Every request settles as data, so the batch never rejects.
 */
const options = (workerData ?? {}) as DispatchWorkerData;
const agents = createDispatchAgents({ connectionsPerOrigin: options.connectionsPerOrigin });

export default async function dispatchBatch({ requests, abortPort }: DispatchBatch): Promise<DispatchResult[]> {
  const controller = new AbortController();
  // One abort listener per in-flight request on this signal: lift the leak warning's limit.
  setMaxListeners(0, controller.signal);
  if (abortPort) {
    // An abort posted while the batch waited in piscina's queue is already here: take it
    // synchronously so no request of an aborted batch is ever sent.
    if (receiveMessageOnPort(abortPort) !== undefined) controller.abort();
    else abortPort.once('message', () => controller.abort());
  }
  try {
    return await Promise.all(requests.map((request) => sendRequest(request, agents, controller.signal)));
  } finally {
    abortPort?.close();
  }
}
