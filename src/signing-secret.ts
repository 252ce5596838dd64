/**
 * Signing secrets (spec §5.3), one rule for the config, the scheduler and `dispatchr/handler`:
 * Standard Webhooks' form, `whsec_` followed by the base64 of 24 to 64 random bytes; the key is
 * those bytes. Kernel-level and dependency-free, so the handler kit can share it.
 *
 * Why so strict: Standard Webhooks libraries base64-decode whatever follows `whsec_`, and most of
 * them also base64-decode a secret without the prefix, while Dispatchr used to read such a secret as
 * its UTF-8 bytes. A secret both sides read differently fails every request, so a secret without the
 * prefix is refused rather than guessed at. The base64 must be canonical (standard alphabet,
 * padded), because lenient decoders (Node's Buffer, Python's default b64decode) skip characters
 * that strict ones (the JavaScript library) refuse: only canonical text gives every library the
 * same key. Messages name the rule and never the secret.
 */
export const SIGNING_SECRET_PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

export type SigningSecretResult = { ok: true; key: Buffer } | { ok: false; message: string };

const HOW = `${SIGNING_SECRET_PREFIX} followed by the base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes (make one with: echo ${SIGNING_SECRET_PREFIX}$(openssl rand -base64 32))`;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseSigningSecret(secret: unknown): SigningSecretResult {
  if (typeof secret !== 'string' || secret === '')
    return refuse('it is empty (leave the key out to send unsigned requests)');
  if (!secret.startsWith(SIGNING_SECRET_PREFIX))
    return refuse(`it has no ${SIGNING_SECRET_PREFIX} prefix, and libraries read such secrets differently`);
  const encoded = secret.slice(SIGNING_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return refuse(`the text after ${SIGNING_SECRET_PREFIX} is not padded standard base64`);
  const key = Buffer.from(encoded, 'base64');
  // The regex admits non-zero padding bits (`QR==`); re-encoding tells canonical text apart.
  if (key.toString('base64') !== encoded)
    return refuse(`the base64 after ${SIGNING_SECRET_PREFIX} has non-zero padding bits`);
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES)
    return refuse(`it decodes to ${key.length} bytes`);
  return { ok: true, key };
}

/** "expected <rule>: <what is wrong>, got ..." — the value itself is never part of the message. */
function refuse(reason: string): SigningSecretResult {
  return { ok: false, message: `expected ${HOW}: ${reason}, got a secret (not shown)` };
}
