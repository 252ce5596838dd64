import { isIP } from 'node:net';

/**
 * Host names as the recorder's Host check compares them (docs/spec.md 4.2). Kernel-level (imports
 * nothing of ours): the config schema normalizes `recorder.allowedHosts` with it and the recorder
 * normalizes each request's Host with it, so both sides are spelled the same way.
 */

/**
 * The WHATWG URL parser's spelling of a host, without brackets or a trailing dot: lower case,
 * punycode, IPv4 shorthand expanded (`127.1` → `127.0.0.1`), IPv6 compressed (`::1`). A port is
 * allowed only when `allowPort` (a Host header carries one; a configured name must not). null when
 * the value is not a bare host (a scheme, userinfo, path, query or an unparsable name).
 */
export function normalizeHostname(value: string, options: { allowPort?: boolean } = {}): string | null {
  if (value === '' || /[/\\@?#\s]/.test(value)) return null;
  // A bare IPv6 address (in config) is the bracketed one; in a Host header it must be bracketed.
  const authority = !options.allowPort && isIP(value) === 6 ? `[${value}]` : value;
  // Read from the text, not from the parsed URL: the parser drops a default port (`:80`).
  if (!options.allowPort && /:\d*$/.test(authority) && !authority.endsWith(']')) return null;
  let url: URL;
  try {
    url = new URL(`http://${authority}`);
  } catch {
    return null;
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return hostname.replace(/\.$/, '') || null;
}

/**
 * Names that can only mean this machine: `localhost` and `*.localhost` (RFC 6761: browsers answer
 * them with loopback themselves, so no DNS answer can move them elsewhere), 127.0.0.0/8 and `::1`.
 * Takes a normalized hostname.
 */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return hostname === '::1';
}
