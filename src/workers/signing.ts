import { createHmac } from 'node:crypto';
import { parseSigningSecret } from '../signing-secret.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `{webhook-id}.{webhook-timestamp}.{body}` and each signature is `v1,<base64 HMAC-SHA256>`.
 *
 * Secrets are `whsec_<base64 of 24-64 bytes>` and the key is the decoded bytes, as every Standard
 * Webhooks library reads them (src/signing-secret.ts). Config validation refuses any other secret;
 * one that gets here anyway is a bug, so it throws (naming the rule, never the secret) rather than
 * quietly sending the request unsigned.
 */
export function decodeSigningSecret(secret: string): Buffer {
  const known = decodedKeys.get(secret);
  if (known) return known;
  const parsed = parseSigningSecret(secret);
  if (!parsed.ok) throw new TypeError(`signing secret: ${parsed.message}`);
  // A process holds a handful of secrets (the config's), and each request would decode them again.
  if (decodedKeys.size >= MAX_DECODED_KEYS) decodedKeys.clear();
  decodedKeys.set(secret, parsed.key);
  return parsed.key;
}

const MAX_DECODED_KEYS = 64;
const decodedKeys = new Map<string, Buffer>();

/**
 * Returns the `webhook-signature` header value: one `v1,<sig>` per secret, space-separated, so
 * during rotation a receiver holding either the old or the new secret accepts the request.
 * Returns '' when no secret is given.
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
    const hmac = createHmac('sha256', key).update(prefix);
    if (body !== null) hmac.update(body);
    signatures.push(`v1,${hmac.digest('base64')}`);
  }
  return signatures.join(' ');
}
