/**
 * The configuration an implementation under test needs (`--print-config`): the kit's tokens, a
 * scheduler tuned for quick rescue, and four queues whose targets are the kit's own server. The
 * tokens and signing secrets are fixed test values, printed for anyone to read: the kit has to
 * know them to call the API and to verify signatures, and they guard nothing but a test setup.
 */
import os from 'node:os';
import type { KitNames, KitTokens } from './kit.js';

export const NAMES: KitNames = { queue: 'kit', mapped: 'kit-mapped', other: 'kit-other', privateNet: 'kit-private' };

export const DEFAULT_TOKENS: KitTokens = {
  admin: 'kit-admin-token-0123456789abcdef',
  enqueue: 'kit-enqueue-token-0123456789abcdef',
  read: 'kit-read-token-0123456789abcdef',
  scoped: 'kit-scoped-token-0123456789abcdef',
};

/** Standard Webhooks secrets: `whsec_` + base64 of 32 fixed bytes; newest first (rotation, spec 5.3). */
export const SECRETS: readonly [string, string] = [
  `whsec_${Buffer.from('dispatchr-conformance-new-secret').toString('base64')}`,
  `whsec_${Buffer.from('dispatchr-conformance-old-secret').toString('base64')}`,
];

/** The kit's statusMap for `kit-mapped`, as kit.ts documents it. */
export const MAPPED_STATUS_MAP = {
  '409': 'retry',
  '404': 'completed',
  '418': 'failed',
  '5xx': 'failed',
  '503': 'retry',
};

export const DEFAULT_PORT = 4599;

export interface PrintOptions {
  port: number;
  /** A name that resolves to a private address (default: this machine's host name). */
  privateHost?: string;
  tokens?: KitTokens;
}

export function defaultPrivateHost(): string {
  return os.hostname();
}

/** The YAML fragment to merge into the implementation's configuration (add a database). */
export function printConfig(options: PrintOptions): string {
  const tokens = options.tokens ?? DEFAULT_TOKENS;
  const base = `http://127.0.0.1:${options.port}`;
  const privateHost = options.privateHost ?? defaultPrivateHost();
  const q = (value: string) => JSON.stringify(value);
  return `# The configuration Dispatchr's conformance kit needs (dispatchr-conformance --print-config).
# Merge it into the implementation's configuration and add a database. The tokens and signing
# secrets below are fixed test values that the kit knows: never use them anywhere else.
recorder:
  tokens:
    - { token: ${q(tokens.admin)}, name: kit-admin, role: admin }
    - { token: ${q(tokens.enqueue)}, name: kit-enqueue, role: enqueue }
    - { token: ${q(tokens.read)}, name: kit-read, role: read }
    - { token: ${q(tokens.scoped)}, name: kit-scoped, role: enqueue, queues: [${NAMES.other}] }
scheduler:
  # Short, so that a killed scheduler's tasks are rescued within seconds (spec section 8).
  leaseDuration: 6s
  heartbeatInterval: 1s
  shutdownTimeout: 3s
  pollInterval: 200ms
queues:
  ${NAMES.queue}:
    target: ${base}/kit
    allowPrivateNetwork: true
    timeout: 2s
    # Rotation: signed with both, newest first (spec 5.3).
    signingSecrets: [${q(SECRETS[0])}, ${q(SECRETS[1])}]
    retry: { strategy: fixed, options: { delay: 300ms }, maxAttempts: 3 }
  ${NAMES.mapped}:
    target: ${base}/kit-mapped
    allowPrivateNetwork: true
    timeout: 2s
    statusMap: ${JSON.stringify(MAPPED_STATUS_MAP)}
    retry: { strategy: fixed, options: { delay: 300ms }, maxAttempts: 2 }
  ${NAMES.other}:
    target: ${base}/kit-other
    allowPrivateNetwork: true
    timeout: 2s
    retry: { strategy: fixed, options: { delay: 300ms }, maxAttempts: 3 }
  ${NAMES.privateNet}:
    # A name that resolves to a private address, without allowPrivateNetwork: every request refused (spec 5.1).
    target: http://${privateHost}:${options.port}/p
    timeout: 2s
    retry: { strategy: fixed, options: { delay: 300ms }, maxAttempts: 2 }
`;
}
