/**
 * Which headers a task may carry: the recorder's rules (src/recorder/task-headers.ts), kept here
 * because that module imports config code the client must not load. A unit test runs both over the
 * same cases so the two cannot drift apart.
 */
export const MAX_HEADERS = 64;
export const MAX_HEADER_VALUE = 8192;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, tab and obs-text; no CR, LF, NUL or other controls. */
const VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const TRANSPORT = new Set(['host', 'content-length', 'expect']);

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
