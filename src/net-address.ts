import { isIP } from 'node:net';

/**
 * Classifies an IP address for the target guard. Kernel-level (imports nothing of ours) because both
 * the config check (literal hosts) and the dispatch worker (resolved addresses) need it.
 */
export type AddressClass = 'public' | 'private' | 'metadata';

const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);
const METADATA_IPS = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2']);

export function isMetadataHost(hostname: string): boolean {
  const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
  return METADATA_HOSTS.has(host) || METADATA_IPS.has(normalizeIp(host));
}

/** Loopback, private, link-local, CGNAT, unique-local and unspecified ranges count as private. */
export function classifyAddress(address: string): AddressClass {
  const ip = normalizeIp(stripBrackets(address));
  if (METADATA_IPS.has(ip)) return 'metadata';
  const family = isIP(ip);
  if (family === 4) return isPrivateV4(ip) ? 'private' : 'public';
  if (family === 6) return isPrivateV6(ip) ? 'private' : 'public';
  return 'public';
}

/** For config checks on literal hosts: `localhost` and IP literals; other names are checked after DNS. */
export function isLiteralPrivateHost(hostname: string): boolean {
  const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && classifyAddress(host) !== 'public';
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip.toLowerCase();
}

function isPrivateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function isPrivateV6(ip: string): boolean {
  if (ip === '::' || ip === '::1') return true;
  const first = parseInt(ip.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
