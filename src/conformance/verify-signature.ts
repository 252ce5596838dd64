/**
 * The kit's own Standard Webhooks verifier (docs/spec.md 5.3). The kit imports nothing from the
 * implementation under test, so it carries this small one: a bug in Dispatchr's signing cannot be
 * mirrored by a bug here. Written from the Standard Webhooks text: the key is the bytes of the
 * base64 after `whsec_`, the signed content is `{webhook-id}.{webhook-timestamp}.{body}`, and the
 * header holds space-separated `v1,<base64 HMAC-SHA256>` entries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'whsec_';

/** The HMAC key of a `whsec_…` secret: the bytes its base64 stands for. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('a signing secret must start with whsec_');
  return Buffer.from(secret.slice(PREFIX.length), 'base64');
}

/** The base64 signature of one request under one secret. */
export function signatureOf(secret: string, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secretKey(secret))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]))
    .digest('base64');
}

/** The entries of a `webhook-signature` header, in order: `{ version, signature }`. */
export function parseSignatureHeader(header: string): Array<{ version: string; signature: string }> {
  return header
    .split(' ')
    .filter((entry) => entry !== '')
    .map((entry) => {
      const comma = entry.indexOf(',');
      return comma < 0
        ? { version: '', signature: entry }
        : { version: entry.slice(0, comma), signature: entry.slice(comma + 1) };
    });
}

/** Whether a `v1` signature verifies under the secret, compared in constant time. */
export function verifiesWith(secret: string, id: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(signatureOf(secret, id, timestamp, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
