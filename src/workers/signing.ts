import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `{webhook-id}.{webhook-timestamp}.{body}` and each signature is `v1,<base64 HMAC-SHA256>`.
 *
 * Secret format: `whsec_<base64>` means the key is the base64-decoded part (the form Standard
 * Webhooks libraries generate and verify by default). A secret WITHOUT the prefix is used as its
 * raw UTF-8 bytes, so an operator can paste any string; verifiers then need the "raw" key format
 * (`new Webhook(secret, { format: 'raw' })` in the reference library). Empty keys are skipped:
 * an HMAC with an empty key proves nothing.
 */
const PREFIX = 'whsec_';

export function decodeSigningSecret(secret: string): Buffer {
  return secret.startsWith(PREFIX)
    ? Buffer.from(secret.slice(PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/**
 * Returns the `webhook-signature` header value: one `v1,<sig>` per secret, space-separated, so
 * during rotation a receiver holding either the old or the new secret accepts the request.
 * Returns '' when no usable secret is given.
 */
export function signPayload(
  id: string,
  timestampSeconds: number,
  body: Uint8Array | string | null,
  secrets: readonly string[],
): string {
  const prefix = `${id}.${timestampSeconds}.`;
  const signatures: string[] = [];
  for (const secret of secrets) {
    const key = decodeSigningSecret(secret);
    if (key.length === 0) continue;
    const hmac = createHmac('sha256', key).update(prefix);
    if (body !== null) hmac.update(body);
    signatures.push(`v1,${hmac.digest('base64')}`);
  }
  return signatures.join(' ');
}
