import { isSensitiveName } from '../sensitive-names.js';

/** What a sensitive value is shown as, in responses and logs. */
export const REDACTED = '[redacted]';

/**
 * Rules for the headers a task carries to its target. Names are stored lowercase (HTTP names are
 * case-insensitive, and one spelling makes duplicates and redaction unambiguous). Some headers are
 * the transport's or Dispatchr's own, or would let a task steer the target's routing, and cannot be
 * set; sensitive ones are stored and sent, but shown as `[redacted]` wherever a task is shown.
 */
export const MAX_HEADERS = 64;
export const MAX_HEADER_VALUE = 8192;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, tab and obs-text; no CR, LF, NUL or other controls. */
const VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);
const TRANSPORT = new Set(['host', 'content-length', 'expect']);
/**
 * Headers that proxies and frameworks read as "the real client, host, URL or method": a task that
 * sets them could make its request look like it came from elsewhere, or reach another route than
 * its path names. `x-forwarded-*` is a prefix (any of them).
 */
export const ROUTING_OVERRIDE_HEADERS: readonly string[] = [
  'forwarded',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-host',
  'x-original-host',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-remote-ip',
  'x-remote-addr',
  'x-originating-ip',
  'x-original-forwarded-for',
];
const ROUTING_OVERRIDE = new Set(ROUTING_OVERRIDE_HEADERS);

/**
 * Why a task may not set a header of this name, or null. `_` counts as `-`: WSGI, CGI and Rack
 * servers read `Dispatchr_Queue` as `Dispatchr-Queue` (both become HTTP_DISPATCHR_QUEUE), so an
 * underscore spelling must not slip past a rule its hyphen spelling meets. The dispatch worker
 * drops any header this refuses, so a task stored before a rule existed cannot send it either.
 */
export function reservedHeaderProblem(name: string): string | null {
  const lower = name.toLowerCase();
  switch (reservedKind(lower)) {
    case null:
      return null;
    case 'hop-by-hop':
      return `${lower} is a hop-by-hop header and cannot be set`;
    case 'transport':
      return `${lower} is set by the transport and cannot be set`;
    case 'content-type':
      return 'set contentType instead of a content-type header';
    case 'dispatchr':
      return `${lower} is reserved for Dispatchr's own headers`;
    case 'routing':
      return `${lower} overrides the client, host, URL or method a target sees, and cannot be set`;
  }
}

/**
 * The dispatch worker's form of the same rule, for every header of every attempt: a lowercase name
 * in, a yes or no out, and no message built.
 */
export function isReservedHeader(lowerName: string): boolean {
  return reservedKind(lowerName) !== null;
}

type ReservedKind = 'hop-by-hop' | 'transport' | 'content-type' | 'dispatchr' | 'routing';

function reservedKind(lower: string): ReservedKind | null {
  const canonical = lower.includes('_') ? lower.replace(/_/g, '-') : lower;
  if (HOP_BY_HOP.has(canonical)) return 'hop-by-hop';
  if (TRANSPORT.has(canonical)) return 'transport';
  if (canonical === 'content-type') return 'content-type';
  if (canonical.startsWith('dispatchr-') || canonical.startsWith('webhook-')) return 'dispatchr';
  if (ROUTING_OVERRIDE.has(canonical) || canonical.startsWith('x-forwarded-')) return 'routing';
  return null;
}

/** Why a header cannot be set, or null when it can. */
export function headerProblem(name: string, value: string): string | null {
  if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return 'header names and values may not contain CR or LF';
  if (!TOKEN.test(name)) return "expected a header name made of letters, digits and !#$%&'*+.^_`|~-";
  const reserved = reservedHeaderProblem(name);
  if (reserved) return reserved;
  if (value.length > MAX_HEADER_VALUE) return `expected a value of at most ${MAX_HEADER_VALUE} characters`;
  if (!VALUE.test(value)) return 'expected a value of visible ASCII characters (control characters are not allowed)';
  return null;
}

/** The one redaction rule (src/sensitive-names.ts), applied to header names. */
export const isSensitiveHeader = isSensitiveName;

/** What responses and logs show. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) shown[name] = isSensitiveHeader(name) ? REDACTED : value;
  return shown;
}
