/**
 * The conformance kit's contract between its runner and its cases (docs/spec.md section 13). The
 * kit tests an implementation from the outside only: its HTTP API, and the requests its scheduler
 * sends to the kit's own target. It imports nothing from Dispatchr's implementation
 * (test/unit/architecture.test.ts holds that), so a bug there cannot hide a failure here.
 */
import type { ApiClient } from './api-client.js';
import type { KitTarget } from './target-server.js';

export type Level = 'MUST' | 'SHOULD';
export type Group = 'recorder' | 'dispatch' | 'guarantees';

export interface ConformanceCase {
  /** Unique, stable, starting with the spec section it checks: `4.4 create answers 201 with Location`. */
  name: string;
  /** The docs/spec.md section, e.g. `4.4`, `5.3`, `8.1`. */
  section: string;
  level: Level;
  group: Group;
  /** Longest the case may take; the runner fails it after this (default 20 s). */
  timeoutMs?: number;
  /**
   * Run alone, after the concurrent cases, with no other case running (e.g. one that changes
   * what every other case relies on). Guarantees cases always run alone. Default false: the
   * runner runs cases a few at a time, so a case must not disturb another's queue or paths.
   */
  serial?: boolean;
  /** Throws (a KitFailure from ./assert.ts, or anything) when the implementation breaks the rule. */
  run(kit: KitContext): Promise<void>;
}

/** The queues and tokens of the configuration the kit prints (`--print-config`); fixed names. */
export interface KitNames {
  /** Signed with two secrets (rotation), fixed retry: 3 attempts, 300 ms apart; timeout 2 s. */
  queue: string;
  /** Same target, statusMap { "409": "retry", "404": "completed", "418": "failed", "5xx": "failed", "503": "retry" }, 2 attempts. */
  mapped: string;
  /** A second plain queue, for the queue-scoped token and cross-queue checks. */
  other: string;
  /** Target host = a name that resolves to a private address, without allowPrivateNetwork. */
  privateNet: string;
}

export interface KitTokens {
  admin: string;
  enqueue: string;
  read: string;
  /** An enqueue token limited to `names.other`. */
  scoped: string;
}

export interface KitContext {
  api: ApiClient;
  target: KitTarget;
  names: KitNames;
  tokens: KitTokens;
  /** The two signing secrets of `names.queue`, newest first (`whsec_...`). */
  secrets: readonly [string, string];
  /** Shell commands that start and kill -9 the implementation's scheduler (guarantees group). */
  commands: { start?: string; kill?: string; stop?: string };
  /** A fresh prefix for keys, idempotency keys and paths, so runs never collide. */
  unique(label: string): string;
  log(line: string): void;
}
