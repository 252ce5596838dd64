import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { isDispatchrError } from '../../../src/errors.js';
import { checkTargetAddress, checkTargetUrl, createGuardedLookup, GUARD_REFUSED_CODE } from '../../../src/workers/target-guard.js';

describe('checkTargetAddress', () => {
  it.each(['8.8.8.8', '93.184.216.34', '2606:4700::1111'])('allows public %s either way', (ip) => {
    expect(checkTargetAddress(ip, false).allowed).toBe(true);
    expect(checkTargetAddress(ip, true).allowed).toBe(true);
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.1.1', '::1', 'fe80::1', 'fd12::1', '0.0.0.0', '::ffff:127.0.0.1'])(
    'refuses private %s unless allowPrivateNetwork',
    (ip) => {
      expect(checkTargetAddress(ip, false)).toMatchObject({ allowed: false, reason: expect.stringContaining('allowPrivateNetwork') });
      expect(checkTargetAddress(ip, true).allowed).toBe(true);
    },
  );

  it.each(['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '100.100.100.200'])('always refuses metadata %s', (ip) => {
    expect(checkTargetAddress(ip, false).allowed).toBe(false);
    expect(checkTargetAddress(ip, true)).toMatchObject({ allowed: false, reason: expect.stringContaining('metadata') });
  });
});

describe('checkTargetUrl', () => {
  const check = (url: string, allow: boolean) => checkTargetUrl(new URL(url), allow).allowed;

  it('judges IP literals before any connection, including IPv6 and odd IPv4 spellings', () => {
    expect(check('http://127.0.0.1:8080/x', false)).toBe(false);
    expect(check('http://127.0.0.1:8080/x', true)).toBe(true);
    expect(check('http://[::1]/x', false)).toBe(false);
    expect(check('http://2130706433/x', false)).toBe(false); // 127.0.0.1 as one number
    expect(check('http://169.254.169.254/latest/meta-data', true)).toBe(false);
    expect(check('http://[fd00:ec2::254]/', true)).toBe(false);
  });

  it('refuses metadata host names by name, even with allowPrivateNetwork', () => {
    expect(check('http://metadata.google.internal/computeMetadata/v1/', true)).toBe(false);
    expect(check('http://METADATA.GOOGLE.INTERNAL./', true)).toBe(false);
  });

  it('leaves other names to the connect-time lookup', () => {
    expect(check('https://example.com/hook', false)).toBe(true);
    expect(check('http://localhost:3000/', false)).toBe(true);
  });

  it('refuses non-http schemes', () => {
    expect(check('file:///etc/passwd', true)).toBe(false);
    expect(check('ftp://example.com/', true)).toBe(false);
  });
});

describe('createGuardedLookup', () => {
  const records: Record<string, LookupAddress[]> = {
    'public.test': [{ address: '93.184.216.34', family: 4 }],
    'private.test': [{ address: '10.0.0.5', family: 4 }],
    'mixed.test': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }],
    'meta.test': [{ address: '169.254.169.254', family: 4 }],
  };
  const calls: string[] = [];
  const fakeDns = (host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
    calls.push(host);
    const found = records[host];
    if (found) cb(null, found);
    else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
  };
  const resolve = (host: string, allow: boolean, all: boolean) =>
    new Promise<{ err: unknown; address: unknown; family?: number }>((done) => {
      createGuardedLookup(allow, fakeDns)(host, { all }, (err, address, family) => done({ err, address, family }));
    });

  it('passes allowed addresses through in both call shapes', async () => {
    expect(await resolve('public.test', false, false)).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await resolve('public.test', false, true)).toEqual({ err: null, address: records['public.test'], family: undefined });
  });

  it('refuses a name resolving to a private address unless allowed', async () => {
    const refused = await resolve('private.test', false, true);
    expect(isDispatchrError(refused.err, GUARD_REFUSED_CODE)).toBe(true);
    expect((await resolve('private.test', true, false)).address).toBe('10.0.0.5');
  });

  it('refuses the whole name when any record is refused', async () => {
    expect(isDispatchrError((await resolve('mixed.test', false, false)).err, GUARD_REFUSED_CODE)).toBe(true);
  });

  it('refuses metadata addresses and names even when private is allowed, names without a lookup', async () => {
    expect(isDispatchrError((await resolve('meta.test', true, false)).err, GUARD_REFUSED_CODE)).toBe(true);
    calls.length = 0;
    expect(isDispatchrError((await resolve('metadata.google.internal', true, false)).err, GUARD_REFUSED_CODE)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('passes DNS errors through unchanged', async () => {
    expect((await resolve('missing.test', true, false)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
