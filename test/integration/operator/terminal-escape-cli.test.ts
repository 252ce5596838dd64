import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TaskRecord } from '../../../src/task.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/**
 * A task whose creator and target chose hostile text: an OSC 52 sequence (it writes the operator's
 * clipboard), a CSI that clears the screen, a lone C1 CSI (U+009B), DEL, a bidirectional override
 * and a line break that would forge a table row. `tasks list` and `tasks show` (real CLI processes
 * over a real database) must print all of it visibly escaped, never as raw control characters, and
 * `--json` must still give back the exact values.
 */
vi.setConfig({ testTimeout: 120_000 });

const OSC52 = '\u001b]52;c;aGk=\u0007';
const HOSTILE = `${OSC52}\u001b[2J\u009b31m\u007f\u202e`;
const KEY = `key-${HOSTILE}`;
const PATH = `/p/${HOSTILE}`;
const HEADER = `v-${HOSTILE}`;
const ERROR = `HTTP 503: ${HOSTILE}\nforged-row failed 9`;
const EXCERPT = `excerpt ${HOSTILE}`;

/** Every C0 control but the line feed, DEL, C1 and the bidirectional controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe.each(drivers())('the operator CLI escapes what it prints on %s', (driver) => {
  let env: OperatorEnv;
  let task: TaskRecord;

  beforeAll(async () => {
    env = await startOperatorEnv(driver);
    task = await env.seed('emails', { path: PATH, key: KEY, headers: { 'x-note': HEADER } });
    await env.settle(task, 'retryable', 503, new Date(Date.now() + 3_600_000));
    // The error and the response excerpt as a hostile target would have them recorded.
    const p = driver === 'postgresql' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
    await env.db.sql.execute(`update dispatchr_task set last_error = ${p[0]} where id = ${p[1]}`, [ERROR, task.id]);
    await env.db.sql.execute(
      `update dispatchr_attempt set error = ${p[0]}, response_excerpt = ${p[1]} where task_id = ${p[2]}`,
      [ERROR, EXCERPT, task.id],
    );
  });
  afterAll(async () => env?.cleanup());

  it('tasks list and tasks show print no raw control character, and show each escaped', async () => {
    const [list, show] = await Promise.all([env.cli(['tasks', 'list']), env.cli(['tasks', 'show', task.id])]);
    for (const result of [list, show]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(RAW_CONTROL);
    }
    // One row per task: the line break in the error did not forge a second one.
    expect(list.stdout.trim().split('\n')).toHaveLength(2);
    expect(list.stdout).toContain('/p/\\x1b]52;c;aGk=\\x07\\x1b[2J\\x9b31m'); // the PATH column is cut at 40
    expect(show.stdout).toMatch(/^key\s+key-\\x1b]52;c;aGk=\\x07\\x1b\[2J\\x9b31m\\x7f\\u202e$/m);
    expect(show.stdout).toContain('x-note: v-\\x1b]52;c;aGk=\\x07');
    expect(show.stdout).toMatch(
      /^last error\s+HTTP 503: \\x1b]52;c;aGk=\\x07\\x1b\[2J\\x9b31m\\x7f\\u202e\\x0aforged-row failed 9$/m,
    );
    expect(show.stdout).not.toMatch(/^forged-row/m);
  });

  it('--json prints no raw control character either, and parses back to the exact values', async () => {
    const [list, show] = await Promise.all([
      env.cli(['tasks', 'list', '--json']),
      env.cli(['tasks', 'show', task.id, '--json']),
    ]);
    for (const result of [list, show]) expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(json(list).tasks[0]).toMatchObject({ id: task.id, key: KEY, path: PATH, lastError: ERROR });
    const shown = json(show);
    expect(shown).toMatchObject({ key: KEY, path: PATH, headers: { 'x-note': HEADER }, lastError: ERROR });
    expect(shown.attempts[0]).toMatchObject({ error: ERROR, responseExcerpt: EXCERPT });
  });
});
