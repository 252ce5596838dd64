import { isIP } from 'node:net';

/**
 * The address rules of the target guard (architecture rule 8, spec §5.1), in one place for both
 * callers: config validation judges a target's host as written, the dispatch worker judges the host
 * before connecting and every address DNS returns. Kernel-level (imports nothing of ours).
 *
 * Addresses are parsed to their bytes (node:net's isIP decides what is an address), so every
 * spelling of one address is judged alike: `::ffff:169.254.169.254`, `::ffff:a9fe:a9fe` and
 * `0:0:0:0:0:ffff:a9fe:a9fe` are the same bytes. IPv6 forms that carry an IPv4 address (mapped,
 * compatible, translated, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry, because
 * that is where the packets can end up. Everything not globally reachable counts as private.
 */
export type AddressClass = 'public' | 'private' | 'metadata';

export interface AddressVerdict {
  kind: AddressClass;
  /** Why, for messages: "loopback", "cloud metadata, IPv4-mapped 169.254.169.254", ... */
  range: string;
}

/** `kind` says what a refusal is about: a private address (allowPrivateNetwork lifts it), metadata (never), a scheme. */
export type GuardDecision =
  | { allowed: true }
  /** `what`: the host and its range, "127.0.0.1 (loopback)"; `reason`: the whole sentence. */
  | { allowed: false; kind: 'private' | 'metadata' | 'scheme'; what: string; reason: string };

const ALLOWED: GuardDecision = { allowed: true };

const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
]);

/**
 * Cloud metadata and credential endpoints. Refused even with allowPrivateNetwork, because a target
 * that reaches them hands out the host's cloud credentials. 168.63.129.16 is public address space.
 */
const METADATA_ADDRESSES = [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle, Hetzner, ...
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS Pod Identity credentials
  '169.254.0.23', // Tencent Cloud
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure WireServer
  '192.0.0.192', // Oracle Cloud Classic
  'fd00:ec2::254', // AWS (IPv6)
  'fd00:ec2::23', // AWS EKS Pod Identity (IPv6)
  'fd20:ce::254', // GCP (IPv6)
];
const METADATA_KEYS = new Set(METADATA_ADDRESSES.map((address) => parseIp(address)!.join('.')));

/** Not globally reachable IPv4 (the IANA special-purpose registry), plus multicast: [prefix, bits, range]. */
const PRIVATE_V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private-use'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private-use'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private-use'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** Not globally reachable IPv6 ranges inside or beside global unicast; checked after the embedded forms. */
const PRIVATE_V6: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard-only'],
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'IETF protocol assignment'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];
const GLOBAL_UNICAST_V6 = parseIp('2000::')!;

const toBlocks = (table: readonly [string, number, string][]) =>
  table.map(([prefix, bits, range]) => ({ bytes: parseIp(prefix)!, bits, range }));
const PRIVATE_V4_BLOCKS = toBlocks(PRIVATE_V4);
const PRIVATE_V6_BLOCKS = toBlocks(PRIVATE_V6);

/** The address's bytes (4 or 16), or null when it is not an IP address. A zone (`%eth0`) is ignored. */
export function parseIp(text: string): Uint8Array | null {
  const address = stripBrackets(text).replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return null;
  let groupsText = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(groupsText);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    groupsText = groupsText.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = groupsText.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

/** Classifies an IP address; anything that is not one is judged private (fail closed). */
export function classifyAddress(address: string): AddressClass {
  return describeAddress(address).kind;
}

export function describeAddress(address: string): AddressVerdict {
  const bytes = parseIp(address);
  if (bytes === null) return { kind: 'private', range: 'not an IP address' };
  return bytes.length === 4 ? classifyV4(bytes) : classifyV6(bytes);
}

export function isMetadataHost(hostname: string): boolean {
  const host = normalizeHost(hostname);
  return METADATA_HOSTS.has(host) || classifyAddress(host) === 'metadata';
}

/** The decision for one address (a literal host, or what DNS returned). */
export function checkAddress(address: string, allowPrivateNetwork: boolean): GuardDecision {
  const { kind, range } = describeAddress(address);
  return kind === 'public' ? ALLOWED : refused(kind, `${address} (${range})`, allowPrivateNetwork);
}

/**
 * The decision for a URL's host before any lookup, the same in config validation and at dispatch:
 * metadata names, `localhost` names (RFC 6761: always loopback) and IP literals are judged here;
 * other names are allowed here and judged on the addresses DNS gives at connect time.
 */
export function checkHost(hostname: string, allowPrivateNetwork: boolean): GuardDecision {
  const host = normalizeHost(hostname);
  if (METADATA_HOSTS.has(host)) return refused('metadata', `${host} (cloud metadata)`, allowPrivateNetwork);
  if (host === 'localhost' || host.endsWith('.localhost'))
    return refused('private', `${host} (loopback)`, allowPrivateNetwork);
  return parseIp(host) === null ? ALLOWED : checkAddress(host, allowPrivateNetwork);
}

function refused(kind: 'private' | 'metadata', what: string, allowPrivateNetwork: boolean): GuardDecision {
  if (kind === 'metadata') return { allowed: false, kind, what, reason: `${what} is never allowed` };
  return allowPrivateNetwork ? ALLOWED : { allowed: false, kind, what, reason: `${what} needs allowPrivateNetwork` };
}

function classifyV4(bytes: Uint8Array): AddressVerdict {
  if (METADATA_KEYS.has(bytes.join('.'))) return { kind: 'metadata', range: 'cloud metadata' };
  const block = PRIVATE_V4_BLOCKS.find((candidate) => inPrefix(bytes, candidate.bytes, candidate.bits));
  return block ? { kind: 'private', range: block.range } : { kind: 'public', range: 'public' };
}

function classifyV6(bytes: Uint8Array): AddressVerdict {
  if (METADATA_KEYS.has(bytes.join('.'))) return { kind: 'metadata', range: 'cloud metadata' };
  const embedded = embeddedV4(bytes);
  if (embedded) {
    // The most restrictive of what the form itself is and what each carried IPv4 address is.
    let worst: AddressVerdict = { kind: embedded.atLeastPrivate ? 'private' : 'public', range: embedded.form };
    for (const v4 of embedded.carried) {
      const verdict = classifyV4(v4);
      if (RANK[verdict.kind] > RANK[worst.kind])
        worst = { kind: verdict.kind, range: `${verdict.range}, ${embedded.form} ${v4.join('.')}` };
    }
    return worst;
  }
  const block = PRIVATE_V6_BLOCKS.find((candidate) => inPrefix(bytes, candidate.bytes, candidate.bits));
  if (block) return { kind: 'private', range: block.range };
  if (!inPrefix(bytes, GLOBAL_UNICAST_V6, 3)) return { kind: 'private', range: 'not global unicast' };
  return { kind: 'public', range: 'public' };
}

const RANK: Record<AddressClass, number> = { public: 0, private: 1, metadata: 2 };

/**
 * The IPv4 addresses an IPv6 address carries, by form. `atLeastPrivate`: the form itself is never
 * a public destination (local-use NAT64, Teredo), whatever it carries.
 */
function embeddedV4(b: Uint8Array): { form: string; carried: Uint8Array[]; atLeastPrivate: boolean } | null {
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const last32 = b.slice(12, 16);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff)
    return { form: 'IPv4-mapped', carried: [last32], atLeastPrivate: false };
  // ::/96 (IPv4-compatible, deprecated), except :: and ::1, which are themselves.
  if (zeros(0, 12) && !(zeros(12, 15) && b[15] <= 1))
    return { form: 'IPv4-compatible', carried: [last32], atLeastPrivate: false };
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12))
    return { form: 'IPv4-translated', carried: [last32], atLeastPrivate: false };
  const word = (i: number) => (b[i] << 8) | b[i + 1];
  if (word(0) === 0x64 && word(2) === 0xff9b && zeros(4, 12))
    return { form: 'NAT64', carried: [last32], atLeastPrivate: false };
  if (word(0) === 0x64 && word(2) === 0xff9b && word(4) === 0x0001)
    return { form: 'local-use NAT64', carried: [last32], atLeastPrivate: true };
  if (word(0) === 0x2002) return { form: '6to4', carried: [b.slice(2, 6)], atLeastPrivate: false };
  if (word(0) === 0x2001 && word(2) === 0x0000) {
    // Teredo: the server's IPv4 in bits 32-63, the client's XOR-ed with 1s in the last 32.
    return { form: 'Teredo', carried: [b.slice(4, 8), last32.map((x) => x ^ 0xff)], atLeastPrivate: true };
  }
  return null;
}

function inPrefix(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  if (bytes.length !== prefix.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== prefix[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole] & mask) === (prefix[whole] & mask);
}

function normalizeHost(hostname: string): string {
  return stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
