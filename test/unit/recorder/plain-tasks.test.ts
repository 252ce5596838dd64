import { describe, expect, it } from 'vitest';
import { plainTasks } from '../../../src/recorder/plain-tasks.js';
import { rememberedTaskPath } from '../../../src/recorder/remembered-task-path.js';
import { normalizeTaskPath } from '../../../src/rules/target-path.js';
import { batchInputSchema, taskInputSchema, type TaskRules } from '../../../src/recorder/schemas/task-input.schema.js';

/**
 * The shortcut for `{ path, body }` creates must agree with the schema: whatever it accepts, the
 * schema accepts with the same output; whatever the schema refuses, it leaves to the schema.
 */
const rules: TaskRules = { target: 'https://example.com/base?k=1', leaseMs: 120_000, now: Date.now };
const single = taskInputSchema(rules);
const batch = batchInputSchema(rules);

const tasks: unknown[] = [
  { path: '/noop', body: { hello: 'world', n: 1 } },
  { body: null },
  {},
  { path: '' },
  { path: 'relative/x?y=1', body: [1, 'two'] },
  { path: 'https://example.com/base/in?k=1&z=2', body: 'text' },
  { path: 'https://other.example/x' },
  { path: '/a/../b' },
  { path: '/%2e%2e/x' },
  { path: '/a b' },
  { path: '/frag#x' },
  { path: 'x'.repeat(2049) },
  { path: 42 },
  { path: null },
  { path: '/noop', body: 1, method: 'GET' },
  { path: '/noop', extra: 1 },
  { path: '/noop', contentType: 'text/plain' },
  { key: 'k', body: {} },
  null,
  [],
  'text',
  JSON.parse('{"__proto__": {"path": 1}, "body": 1}'),
];

describe('plainTasks', () => {
  it.each(tasks.map((task) => [JSON.stringify(task)?.slice(0, 60), task]))(
    'agrees with the schema on %s',
    (_, task) => {
      const zod = single.safeParse(task);
      const fast = plainTasks(task, 'single', rules.target);
      if (fast) {
        expect(zod.success).toBe(true);
        expect(fast).toEqual([zod.data]);
      }
      if (!zod.success) expect(fast).toBeUndefined();
    },
  );

  it('takes the common shapes itself', () => {
    expect(plainTasks({ path: '/noop', body: { a: 1 } }, 'single', rules.target)).toEqual([
      { path: '/noop', body: { a: 1 } },
    ]);
    expect(plainTasks({ tasks: [{ path: '/a' }, { body: 2 }] }, 'batch', rules.target)).toHaveLength(2);
  });

  it('agrees with the schema on batches', () => {
    const valid = tasks.filter((task) => single.safeParse(task).success);
    const batches: unknown[] = [
      { tasks: valid },
      { tasks: tasks },
      { tasks: [] },
      { tasks: Array.from({ length: 1000 }, () => ({ path: '/a' })) },
      { tasks: Array.from({ length: 1001 }, () => ({ path: '/a' })) },
      { tasks: [{ path: '/a' }], more: 1 },
      { tasks: { 0: { path: '/a' } } },
      [{ path: '/a' }],
      null,
    ];
    for (const value of batches) {
      const zod = batch.safeParse(value);
      const fast = plainTasks(value, 'batch', rules.target);
      if (fast) {
        expect(zod.success).toBe(true);
        expect(fast).toEqual(zod.data!.tasks);
      }
      if (!zod.success) expect(fast).toBeUndefined();
    }
    expect(plainTasks(batches[3], 'batch', rules.target)).toHaveLength(1000);
  });

  it('remembers paths with the same results normalizeTaskPath gives', () => {
    for (const path of ['/a', '/a', '', '?q=1', 'https://example.com/base/x?k=1', '/../x', '/a', undefined])
      expect(rememberedTaskPath(rules.target, path)).toEqual(normalizeTaskPath(rules.target, path));
    expect(rememberedTaskPath('https://other.example', '/a')).toEqual(normalizeTaskPath('https://other.example', '/a'));
  });
});
