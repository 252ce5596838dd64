import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { isDispatchrError } from '../../../src/errors.js';
import {
  checkTargetAddress,
  checkTargetUrl,
  createGuardedLookup,
  GUARD_REFUSED_CODE,
} from '../../../src/workers/target-guard.js';

describe('checkTargetAddress', () => {
  it.each(['8.8.8.8', '93.184.216.34', '2606:4700::1111'])('allows public %s either way', (ip) => {
    expect(checkTargetAddress(ip, false).allowed).toBe(true);
    expect(checkTargetAddress(ip, true).allowed).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.1.1',
    '::1',
    'fe80::1',
    'fd12::1',
    '0.0.0.0',
    '::ffff:127.0.0.1',
  ])('refuses private %s unless allowPrivateNetwork', (ip) => {
    expect(checkTargetAddress(ip, false)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('allowPrivateNetwork'),
    });
    expect(checkTargetAddress(ip, true).allowed).toBe(true);
  });

  it.each(['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '100.100.100.200'])(
    'always refuses metadata %s',
    (ip) => {
      expect(checkTargetAddress(ip, false).allowed).toBe(false);
      expect(checkTargetAddress(ip, true)).toMatchObject({
        allowed: false,
        reason: expect.stringContaining('metadata'),
      });
    },
  );

  // Every IPv6 spelling that carries an IPv4 address is judged as that address (WHATWG URL writes
  // `[::ffff:169.254.169.254]` as `[::ffff:a9fe:a9fe]`, which the guard once took for public).
  it.each([
    ['::ffff:a9fe:a9fe', 'IPv4-mapped'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped'],
    ['::a9fe:a9fe', 'IPv4-compatible'],
    ['::169.254.169.254', 'IPv4-compatible'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['64:ff9b::169.254.169.254', 'NAT64'],
    ['2002:a9fe:a9fe::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo'], // client 169.254.169.254, XOR-ed
  ])('refuses %s (%s of 169.254.169.254) as metadata', (ip, form) => {
    const what = `${ip} (cloud metadata, ${form} 169.254.169.254)`;
    expect(checkTargetAddress(ip, true)).toEqual({
      allowed: false,
      kind: 'metadata',
      what,
      reason: `${what} is never allowed`,
    });
  });

  it.each([
    '::ffff:7f00:1',
    '::ffff:a00:1',
    '::7f00:1',
    '64:ff9b::a00:1',
    '2002:c0a8:101::1',
    '64:ff9b:1::808:808',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
    '::',
    '0.0.0.0',
    '0.1.2.3',
    'fec0::1',
    'ff02::1',
    '224.0.0.1',
    '255.255.255.255',
    '100::1',
    '2001:db8::1',
    '4000::1',
    'fe80::1%eth0',
  ])('classes %s as private', (ip) => {
    expect(checkTargetAddress(ip, false)).toMatchObject({ allowed: false, kind: 'private' });
    expect(checkTargetAddress(ip, true).allowed).toBe(true);
  });

  it.each(['::ffff:808:808', '64:ff9b::808:808', '2002:808:808::1', '2001:4860:4860::8888'])(
    'allows %s, which carries or is a public address',
    (ip) => {
      expect(checkTargetAddress(ip, false).allowed).toBe(true);
    },
  );

  it.each(['fd20:ce::254', 'fd00:ec2::23', '168.63.129.16', '169.254.170.2', '169.254.170.23', '192.0.0.192'])(
    'always refuses metadata %s',
    (ip) => {
      expect(checkTargetAddress(ip, true)).toMatchObject({ allowed: false, kind: 'metadata' });
    },
  );

  it('fails closed on text that is not an address', () => {
    expect(checkTargetAddress('not-an-ip', false)).toMatchObject({ allowed: false, kind: 'private' });
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

  it('sees the host as WHATWG URL normalises it: IPv6 and every IPv4 number spelling', () => {
    for (const url of [
      'http://[::ffff:169.254.169.254]/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://169.254.169.254./',
      'http://[::a9fe:a9fe]/',
    ]) {
      expect(checkTargetUrl(new URL(url), true), url).toMatchObject({ allowed: false, kind: 'metadata' });
    }
  });

  it('judges localhost names as loopback, as config validation does (RFC 6761)', () => {
    expect(check('http://localhost:3000/', false)).toBe(false);
    expect(check('http://api.localhost./', false)).toBe(false);
    expect(check('http://localhost:3000/', true)).toBe(true);
  });

  it('leaves other names to the connect-time lookup', () => {
    expect(check('https://example.com/hook', false)).toBe(true);
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
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ],
    'meta.test': [{ address: '169.254.169.254', family: 4 }],
    'mapped.test': [{ address: '::ffff:a9fe:a9fe', family: 6 }],
  };
  const calls: string[] = [];
  const fakeDns = (
    host: string,
    _opts: unknown,
    cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
  ) => {
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
    expect(await resolve('public.test', false, true)).toEqual({
      err: null,
      address: records['public.test'],
      family: undefined,
    });
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
    expect(isDispatchrError((await resolve('mapped.test', true, true)).err, GUARD_REFUSED_CODE)).toBe(true);
    calls.length = 0;
    expect(isDispatchrError((await resolve('metadata.google.internal', true, false)).err, GUARD_REFUSED_CODE)).toBe(
      true,
    );
    expect(calls).toEqual([]);
  });

  it('passes DNS errors through unchanged', async () => {
    expect((await resolve('missing.test', true, false)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
