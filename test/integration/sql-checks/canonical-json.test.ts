import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { canonicalJsonText } from '../../../src/rules/json-canonical.js';
import { findJsonProblem } from '../../../src/rules/json-safety.js';
import { findJsonTextProblem } from '../../../src/rules/json-text.js';
import { randomDocument, seededRandom } from './json-documents.js';
import { openSqlChecks, readVectors, type SqlChecks } from './sql-checks-db.js';

// dispatchr_canonical_json (migration 0021) against spec/vectors/json-canonical.json, and against
// the recorder's own pipeline (JSON.parse, json-safety.ts, json-text.ts, json-canonical.ts) for
// hand-picked and generated texts.

interface CanonicalCase {
  name: string;
  input: string;
  canonical: string | null;
}

const vectors = readVectors<CanonicalCase>('json-canonical.json')?.cases ?? [];

/** What the JavaScript rules make of a JSON text: its canonical text, or null when refused. */
function reference(text: string): string | null {
  const value: unknown = JSON.parse(text);
  if (findJsonProblem(value) ?? findJsonTextProblem(text)) return null;
  return canonicalJsonText(value);
}

const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);

const HAND_PICKED = [
  '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ud83d\\ude00":"Emoji","\\ufb33":"Hebrew","1":"One","\\u0080":"Control","\\u00f6":"Latin"}',
  '[1e21, 1e-7, -0, 0.000001, 1E30, 4.50, 2e-3, 1e20, 1.5e-7, 123456789012345680000]',
  '{"\\ue000":1,"\\ud800\\udc00":2,"\\uffff":3,"\\udbff\\udfff":4,"\\udbff\\udfffa":5,"\\udbff\\udfff\\u0000x":6}',
  '{"\\udbff\\udfff~":1,"\\uffff":2,"\\udbff\\udfff\\u0001":3}',
  '{"a":1,"\\u0061":2}',
  '{"a":{"b":1,"b":2}}',
  '{"__proto__":{}}',
  '{"x":["\\u0000"]}',
  '"\\ud800"',
  '["\\udc00x"]',
  '{"\\ud800":1}',
  '"\\ud83d\\ude00\\u2028\\u007f\\u001F\\/"',
  ' 12 ',
  ' "a" ',
  ' true ',
  '-0.0',
  '[0.0000001, 0.00000012, 0.000001, 0.0000010, -0.0000005, 123456789012345.6, 10.50, 0.1234567890123456]',
  '[999999999999999999999.0, 99999999999999999999.0, 100000000000000000000.0, 1000000000000000000000.0]',
  '[100000000000000000000.5]',
  '[1234567890123456.7]',
  '{}',
  '[]',
  '[[],{},[{}]]',
  '0.' + '0'.repeat(400) + '1e401',
  '1' + '0'.repeat(30) + 'e-30',
  nested(64),
  nested(65),
  nested(63, '{"a":[1]}'),
  nested(64, '{"a":1}'),
];

describe.runIf(postgresAvailable())('SQL checks: canonical JSON (RFC 8785)', () => {
  let db: SqlChecks;
  beforeAll(async () => {
    db = await openSqlChecks();
  });
  afterAll(async () => {
    await db?.close();
  });

  const canonical = (text: string) => db.call('dispatchr_canonical_json', [text, 'tasks.0.body'], ['json', 'text']);

  async function expectAgreement(text: string, expected: string | null) {
    const result = await canonical(text);
    if (expected === null) expect(result).toMatchObject({ ok: false, code: '22023' });
    else expect(result).toEqual({ ok: true, value: expected });
    if (!result.ok) expect(result.message).toMatch(/^tasks\.0\.body(\.|:)/);
  }

  it.each(vectors.map((c) => [c.name, c] as const))('vector: %s', async (_name, c) => {
    await expectAgreement(c.input, c.canonical);
  });

  it.each(HAND_PICKED.map((text) => [text.slice(0, 60), text] as const))(
    'agrees with the recorder: %s',
    async (_shown, text) => {
      await expectAgreement(text, reference(text));
    },
  );

  it('agrees with the recorder on 400 generated documents', async () => {
    const random = seededRandom(20261207);
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const text = randomDocument(random, 4);
      const expected = reference(text);
      if (expected === null) refused += 1;
      const result = await canonical(text);
      expect({ text, result: result.ok ? result.value : null }).toEqual({ text, result: expected });
    }
    // Both kinds were exercised.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(390);
  });

  it('words its refusals as the recorder does, naming the member', async () => {
    expect(await canonical('{"a":[1, {"b": 9007199254740993}]}')).toEqual({
      ok: false,
      code: '22023',
      message:
        'tasks.0.body.a.1.b: the number 9007199254740993 cannot be sent exactly (it would become 9007199254740992): send it as a string, or send the exact bytes in bodyBase64',
    });
    expect(await canonical('{"a":{"k":1,"k":2}}')).toMatchObject({
      message: 'tasks.0.body.a.k: this key is given twice in one object: send each key once',
    });
    expect(await canonical(nested(65))).toMatchObject({
      message: 'tasks.0.body.0.0.0: expected JSON nested at most 64 levels deep',
    });
    expect(await canonical('["\\u0000"]')).toMatchObject({ message: 'tasks.0.body: NUL characters are not allowed' });
  });

  it('JSON null is the text null, SQL null is null', async () => {
    expect(await canonical('null')).toEqual({ ok: true, value: 'null' });
    expect(await db.call('dispatchr_canonical_json', [null, 'x'], ['json', 'text'])).toEqual({ ok: true, value: null });
  });

  it('canonicalizes a 1 MB body', { timeout: 120_000 }, async () => {
    const random = seededRandom(1);
    const items: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const item = `{"name${i % 7}":"item ${i} \\u00e9","z":${(random() * 1000).toFixed(3)},"id":${i},"tags":["a","b\\n"],"ok":true,"nested":{"y":[1.5,2,{"deep":null}],"x":"${'x'.repeat(40)}"}}`;
      items.push(item);
      size += item.length + 1;
    }
    const text = `{"items":[${items.join(',')}],"count":${items.length}}`;
    const started = performance.now();
    const result = await canonical(text);
    const elapsed = performance.now() - started;
    console.log(
      `dispatchr_canonical_json: ${text.length} characters, ${items.length} objects, ${elapsed.toFixed(0)} ms`,
    );
    expect(result).toEqual({ ok: true, value: reference(text) });
  });
});
