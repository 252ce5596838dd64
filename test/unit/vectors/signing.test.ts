import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeSecrets, isSignatureError, verify } from '../../../src/handler/index.js';
import { parseSigningSecret } from '../../../src/signing-secret.js';
import { signPayload } from '../../../src/workers/signing.js';
import { expectUniqueNames, loadVectors } from './load-vectors.js';

/**
 * spec/vectors/signing.json: the webhook-signature the scheduler sends (one secret, or several
 * during rotation), the secret-format rule, and what the receiver kit accepts.
 */
interface SignCase {
  name: string;
  secret?: string;
  secrets?: string[];
  id: string;
  timestamp: number;
  payload?: string;
  payloadBase64?: string;
  signature?: string;
  signatures?: string;
}
interface SecretCase {
  name: string;
  secret: string;
  valid: boolean;
}
interface VerifyCase {
  name: string;
  secret: string;
  id: string;
  timestamp: number;
  payload: string;
  header: string;
  valid: boolean;
}

const file = loadVectors<SignCase>('signing.json', 10);
const secretCases = file.secrets as SecretCase[];
const verifyCases = file.verify as VerifyCase[];

function body(c: SignCase): Buffer {
  if ((c.payload === undefined) === (c.payloadBase64 === undefined)) throw new Error('payload or payloadBase64');
  return c.payload !== undefined ? Buffer.from(c.payload, 'utf8') : Buffer.from(c.payloadBase64!, 'base64');
}

/** The rule written out with node:crypto alone, so the vector is checked against more than our code. */
function reference(secret: string, c: SignCase): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const hmac = createHmac('sha256', key).update(`${c.id}.${c.timestamp}.`).update(body(c));
  return `v1,${hmac.digest('base64')}`;
}

describe('spec/vectors/signing.json: signatures', () => {
  it.each(file.cases)('$name', (c) => {
    const secrets = c.secrets ?? [c.secret!];
    const expected = c.signatures ?? c.signature!;
    expect(Number.isInteger(c.timestamp)).toBe(true);
    expect(signPayload(c.id, c.timestamp, body(c), secrets)).toBe(expected);
    expect(secrets.map((secret) => reference(secret, c)).join(' ')).toBe(expected);
  });
});

describe('spec/vectors/signing.json: secrets', () => {
  it('has cases', () => {
    expect(secretCases.length).toBeGreaterThanOrEqual(8);
    expectUniqueNames('signing.json secrets', secretCases);
  });

  it.each(secretCases)('$name', (c) => {
    expect(parseSigningSecret(c.secret).ok).toBe(c.valid);
    // The receiver kit accepts exactly the secrets the scheduler accepts.
    let accepted = true;
    try {
      decodeSecrets(c.secret);
    } catch {
      accepted = false;
    }
    expect(accepted).toBe(c.valid);
  });
});

describe('spec/vectors/signing.json: verify', () => {
  it('has cases', () => {
    expect(verifyCases.length).toBeGreaterThanOrEqual(6);
    expectUniqueNames('signing.json verify', verifyCases);
  });

  it.each(verifyCases)('$name', (c) => {
    const headers = {
      'webhook-id': c.id,
      'webhook-timestamp': String(c.timestamp),
      'webhook-signature': c.header,
      // The delivery headers verify() reads once the signature has passed.
      'dispatchr-task-id': c.id,
      'dispatchr-queue': 'vectors',
      'dispatchr-attempt': '1',
      'dispatchr-scheduled-at': new Date(c.timestamp * 1000).toISOString(),
    };
    let valid = true;
    try {
      verify(Buffer.from(c.payload, 'utf8'), headers, c.secret, { now: c.timestamp * 1000 });
    } catch (error) {
      expect(isSignatureError(error)).toBe(true);
      valid = false;
    }
    expect(valid).toBe(c.valid);
  });
});
