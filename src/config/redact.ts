import type { ResolvedConfig } from './load.js';

import { REDACTED, redactHeaders } from '../rules/task-headers.js';
import { isSensitiveName } from '../sensitive-names.js';

export { REDACTED };

/**
 * A copy of the config safe to print or log (`config validate`): tokens, signing secrets and the
 * credentials inside URLs are replaced. Token hashes (sha256:...) are shown, since they reveal
 * nothing.
 *
 * URLs (docs/spec.md 9):
 * - the database URL keeps its user name (a role, needed to read the config) and loses its
 *   password; a target URL loses the whole user-info part, since `https://TOKEN@host/` puts the
 *   credential in the user name;
 * - in both, the value of every query parameter whose name is sensitive by the one rule of
 *   src/sensitive-names.ts (`?password=`, `?sslkey=`, `?token=`, `?api_key=`) is replaced.
 */
export function redactConfig(config: ResolvedConfig): Record<string, unknown> {
  const copy = structuredClone(config) as unknown as Record<string, any>;
  copy.database.url = redactUrl(copy.database.url, { keepUser: true });
  copy.recorder.tokens = copy.recorder.tokens.map((token: string | { token: string }) =>
    typeof token === 'string' ? redactToken(token) : { ...token, token: redactToken(token.token) },
  );
  for (const queue of Object.values(copy.queues) as Record<string, unknown>[]) {
    if (typeof queue.target === 'string') queue.target = redactUrl(queue.target, { keepUser: false });
    if (queue.signingSecret !== undefined) queue.signingSecret = REDACTED;
    if (Array.isArray(queue.signingSecrets)) queue.signingSecrets = queue.signingSecrets.map(() => REDACTED);
  }
  // A cron entry's headers go out with every fire, so they may carry a credential: hidden as a task's are.
  for (const entry of Object.values(copy.cron ?? {}) as Record<string, any>[])
    entry.headers = redactHeaders(entry.headers ?? {});
  return copy;
}

function redactToken(token: string): string {
  return token.startsWith('sha256:') ? token : REDACTED;
}

/**
 * The URL with its credentials replaced by [redacted], spelled as written otherwise. Text that is
 * not a URL with an authority (`sqlite:./dispatchr.db`) comes back unchanged.
 */
export function redactUrl(url: string, options: { keepUser: boolean }): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = 'REDACTED-PASSWORD';
    changed = true;
  }
  if (parsed.username && !options.keepUser) {
    parsed.username = 'REDACTED-USER';
    changed = true;
  }
  // Pair by pair, so the other parameters keep their spelling (searchParams would re-encode them).
  const pairs = parsed.search.replace(/^\?/, '').split('&');
  const hidden = pairs.map((pair) => {
    const [name, ...value] = pair.split('=');
    if (value.length === 0 || !isSensitiveName(safeDecode(name))) return pair;
    changed = true;
    return `${name}=REDACTED-VALUE`;
  });
  if (parsed.search !== '') parsed.search = `?${hidden.join('&')}`;
  // Placeholders without brackets survive URL encoding; they become the readable [redacted] last.
  return changed ? parsed.toString().replace(/REDACTED-(PASSWORD|USER|VALUE)/g, REDACTED) : url;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Kept for callers that only hide a URL's password. */
export function redactUrlPassword(url: string): string {
  return redactUrl(url, { keepUser: true });
}

/**
 * Whether a config key holds a credential, so its value is never echoed in an error and never
 * re-read as a number (a digits-only `${SECRET}` stays the string it is). The key is the last
 * named segment of the path (array indexes skipped: `recorder.tokens.0` is under `tokens`), judged
 * by the one rule of src/sensitive-names.ts, plus `database.url`, which carries a password.
 */
export function isSecretConfigPath(path: readonly (string | number)[]): boolean {
  const segments = path.map(String);
  if (segments.join('.') === 'database.url') return true;
  const key = [...segments].reverse().find((segment) => !/^\d+$/.test(segment));
  return key !== undefined && isSensitiveName(key);
}
