import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { DispatchrError } from '../errors.js';
import { checkAddress, checkHost, isMetadataHost, type GuardDecision } from '../net-address.js';

/**
 * The target guard (architecture rule 8): private addresses only with allowPrivateNetwork,
 * cloud metadata never. The rules live in net-address.ts, shared with config validation; the
 * guard applies them twice:
 *   1. before sending, on the URL's host (`checkTargetUrl`): IP literals never reach a DNS lookup
 *      (net.connect skips `lookup` for them), so they are judged here, as are metadata and
 *      `localhost` names;
 *   2. at connect time, on every address DNS returns (`createGuardedLookup`, installed as the
 *      Agent's `connect.lookup`), so a name that resolves to a private address is refused
 *      before any socket opens, and a rebinding name is checked on every new connection.
 */
export const GUARD_REFUSED_CODE = 'guard_refused';

export type { GuardDecision };

/** Decision for one resolved IP address. */
export function checkTargetAddress(address: string, allowPrivateNetwork: boolean): GuardDecision {
  return checkAddress(address, allowPrivateNetwork);
}

/** Decision for a URL before any connection: its scheme, then its host (net-address.ts checkHost). */
export function checkTargetUrl(url: URL, allowPrivateNetwork: boolean): GuardDecision {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      allowed: false,
      kind: 'scheme',
      what: url.protocol,
      reason: `scheme ${url.protocol} is not http or https`,
    };
  }
  return checkHost(url.hostname, allowPrivateNetwork);
}

export function guardRefusedError(reason: string): DispatchrError {
  return new DispatchrError(GUARD_REFUSED_CODE, `target refused: ${reason}`, { status: 400 });
}

type BaseLookup = (
  hostname: string,
  options: { all: true; family?: number | 'IPv4' | 'IPv6'; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for net.connect / tls.connect that resolves all addresses and refuses the whole
 * name when ANY of them is refused: a name mixing public and private records is either a
 * mistake or a rebinding attempt, and connecting to "the public half" would hide it.
 * Handles both call shapes (net uses `all: true` when autoSelectFamily is on).
 */
export function createGuardedLookup(
  allowPrivateNetwork: boolean,
  baseLookup: BaseLookup = dnsLookup as unknown as BaseLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    if (isMetadataHost(hostname)) {
      callback(guardRefusedError(`${hostname} (cloud metadata) is never allowed`), '', 0);
      return;
    }
    baseLookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      }
      for (const { address } of addresses) {
        const decision = checkTargetAddress(address, allowPrivateNetwork);
        if (!decision.allowed) return callback(guardRefusedError(`${hostname}: ${decision.reason}`), '', 0);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface GuardedAgentOptions {
  allowPrivateNetwork: boolean;
  /** Connections per origin; requests beyond it queue in undici. */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
  /** Replaces dns.lookup (tests). */
  baseLookup?: BaseLookup;
}

/** An undici Agent whose every new connection goes through the guard. Keep-alive per origin. */
export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  return new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    connect: { lookup: createGuardedLookup(options.allowPrivateNetwork, options.baseLookup) },
  });
}
