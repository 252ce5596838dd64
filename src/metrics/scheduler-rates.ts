/**
 * The adaptive rate in force per queue lives in a scheduler's memory (it halves when targets push
 * back and recovers step by step), and the database does not hold it. Whoever wants it outside the
 * scheduler (`queues list`, `GET /v1/queues`) reads it from the scheduler's own /metrics endpoint,
 * `scheduler.metrics` of the same config. No endpoint configured (or port 0, "any free port"), or
 * none answering quickly: the rate is unknown, and callers say so rather than guess.
 */
export interface SchedulerEndpoint {
  host: string;
  port?: number;
}

/** queue → rate per second; null means unlimited. */
export type SchedulerRates = Map<string, number | null>;

const LINE = /^dispatchr_queue_rate_per_second\{queue="([^"\\]*)"\} (\S+)$/;

export function parseSchedulerRates(text: string): SchedulerRates {
  const rates: SchedulerRates = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const value = match[2] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[2]);
    if (Number.isNaN(value)) continue;
    rates.set(match[1], Number.isFinite(value) ? value : null);
  }
  return rates;
}

/** Answers null when the rate cannot be known (no endpoint, unreachable, slow, or not a scheduler). */
export async function readSchedulerRates(endpoint: SchedulerEndpoint, timeoutMs = 500): Promise<SchedulerRates | null> {
  if (endpoint.port === undefined || endpoint.port === 0) return null;
  // A scheduler listening on every interface is reached through loopback.
  const host = endpoint.host === '0.0.0.0' || endpoint.host === '::' ? '127.0.0.1' : endpoint.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${endpoint.port}/metrics`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const text = await response.text();
    return text.includes('dispatchr_queue_rate_per_second') ? parseSchedulerRates(text) : null;
  } catch {
    return null;
  }
}
