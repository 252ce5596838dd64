import { describe, expect, it } from 'vitest';
import { sqlRunnerFor, toQuestionMarks } from '../../../src/client/sql-runner.js';

/**
 * Telling the app's transaction apart by shape, and refusing handles that are not one: the client
 * imports none of pg, knex or MikroORM, so only their shapes are used here.
 */
describe('sqlRunnerFor(tx)', () => {
  it('runs a pg client with $n placeholders and reads rows', async () => {
    const seen: unknown[] = [];
    const runner = sqlRunnerFor({
      query: async (text: string, values: unknown[]) => (seen.push([text, values]), { rows: [{ id: 1 }] }),
    });
    expect(runner.kind).toBe('pg');
    expect(await runner.query('select $1, $2', ['a', 'b'])).toEqual([{ id: 1 }]);
    expect(seen).toEqual([['select $1, $2', ['a', 'b']]]);
  });

  it('runs a knex transaction with ? placeholders', async () => {
    const seen: unknown[] = [];
    const trx = Object.assign(() => undefined, {
      isTransaction: true,
      raw: async (sql: string, bindings: unknown[]) => (seen.push([sql, bindings]), { rows: [{ id: 2 }] }),
    });
    const runner = sqlRunnerFor(trx);
    expect(runner.kind).toBe('knex');
    expect(await runner.query('x = $2 and y = $1 and z = $2', ['one', 'two'])).toEqual([{ id: 2 }]);
    expect(seen).toEqual([['x = ? and y = ? and z = ?', ['two', 'one', 'two']]]);
  });

  it('runs a MikroORM EntityManager through execute() with its transaction context', async () => {
    const seen: unknown[] = [];
    const ctx = { trx: true };
    const em = {
      getTransactionContext: () => ctx,
      getConnection: () => ({ execute: async (...args: unknown[]) => (seen.push(args), [{ id: 3 }]) }),
    };
    const runner = sqlRunnerFor(em);
    expect(runner.kind).toBe('mikro-orm');
    expect(await runner.query('a = $1', [1])).toEqual([{ id: 3 }]);
    expect(seen).toEqual([['a = ?', [1], 'all', ctx]]);
  });

  it('refuses handles that are not inside a transaction, and unknown shapes', () => {
    const em = { getTransactionContext: () => undefined, getConnection: () => ({ execute: async () => [] }) };
    expect(() => sqlRunnerFor(em)).toThrow(
      expect.objectContaining({ code: 'not_in_transaction', message: expect.stringContaining('transactional') }),
    );
    const knexInstance = Object.assign(() => undefined, { raw: async () => ({ rows: [] }) });
    expect(() => sqlRunnerFor(knexInstance)).toThrow(expect.objectContaining({ code: 'not_in_transaction' }));
    const pool = { query: async () => ({ rows: [] }), connect: async () => undefined, totalCount: 0 };
    expect(() => sqlRunnerFor(pool)).toThrow(
      expect.objectContaining({ code: 'not_in_transaction', message: expect.stringContaining('pool.connect()') }),
    );
    for (const value of [null, undefined, 'tx', {}, { execute: () => undefined }]) {
      expect(() => sqlRunnerFor(value)).toThrow(expect.objectContaining({ code: 'unsupported_transaction' }));
    }
  });
});

describe('toQuestionMarks', () => {
  it('orders bindings by placeholder position, repeats included', () => {
    expect(toQuestionMarks('$3 $1 $3', ['a', 'b', 'c'])).toEqual({ sql: '? ? ?', bindings: ['c', 'a', 'c'] });
    expect(
      toQuestionMarks(
        '$10::uuid, $1',
        Array.from({ length: 10 }, (_, i) => i + 1),
      ),
    ).toEqual({ sql: '?::uuid, ?', bindings: [10, 1] });
  });
});
