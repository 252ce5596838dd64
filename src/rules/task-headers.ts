/** What a sensitive value is shown as, in responses and logs. */
export const REDACTED = '[redacted]';

/**
 * Rules for the headers a task carries to its target. Names are stored lowercase (HTTP names are
 * case-insensitive, and one spelling makes duplicates and redaction unambiguous). Some headers are
 * the transport's or Dispatchr's own and cannot be set; sensitive ones are stored and sent, but
 * shown as `[redacted]` wherever a task is shown.
 */
export const MAX_HEADERS = 64;
export const MAX_HEADER_VALUE = 8192;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, tab and obs-text; no CR, LF, NUL or other controls. */
const VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const TRANSPORT = new Set(['host', 'content-length', 'expect']);
const SENSITIVE = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** Why a header cannot be set, or null when it can. */
export function headerProblem(name: string, value: string): string | null {
  if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return 'header names and values may not contain CR or LF';
  if (!TOKEN.test(name)) return 'expected a header name made of letters, digits and !#$%&\'*+.^_`|~-';
  const lower = name.toLowerCase();
  if (HOP_BY_HOP.has(lower)) return `${lower} is a hop-by-hop header and cannot be set`;
  if (TRANSPORT.has(lower)) return `${lower} is set by the transport and cannot be set`;
  if (lower === 'content-type') return 'set contentType instead of a content-type header';
  if (lower.startsWith('dispatchr-') || lower.startsWith('webhook-')) return `${lower} is reserved for Dispatchr's own headers`;
  if (value.length > MAX_HEADER_VALUE) return `expected a value of at most ${MAX_HEADER_VALUE} characters`;
  if (!VALUE.test(value)) return 'expected a value of visible ASCII characters (control characters are not allowed)';
  return null;
}

export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE.has(lower) || lower.includes('token') || lower.includes('secret') || lower.includes('key');
}

/** What responses and logs show. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) shown[name] = isSensitiveHeader(name) ? REDACTED : value;
  return shown;
}
