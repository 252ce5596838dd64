import type { ResolvedConfig } from './load.js';

import { REDACTED } from '../rules/task-headers.js';

export { REDACTED };

/**
 * A copy of the config safe to print or log: tokens, signing secrets and the database password
 * are replaced. Token hashes (sha256:...) are shown, since they reveal nothing.
 */
export function redactConfig(config: ResolvedConfig): Record<string, unknown> {
  const copy = structuredClone(config) as unknown as Record<string, any>;
  copy.database.url = redactUrlPassword(copy.database.url);
  copy.recorder.tokens = copy.recorder.tokens.map((token: string | { token: string }) =>
    typeof token === 'string' ? redactToken(token) : { ...token, token: redactToken(token.token) },
  );
  for (const queue of Object.values(copy.queues) as Record<string, unknown>[]) {
    if (queue.signingSecret !== undefined) queue.signingSecret = REDACTED;
    if (Array.isArray(queue.signingSecrets)) queue.signingSecrets = queue.signingSecrets.map(() => REDACTED);
  }
  return copy;
}

function redactToken(token: string): string {
  return token.startsWith('sha256:') ? token : REDACTED;
}

export function redactUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = REDACTED;
    return parsed.toString().replace(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return url;
  }
}
