/**
 * Before any case runs: is the implementation set up as `--print-config` says? A run against a
 * recorder that is down, a wrong token or a missing queue would fail most cases for one reason;
 * the kit says that reason once instead and exits 2. Each problem is one line naming what is
 * missing; tokens are named by role, never printed.
 */
import type { ApiClient } from './api-client.js';
import type { KitNames, KitTokens } from './kit.js';

export interface PreflightResult {
  /** The first problem found, as one line; null when the implementation is ready. */
  problem: string | null;
  /** Things worth a look that do not stop the run. */
  warnings: string[];
}

const EXPECTED_ROLES: {
  key: keyof KitTokens;
  role: string;
  flag: string;
  queues: (names: KitNames) => string[] | null;
}[] = [
  { key: 'admin', role: 'admin', flag: '--token', queues: () => null },
  { key: 'enqueue', role: 'enqueue', flag: '--enqueue-token', queues: () => null },
  { key: 'read', role: 'read', flag: '--read-token', queues: () => null },
  { key: 'scoped', role: 'enqueue', flag: '--scoped-token', queues: (names) => [names.other] },
];

export async function preflight(
  api: ApiClient,
  tokens: KitTokens,
  names: KitNames,
  targetPort: number,
): Promise<PreflightResult> {
  const warnings: string[] = [];
  for (const expected of EXPECTED_ROLES) {
    let res;
    try {
      res = await api.request('GET', '/v1/session', { token: tokens[expected.key], timeoutMs: 10_000 });
    } catch (error) {
      return { problem: `cannot reach the recorder at ${api.baseUrl}: ${(error as Error).message}`, warnings };
    }
    const who = `the ${expected.key} token (${expected.flag})`;
    if (res.status === 401)
      return { problem: `${who} was refused (401): configure it as --print-config prints`, warnings };
    if (res.status !== 200 || !res.json || typeof res.json !== 'object')
      return {
        problem: `GET /v1/session with ${who} answered ${res.status}, expected 200 (is --url the recorder's base?)`,
        warnings,
      };
    if (res.json.open === true)
      return {
        problem: 'the recorder has no tokens (an open API): configure recorder.tokens as --print-config prints',
        warnings,
      };
    if (res.json.role !== expected.role)
      return { problem: `${who} has role ${JSON.stringify(res.json.role)}, expected ${expected.role}`, warnings };
    const queues = expected.queues(names);
    if (JSON.stringify(res.json.queues ?? null) !== JSON.stringify(queues))
      return {
        problem: `${who} is limited to queues ${JSON.stringify(res.json.queues)}, expected ${JSON.stringify(queues)}`,
        warnings,
      };
  }

  const res = await api.request('GET', '/v1/queues', { timeoutMs: 10_000 });
  if (res.status !== 200 || !Array.isArray(res.json?.queues))
    return { problem: `GET /v1/queues answered ${res.status}, expected 200 with { queues: [...] }`, warnings };
  const queues = new Map<string, any>(res.json.queues.map((q: any) => [q?.name, q]));
  for (const name of [names.queue, names.mapped, names.other, names.privateNet]) {
    const queue = queues.get(name);
    if (!queue) return { problem: `queue ${name} is not configured: run with --print-config and add it`, warnings };
    // The kit's queues are the kit's own: one left paused by an interrupted run is resumed.
    if (queue.paused === true) {
      const resumed = await api.request('POST', `/v1/queues/${encodeURIComponent(name)}/resume`, { timeoutMs: 10_000 });
      if (resumed.status !== 200)
        return { problem: `queue ${name} is paused and resuming it answered ${resumed.status}`, warnings };
      warnings.push(`queue ${name} was paused (an interrupted run?): resumed it`);
    }
    const target = typeof queue.config?.target === 'string' ? safeUrl(queue.config.target) : null;
    if (target && name !== names.privateNet && target.port !== String(targetPort))
      warnings.push(
        `queue ${name} sends to port ${target.port || '(default)'}, but the kit's target listens on ${targetPort} (--port)`,
      );
  }
  return { problem: null, warnings };
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
