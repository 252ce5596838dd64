import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeSecrets, DispatchrSignatureError, isSignatureError, verify } from '../../../src/handler/index.js';
import { NOW_SECONDS, SECRET, signedRequest } from './signed-request.js';

/**
 * verify(rawBody, headers, secret): accepts exactly what the scheduler signs (headers built by the
 * scheduler's own code), agrees with the reference Standard Webhooks library, and refuses the rest
 * with a code that says why and a message without secrets.
 */
const now = NOW_SECONDS * 1000;

function expectRefused(run: () => unknown, code: string): DispatchrSignatureError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DispatchrSignatureError);
    expect((error as DispatchrSignatureError).code).toBe(code);
    expect((error as DispatchrSignatureError).status).toBe(401);
    return error as DispatchrSignatureError;
  }
  throw new Error(`expected a refusal with ${code}, but the request was accepted`);
}

describe('verify() against what the scheduler sends', () => {
  it('accepts a genuine dispatch and returns the task it is about', () => {
    const { body, headers } = signedRequest({ attempt: 3, previousStatus: 503 });
    expect(verify(body, headers, SECRET, { now })).toEqual({
      taskId: '0190f5f4-7a3e-7c1b-9b2a-3f4e5d6c7b8a',
      queue: 'emails',
      attempt: 3,
      scheduledAt: new Date('2025-06-15T15:06:40.000Z'),
      previousStatus: 503,
      cron: null,
      cronFireAt: null,
    });
  });

  it("reads a cron task's entry and fire time, and refuses a fire time that is not a time", () => {
    const fireTime = '2025-06-15T15:00:00.000Z';
    const { body, headers } = signedRequest({ cron: 'nightly', cronFireAt: fireTime });
    expect(headers['dispatchr-cron']).toBe('nightly');
    const dispatch = verify(body, headers, SECRET, { now });
    expect(dispatch.cron).toBe('nightly');
    expect(dispatch.cronFireAt).toEqual(new Date(fireTime));
    for (const notATime of ['yesterday', '2026', 'June 1, 2026']) {
      const bad = signedRequest({ cron: 'nightly', cronFireAt: notATime });
      expect(expectRefused(() => verify(bad.body, bad.headers, SECRET, { now }), 'invalid_header').message).toMatch(
        /dispatchr-cron-fire-time/,
      );
    }
  });

  it('accepts the body as a string or bytes, and headers as a fetch Headers or in any case', () => {
    const { body, headers } = signedRequest();
    expect(verify(body.toString('utf8'), headers, SECRET, { now }).taskId).toBeTruthy();
    expect(verify(new Uint8Array(body), new Headers(headers), SECRET, { now }).queue).toBe('emails');
    const shouting = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verify(body, shouting, SECRET, { now }).attempt).toBe(1);
  });

  it('accepts an empty body and a binary one', () => {
    const empty = signedRequest({ body: null, contentType: null });
    expect(verify(empty.body, empty.headers, SECRET, { now }).taskId).toBeTruthy();
    const bytes = Buffer.from([0, 255, 128, 10, 13]);
    const binary = signedRequest({ body: bytes, contentType: 'application/octet-stream' });
    expect(verify(bytes, binary.headers, SECRET, { now }).taskId).toBeTruthy();
  });

  it('refuses a secret without whsec_ as a setup mistake, as the scheduler config does, without showing it', () => {
    const { body, headers } = signedRequest();
    for (const secret of [
      'a plain secret pasted by an operator',
      SECRET.slice('whsec_'.length),
      `whsec_${Buffer.alloc(16, 1).toString('base64')}`,
    ]) {
      expect(() => verify(body, headers, secret, { now }), secret).toThrow(TypeError);
      expect(() => verify(body, headers, secret, { now }), secret).toThrow(
        /expected whsec_ followed by the base64 of 24 to 64 random bytes/,
      );
      try {
        verify(body, headers, secret, { now });
      } catch (error) {
        expect((error as Error).message).not.toContain(secret.slice(6, 30));
      }
    }
  });

  it('accepts during rotation with either secret, and refuses a third', () => {
    const next = `whsec_${Buffer.from('the-next-secret-after-rotation!!').toString('base64')}`;
    const { body, headers } = signedRequest({ signingSecrets: [next, SECRET] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(body, headers, SECRET, { now }).taskId).toBeTruthy();
    expect(verify(body, headers, next, { now }).taskId).toBeTruthy();
    const third = `whsec_${Buffer.from('a-third-secret-nobody-signs-with').toString('base64')}`;
    expect(verify(body, headers, [third, next], { now }).taskId).toBeTruthy();
    expectRefused(() => verify(body, headers, third, { now }), 'invalid_signature');
    expect(verify(body, headers, [next, undefined as unknown as string], { now }).taskId).toBeTruthy(); // an unset old variable
  });

  it('applies the tolerance in both directions, 300 s by default, inclusive', () => {
    const { body, headers } = signedRequest();
    expect(verify(body, headers, SECRET, { now: now + 300_000 }).taskId).toBeTruthy();
    expect(verify(body, headers, SECRET, { now: now - 300_000 }).taskId).toBeTruthy();
    expectRefused(() => verify(body, headers, SECRET, { now: now + 301_000 }), 'timestamp_too_old');
    expectRefused(() => verify(body, headers, SECRET, { now: new Date(now - 301_000) }), 'timestamp_in_future');
    expectRefused(
      () => verify(body, headers, SECRET, { now: now + 11_000, toleranceSeconds: 10 }),
      'timestamp_too_old',
    );
  });

  it('refuses missing or malformed headers, naming the header', () => {
    const { body, headers } = signedRequest();
    for (const name of [
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'dispatchr-task-id',
      'dispatchr-queue',
      'dispatchr-attempt',
      'dispatchr-scheduled-at',
    ]) {
      const { [name]: _dropped, ...rest } = headers;
      expect(expectRefused(() => verify(body, rest, SECRET, { now }), 'missing_header').message).toContain(name);
    }
    expectRefused(
      () => verify(body, { ...headers, 'webhook-timestamp': '17e8' }, SECRET, { now }),
      'invalid_timestamp',
    );
    expectRefused(
      () => verify(body, { ...headers, 'webhook-signature': [headers['webhook-signature'], 'v1,x'] }, SECRET, { now }),
      'invalid_header',
    );
    expectRefused(
      () => verify(body, { ...headers, 'dispatchr-task-id': 'another-task' }, SECRET, { now }),
      'invalid_header',
    );
    expectRefused(() => verify(body, { ...headers, 'dispatchr-attempt': '0' }, SECRET, { now }), 'invalid_header');
    expectRefused(
      () => verify(body, { ...headers, 'dispatchr-scheduled-at': 'soon' }, SECRET, { now }),
      'invalid_header',
    );
  });

  it('refuses signatures of another version or with the prefix only', () => {
    const { body, headers } = signedRequest();
    const digest = headers['webhook-signature'].slice(3);
    expectRefused(
      () => verify(body, { ...headers, 'webhook-signature': `v2,${digest}` }, SECRET, { now }),
      'invalid_signature',
    );
    expectRefused(() => verify(body, { ...headers, 'webhook-signature': 'v1,' }, SECRET, { now }), 'invalid_signature');
    expectRefused(
      () => verify(body, { ...headers, 'webhook-signature': `v1,${digest}=` }, SECRET, { now }),
      'invalid_signature',
    );
  });

  it('never puts the secret or the signature into its messages', () => {
    const { body, headers } = signedRequest();
    const error = expectRefused(
      () => verify(Buffer.concat([body, Buffer.from(' ')]), headers, SECRET, { now }),
      'invalid_signature',
    );
    expect(error.message).not.toContain(SECRET.slice(6, 20));
    expect(error.message).not.toContain(headers['webhook-signature'].slice(3, 20));
    expect(isSignatureError(error)).toBe(true);
    expect(isSignatureError(new Error('x'))).toBe(false);
  });

  it('treats a missing or empty secret as a setup mistake (TypeError), not a bad request', () => {
    const { body, headers } = signedRequest();
    expect(() => verify(body, headers, '', { now })).toThrow(TypeError);
    expect(() => verify(body, headers, [], { now })).toThrow(TypeError);
    expect(() => decodeSecrets('whsec_')).toThrow(TypeError);
    expect(() => decodeSecrets([SECRET, 'whsec_'])).toThrow(/signing secret 2 of 2/);
  });
});

describe('cross-checked with the standardwebhooks reference library', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('verifies what the reference library signs, and the reference verifies what the scheduler signs', () => {
    const id = '0190f5f4-0000-7000-8000-000000000001';
    const payload = JSON.stringify({ hello: 'wörld' });
    const at = new Date();
    const signature = new Webhook(SECRET).sign(id, at, payload);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
      'dispatchr-task-id': id,
      'dispatchr-queue': 'q',
      'dispatchr-attempt': '1',
      'dispatchr-scheduled-at': at.toISOString(),
    };
    expect(verify(payload, headers, SECRET).taskId).toBe(id);

    const sent = signedRequest({}, nowSeconds());
    expect(new Webhook(SECRET).verify(sent.body.toString('utf8'), sent.headers)).toEqual({ to: 'a@example.com' });
    expect(verify(sent.body, sent.headers, SECRET).taskId).toBeTruthy();
  });

  it('agrees with the reference on the key: whsec_ or not, the library decodes the same bytes', () => {
    const sent = signedRequest({}, nowSeconds());
    const unprefixed = SECRET.slice('whsec_'.length);
    expect(new Webhook(unprefixed).verify(sent.body.toString('utf8'), sent.headers)).toEqual({ to: 'a@example.com' });
    expect(
      new Webhook(Buffer.from(unprefixed, 'base64'), { format: 'raw' }).verify(
        sent.body.toString('utf8'),
        sent.headers,
      ),
    ).toEqual({ to: 'a@example.com' });
  });

  it('refuses what the reference refuses: a changed body, id, timestamp or secret', () => {
    const sent = signedRequest({}, nowSeconds());
    const text = sent.body.toString('utf8');
    const cases: [string, Record<string, string>, string][] = [
      ['body', sent.headers, text.replace('a@', 'b@')],
      [
        'id',
        {
          ...sent.headers,
          'webhook-id': 'x' + sent.headers['webhook-id'].slice(1),
          'dispatchr-task-id': 'x' + sent.headers['webhook-id'].slice(1),
        },
        text,
      ],
      [
        'timestamp',
        { ...sent.headers, 'webhook-timestamp': String(Number(sent.headers['webhook-timestamp']) - 1) },
        text,
      ],
    ];
    for (const [what, headers, payload] of cases) {
      expect(() => new Webhook(SECRET).verify(payload, headers), what).toThrow();
      expect(() => verify(payload, headers, SECRET), what).toThrow(DispatchrSignatureError);
    }
    const other = `whsec_${Buffer.from('some-other-secret-of-24-bytes').toString('base64')}`;
    expect(() => new Webhook(other).verify(text, sent.headers)).toThrow();
    expect(() => verify(text, sent.headers, other)).toThrow(DispatchrSignatureError);
  });
});
