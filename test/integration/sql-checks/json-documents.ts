/**
 * JSON texts for the canonical-JSON tests: a seeded generator of documents written with the
 * spellings a hand-written body may hold (escapes for plain characters, exponents, leading zeros in
 * fractions, long digit strings) and member names that sort differently by code point and by UTF-16
 * code unit. The same seed gives the same texts, so a failure can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAME_PARTS = [
  'a',
  'b',
  'é',
  '\u20ac',
  '\ue000',
  '\uffff',
  '\ufb33',
  '😀',
  '\u{10ffff}',
  '\u{1f600}z',
  '\r',
  '"',
  '\\',
  '1',
  '10',
  '__proto_',
];
const STRING_PARTS = [
  'x',
  ' ',
  '\n',
  '\t',
  '\u0001',
  '\u001f',
  '\u007f',
  '"',
  '\\',
  '/',
  'é',
  '😀',
  '\u2028',
  '\ufeff',
];
const NUMBER_LITERALS = [
  '0',
  '-0',
  '0.0',
  '-0.0e5',
  '1',
  '-1',
  '1.0',
  '4.50',
  '2e-3',
  '1E30',
  '1e21',
  '1e-7',
  '0.000001',
  '1e+2',
  '123456789012345',
  '1234567890123456',
  '9007199254740992',
  '9007199254740993',
  '12345678901234567890',
  '0.1',
  '0.30000000000000004',
  '0.1000000000000000055511',
  '333333333.33333329',
  '5e-324',
  '4e-324',
  '1e-400',
  '1e400',
  '1.7976931348623157e308',
  '1.7976931348623159e308',
  '2.2250738585072014e-308',
  '123e-20',
  '1.5e300',
  '-1.5e-300',
  '100000000000000000000',
  '1000000000000000000000',
  '0.00000123',
  '0.0000001',
  '-0.00000050',
  '12.3400',
];

/** One JSON text of at most `depth` levels. */
export function randomDocument(random: () => number, depth: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const roll = random();
  if (depth <= 0 || roll < 0.45) {
    if (roll < 0.15) return pick(NUMBER_LITERALS);
    if (roll < 0.2) return randomNumberLiteral(random);
    if (roll < 0.25) return pick(['true', 'false', 'null']);
    return writeString(randomText(random, STRING_PARTS, 6), random);
  }
  const count = Math.floor(random() * 5);
  const items: string[] = [];
  if (roll < 0.7) {
    for (let i = 0; i < count; i++) items.push(randomDocument(random, depth - 1));
    return `[${items.join(random() < 0.5 ? ',' : ' , ')}]`;
  }
  const names = new Set<string>();
  for (let i = 0; i < count; i++) names.add(randomText(random, NAME_PARTS, 3));
  for (const name of names) items.push(`${writeString(name, random)}:${randomDocument(random, depth - 1)}`);
  return `{${items.join(', ')}}`;
}

function randomText(random: () => number, parts: readonly string[], most: number): string {
  let text = '';
  const length = Math.floor(random() * most);
  for (let i = 0; i < length; i++) text += parts[Math.floor(random() * parts.length)];
  return text;
}

/** Digits with a point and an exponent somewhere: many of them do not survive a double. */
function randomNumberLiteral(random: () => number): string {
  const digits = Array.from({ length: 1 + Math.floor(random() * 19) }, () => Math.floor(random() * 10)).join('');
  const whole = digits.replace(/^0+(?=\d)/, '');
  const point = random() < 0.5 ? '' : `.${Math.floor(random() * 1e6)}`;
  const exponent = random() < 0.5 ? '' : `e${Math.floor(random() * 80) - 40}`;
  return `${random() < 0.3 ? '-' : ''}${whole}${point}${exponent}`;
}

/** A JSON string literal, some characters written as \u escapes (upper or lower case hex). */
function writeString(text: string, random: () => number): string {
  let out = '';
  for (const unit of JSON.stringify(text)
    .slice(1, -1)
    .match(/\\u[0-9a-f]{4}|\\.|[\s\S]/g) ?? []) {
    // Not half of a surrogate pair: the other half, left raw, would not reach PostgreSQL as UTF-8.
    const surrogate = unit.length === 1 && unit.charCodeAt(0) >= 0xd800 && unit.charCodeAt(0) <= 0xdfff;
    if (unit.length === 1 && !surrogate && random() < 0.2) {
      const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
      out += `\\u${random() < 0.5 ? hex : hex.toUpperCase()}`;
    } else out += unit;
  }
  return `"${out}"`;
}
