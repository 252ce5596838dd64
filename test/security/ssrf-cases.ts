/**
 * The SSRF corpus (issue 17): every way a task or a config could make Dispatchr send a request
 * somewhere it should not, and where each one is stopped. ssrf.test.ts runs each case against the
 * real part that decides it.
 *
 * expect:
 * - `create`: the recorder answers 400 and stores nothing (real HTTP, both databases);
 * - `config`: config validation refuses the queue target (parseConfig);
 * - `connect`: the scheduler refuses at dispatch, before any socket opens (the guard, or a real
 *   dispatch through the guarded Agent with the DNS answers given);
 * - `allowed`: accepted, and still inside the target (a path), or sent with its own outcome (a redirect
 *   is the 3xx, never followed).
 */
export type SsrfInput =
  /** A task path created on the queue `plain` (http://127.0.0.1:9/tasks) or `query` (the same, `?k=1`). */
  | { path: string; queue?: 'plain' | 'query' }
  /** A task header created on the queue `plain`. */
  | { header: [name: string, value: string] }
  /** A queue target in the config. */
  | { target: string; allowPrivateNetwork?: boolean }
  /** A dispatch URL judged by the guard; `dns` answers for its host name. */
  | { url: string; allowPrivateNetwork?: boolean; dns?: string[] }
  /** A real dispatch to a local server; `{port}` is its port, `dns` answers for names. */
  | { dispatch: string; allowPrivateNetwork?: boolean; dns?: string[] }
  /** A real dispatch to a local server that answers this status with `Location`. */
  | { redirect: [status: number, location: string] };

export interface SsrfCase {
  name: string;
  input: SsrfInput;
  expect: 'create' | 'config' | 'connect' | 'allowed';
}

const path = (p: string, expect: SsrfCase['expect'], name = p, queue?: 'query'): SsrfCase => ({
  name: `path ${name}`,
  input: { path: p, queue },
  expect,
});
const header = (h: string, v: string, expect: SsrfCase['expect'], name = `${h}: ${v}`): SsrfCase => ({
  name: `header ${name}`,
  input: { header: [h, v] },
  expect,
});
const target = (t: string, expect: SsrfCase['expect'], allowPrivateNetwork = false, name = t): SsrfCase => ({
  name: `target ${name}${allowPrivateNetwork ? ' (allowPrivateNetwork)' : ''}`,
  input: { target: t, allowPrivateNetwork },
  expect,
});
const dns = (answers: string[], expect: SsrfCase['expect'], allowPrivateNetwork = false): SsrfCase => ({
  name: `DNS answer [${answers.join(', ')}]${allowPrivateNetwork ? ' (allowPrivateNetwork)' : ''}`,
  input: { url: 'http://hooks.customer.test/x', dns: answers, allowPrivateNetwork },
  expect,
});
const url = (u: string, expect: SsrfCase['expect'], allowPrivateNetwork = false): SsrfCase => ({
  name: `dispatch URL ${u}${allowPrivateNetwork ? ' (allowPrivateNetwork)' : ''}`,
  input: { url: u, allowPrivateNetwork },
  expect,
});

const PATHS: SsrfCase[] = [
  // dot segments, in every spelling a server might resolve
  path('..', 'create'),
  path('.', 'create'),
  path('/..', 'create'),
  path('/a/../../admin', 'create'),
  path('/a/./b', 'create'),
  path('/a/.', 'create'),
  path('/%2e%2e/admin', 'create'),
  path('/%2E%2E/admin', 'create'),
  path('/.%2e/admin', 'create'),
  path('/%2e./admin', 'create'),
  path('/a/%2e', 'create'),
  path('/a/..%2f..%2fadmin', 'create'),
  path('/a/..%2F..%2Fadmin', 'create'),
  path('/..;/admin', 'create', '/..;/admin (Tomcat path parameter)'),
  path('/.;x/admin', 'create'),
  path('/%2e%2e;jsessionid=1/admin', 'create'),
  // backslashes and encoded backslashes
  path('/a\\..\\admin', 'create'),
  path('/a/%5c..%5cadmin', 'create'),
  path('\\\\evil.example/x', 'create'),
  path('/\\evil.example', 'create'),
  path('http:\\\\evil.example\\x', 'create'),
  // another host
  path('//evil.example/x', 'create', '//evil.example/x (protocol-relative)'),
  path('//127.0.0.1:22/', 'create'),
  path('http://evil.example/tasks/x', 'create'),
  path('https://127.0.0.1:9/tasks/x', 'create', 'https://127.0.0.1:9/tasks/x (other scheme)'),
  path('http://127.0.0.1:10/tasks/x', 'create', 'http://127.0.0.1:10/tasks/x (other port)'),
  path('http://127.0.0.1/tasks/x', 'create', 'http://127.0.0.1/tasks/x (default port)'),
  path('http://[::1]:9/tasks/x', 'create'),
  path('http://localhost:9/tasks/x', 'create'),
  path('http:/evil.example/tasks/x', 'create'),
  path('http://169.254.169.254/latest/meta-data/', 'create'),
  // userinfo
  path('http://user:pass@127.0.0.1:9/tasks/x', 'create'),
  path('http://user@127.0.0.1:9/tasks/x', 'create'),
  path('http://127.0.0.1:9@evil.example/tasks/x', 'create'),
  path('http://evil.example#@127.0.0.1:9/tasks/x', 'create'),
  // outside the target's path
  path('http://127.0.0.1:9/taskss/x', 'create'),
  path('http://127.0.0.1:9/other', 'create'),
  path('http://127.0.0.1:9/tasks/../admin', 'create'),
  path('http://127.0.0.1:9/tasks/%2e%2e/admin', 'create'),
  // other schemes
  path('javascript:alert(1)', 'create'),
  path('file:///etc/passwd', 'create'),
  path('gopher://127.0.0.1:9/tasks', 'create'),
  path('data:text/plain,hi', 'create'),
  // fragments, controls, encodings, length
  path('/a#frag', 'create'),
  path('#@evil.example', 'create'),
  path('/a b', 'create'),
  path('/a\tb', 'create', '/a<TAB>b'),
  path('/a\r\nHost: evil.example', 'create', '/a<CRLF>Host: evil.example'),
  path('/a\u0000b', 'create', '/a<NUL>b'),
  path('/a\u007fb', 'create', '/a<DEL>b'),
  path('/%zz', 'create'),
  path('/%E0%A4%A', 'create'),
  path('/%u002e%u002e/admin', 'create'),
  path(`/${'a'.repeat(2048)}`, 'create', '/a…a (2049 characters)'),
  // inside the target: accepted, and joined again from the base at dispatch
  path('/', 'allowed', '/ (the target itself)'),
  path('email', 'allowed'),
  path('?x=1', 'allowed'),
  path('/users/42?next=%2F..%2Fadmin', 'allowed', '/users/42?next=%2F..%2Fadmin (dots in the query are data)'),
  path('/a/b/c.d/..e', 'allowed'),
  path('/%252e%252e/admin', 'allowed', '/%252e%252e/admin (a literal %2e%2e segment name)'),
  path('/%2f%2fevil.example', 'allowed', '/%2f%2fevil.example (an encoded slash stays in the path)'),
  path('/%0d%0aHost:%20evil', 'allowed', '/%0d%0aHost:%20evil (encoded CRLF stays encoded)'),
  path('/\uff0e\uff0e/admin', 'allowed', '/．．/admin (fullwidth dots are not dots)'),
  path('http://127.0.0.1:9/tasks/e?x=1', 'allowed'),
  path('http://127.0.0.1:9/tasks', 'allowed'),
  path('HTTP://127.0.0.1:9/tasks/x', 'allowed'),
  path('http://2130706433:9/tasks/x', 'allowed', 'http://2130706433:9/tasks/x (the same origin, spelled as a number)'),
  // a target with a query string
  path(
    'http://127.0.0.1:9/tasks/e?k=1&x=2',
    'allowed',
    'http://127.0.0.1:9/tasks/e?k=1&x=2 on a target with ?k=1',
    'query',
  ),
  path('/e?x=2', 'allowed', '/e?x=2 on a target with ?k=1', 'query'),
  path('http://127.0.0.1:9/tasks/e?x=2', 'create', 'http://127.0.0.1:9/tasks/e?x=2 on a target with ?k=1', 'query'),
  path('http://127.0.0.1:9/tasks/e?k=12', 'create', 'http://127.0.0.1:9/tasks/e?k=12 on a target with ?k=1', 'query'),
];

const HEADERS: SsrfCase[] = [
  header('Host', 'evil.example', 'create'),
  header('host', '169.254.169.254', 'create'),
  header('Content-Length', '0', 'create'),
  header('Transfer-Encoding', 'chunked', 'create'),
  header('Connection', 'close', 'create'),
  header('Upgrade', 'websocket', 'create'),
  header('Proxy-Connection', 'keep-alive', 'create'),
  header('TE', 'trailers', 'create'),
  header('Expect', '100-continue', 'create'),
  header('Content-Type', 'text/html', 'create'),
  header('X-Forwarded-For', '127.0.0.1', 'create'),
  header('X-Forwarded-Host', 'admin.internal', 'create'),
  header('X-Forwarded-Proto', 'https', 'create'),
  header('X_Forwarded_For', '127.0.0.1', 'create'),
  header('Forwarded', 'for=127.0.0.1;host=admin.internal', 'create'),
  header('X-Original-URL', '/admin', 'create'),
  header('X-Rewrite-URL', '/admin', 'create'),
  header('X-HTTP-Method-Override', 'DELETE', 'create'),
  header('X-Method-Override', 'PUT', 'create'),
  header('X-Real-IP', '127.0.0.1', 'create'),
  header('Dispatchr-Task-Id', 'forged', 'create'),
  header('Dispatchr_Queue', 'other', 'create'),
  header('Webhook-Signature', 'v1,forged', 'create'),
  header('Webhook_Id', 'forged', 'create'),
  header('X-Custom', 'a\r\nHost: evil.example', 'create', 'X-Custom: a<CRLF>Host: evil.example'),
  header('X-Custom', 'a\u0000b', 'create', 'X-Custom: a<NUL>b'),
  header('X-Bad Name', 'x', 'create'),
  header('X-Tenant', 'acme', 'allowed'),
  header('Authorization', 'Bearer for-the-target', 'allowed'),
  header('Accept', 'application/json', 'allowed'),
];

const TARGETS: SsrfCase[] = [
  // metadata: refused even with allowPrivateNetwork, in every spelling
  ...[
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
    'http://[::a9fe:a9fe]/',
    'http://[::169.254.169.254]/',
    'http://[::ffff:0:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:a9fe:a9fe::]/',
    'http://[2001:0:4136:e378:8000:63bf:5601:5601]/',
    'http://2852039166/',
    'http://0xa9fea9fe/',
    'http://0251.0376.0251.0376/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://169.254.43518/',
    'http://169.254.169.254./',
    'http://[fd00:ec2::254]/',
    'http://[fd20:ce::254]/',
    'http://168.63.129.16/',
    'http://100.100.100.200/',
    'http://169.254.170.2/v2/credentials',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://METADATA.GOOGLE.INTERNAL./',
    'http://metadata/',
    'http://user:pw@169.254.169.254/',
    'http://example.com@169.254.169.254/',
    'http://169.254.169.254\\@example.com/',
  ].map((t) => target(t, 'config', true)),
  // private: refused unless allowPrivateNetwork
  ...[
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[fec0::1]/',
    'http://[ff02::1]/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://198.18.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://app.localhost/',
    'http://\u2460\u2461\u2466.0.0.1/',
    'http://127\u30020\u30020\u30021/',
  ].map((t) => target(t, 'config')),
  target('http://127.0.0.1:3000/tasks', 'allowed', true),
  target('http://[::ffff:7f00:1]/', 'allowed', true),
  target('http://10.0.0.1/', 'allowed', true),
  // not http(s)
  target('ftp://example.com/', 'config'),
  target('file:///etc/passwd', 'config'),
  // public, or names left to DNS at connect time
  target('https://example.com/hooks', 'allowed'),
  target('https://example.com:8443/x?k=1', 'allowed'),
  target('http://8.8.8.8/', 'allowed'),
  target('http://[2606:4700::1111]/', 'allowed'),
  target('http://[::ffff:8.8.8.8]/', 'allowed'),
  target('http://[64:ff9b::808:808]/', 'allowed'),
  target('http://127.0.0.1.nip.io/', 'allowed', false, 'http://127.0.0.1.nip.io/ (a name: judged on its DNS answers)'),
  target(
    'http://169.254.169.254:80@example.com/',
    'allowed',
    false,
    'http://169.254.169.254:80@example.com/ (the host is example.com)',
  ),
  target(
    'http://example.com\\@169.254.169.254/',
    'allowed',
    false,
    'http://example.com\\@169.254.169.254/ (a backslash ends the host)',
  ),
];

const CONNECT: SsrfCase[] = [
  dns(['93.184.216.34'], 'allowed'),
  dns(['8.8.8.8', '2001:4860:4860::8888'], 'allowed'),
  dns(['10.0.0.5'], 'connect'),
  dns(['10.0.0.5'], 'allowed', true),
  dns(['93.184.216.34', '127.0.0.1'], 'connect'),
  dns(['127.0.0.1', '93.184.216.34'], 'connect'),
  dns(['2606:4700::1111', '::1'], 'connect'),
  dns(['127.0.0.1', '::1'], 'allowed', true),
  dns(['93.184.216.34', '::ffff:a9fe:a9fe'], 'connect', true),
  dns(['::ffff:a9fe:a9fe'], 'connect', true),
  dns(['169.254.169.254'], 'connect', true),
  dns(['fd00:ec2::254'], 'connect', true),
  dns(['64:ff9b::a9fe:a9fe'], 'connect', true),
  dns(['168.63.129.16'], 'connect', true),
  dns(['100.100.100.200'], 'connect', true),
  dns(['0.0.0.0'], 'connect'),
  dns(['::'], 'connect'),
  dns(['2002:7f00:1::'], 'connect'),
  dns(['fe80::1'], 'connect'),
  dns(['100.64.0.1'], 'connect'),
  url('http://metadata.google.internal/', 'connect', true),
  url('http://localhost:3000/', 'connect'),
  url('http://[::ffff:a9fe:a9fe]/', 'connect', true),
  url('http://0xa9fea9fe/', 'connect', true),
  url('http://[::ffff:7f00:1]/', 'connect'),
  url('ftp://example.com/', 'connect'),
  // real dispatches to a local server: refused ones open no connection
  {
    name: 'real dispatch to 127.0.0.1 without allowPrivateNetwork',
    input: { dispatch: 'http://127.0.0.1:{port}/ok' },
    expect: 'connect',
  },
  {
    name: 'real dispatch to [::ffff:127.0.0.1]',
    input: { dispatch: 'http://[::ffff:127.0.0.1]:{port}/ok' },
    expect: 'connect',
  },
  { name: 'real dispatch to 0x7f000001', input: { dispatch: 'http://0x7f000001:{port}/ok' }, expect: 'connect' },
  {
    name: 'real dispatch to a name resolving to 127.0.0.1',
    input: { dispatch: 'http://loopback.test:{port}/ok', dns: ['127.0.0.1'] },
    expect: 'connect',
  },
  {
    name: 'real dispatch to a name mixing public and loopback',
    input: { dispatch: 'http://mixed.test:{port}/ok', dns: ['93.184.216.34', '127.0.0.1'], allowPrivateNetwork: false },
    expect: 'connect',
  },
  {
    name: 'real dispatch to 169.254.169.254 with allowPrivateNetwork',
    input: { dispatch: 'http://169.254.169.254/latest/meta-data/', allowPrivateNetwork: true },
    expect: 'connect',
  },
  {
    name: 'real dispatch to a name resolving to 127.0.0.1, allowPrivateNetwork',
    input: { dispatch: 'http://loopback.test:{port}/ok', dns: ['127.0.0.1'], allowPrivateNetwork: true },
    expect: 'allowed',
  },
  // redirects are the outcome, never followed
  {
    name: 'a 302 to the metadata address',
    input: { redirect: [302, 'http://169.254.169.254/latest/meta-data/'] },
    expect: 'allowed',
  },
  { name: 'a 301 to [::ffff:a9fe:a9fe]', input: { redirect: [301, 'http://[::ffff:a9fe:a9fe]/'] }, expect: 'allowed' },
  {
    name: 'a 307 to the same server',
    input: { redirect: [307, 'http://127.0.0.1:{port}/followed'] },
    expect: 'allowed',
  },
  { name: 'a 308 to a relative path', input: { redirect: [308, '/followed'] }, expect: 'allowed' },
];

export const SSRF_CASES: readonly SsrfCase[] = [...PATHS, ...HEADERS, ...TARGETS, ...CONNECT];
