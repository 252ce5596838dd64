/**
 * The one rule for which names carry credentials: a task header's value shown by the API, a header
 * value a search may match, and a logged field are all hidden by this rule and no other, so what
 * one surface hides the others hide too. A name is sensitive when, lowercased, it contains any of
 * these parts. Substrings rather than exact names, because credentials hide under every vendor's
 * spelling (`X-Api-Key`, `X-Auth-Token`, `Set-Cookie`, `X-Hub-Signature`, `db_password`); a false
 * positive only hides a harmless value.
 *
 * Kernel, not rules/: the logger is kernel code, which imports nothing of ours.
 * The parts are lowercase letters only, so SQL can use them in LIKE patterns as they are.
 */
export const SENSITIVE_NAME_PARTS = [
  'auth', // authorization, proxy-authorization, x-auth-token, www-authenticate
  'cookie', // cookie, set-cookie
  'token',
  'secret',
  'key', // x-api-key, api_key, apikey
  'passw', // password, passwd
  'pwd',
  'signature', // x-hub-signature, x-signature
  'jwt',
  'session',
  'credential',
] as const;

export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  for (const part of SENSITIVE_NAME_PARTS) if (lower.includes(part)) return true;
  return false;
}
