/**
 * Small functions dispatchr_enqueue()'s checks share (migration 0022). Part of that migration:
 * frozen with it, never edited after it ships (a change is a new migration).
 *
 * Every refusal is SQLSTATE 22023 (invalid_parameter_value) worded `<field>: <rule>`, the field
 * path as the API's errors name it (`tasks.3.headers.x-a`), so any caller can catch one code and
 * show one message, whatever language it speaks.
 */
export const HELPER_FUNCTIONS = [
  // Volatile, not immutable: the planner must never evaluate a refusal while planning a statement.
  String.raw`create or replace function dispatchr_enqueue_refuse(field text, rule text) returns void
language plpgsql volatile as $$
begin
  raise exception using errcode = '22023', message = field || ': ' || rule;
end $$`,

  // JSON null and a missing member are both "not given": a Python None or a JS undefined reads the same.
  String.raw`create or replace function dispatchr_enqueue_given(value json) returns boolean
language sql immutable as $$ select value is not null and json_typeof(value) <> 'null' $$`,

  /*
   * A JSON string's text. No NUL or unpaired surrogate can reach here: PostgreSQL refuses them when
   * it reads any member of the task object (dispatchr_enqueue_at names the task).
   */
  String.raw`create or replace function dispatchr_enqueue_text(value json, field text) returns text
language plpgsql immutable as $$
begin
  if json_typeof(value) <> 'string' then
    perform dispatchr_enqueue_refuse(field, 'expected a string');
  end if;
  return value #>> '{}';
end $$`,

  /*
   * An integer within [low, high] written as a JSON number (2.0 is 2, as Number.isInteger says);
   * anything else is refused with the rule. numeric reads any JSON number; one too large for it
   * (1e200000) is refused the same way rather than failing with a numeric overflow.
   */
  String.raw`create or replace function dispatchr_enqueue_integer(value json, field text, low integer, high integer, rule text)
returns integer language plpgsql immutable as $$
declare
  n numeric;
begin
  if json_typeof(value) <> 'number' then
    perform dispatchr_enqueue_refuse(field, rule);
  end if;
  begin
    n := (value::text)::numeric;
  exception when others then
    perform dispatchr_enqueue_refuse(field, rule);
  end;
  if n <> trunc(n) or n < low or n > high then
    perform dispatchr_enqueue_refuse(field, rule);
  end if;
  return n::integer;
end $$`,

  /*
   * The API's hint for a duration refused as too long: a bare number is seconds there, and whoever
   * wrote one probably meant milliseconds (src/duration.ts bareSecondsHint, the same words).
   */
  String.raw`create or replace function dispatchr_enqueue_bare_hint(value json) returns text
language sql immutable as $$
  select case
    when json_typeof(value) = 'number'
      then ' (a bare number is seconds; write "' || (value::text) || 'ms" if you meant milliseconds)'
    when json_typeof(value) = 'string' and (value #>> '{}') ~ '^\s*\d+(\.\d+)?\s*$'
      then ' (a bare number is seconds; write "' || btrim(value #>> '{}') || 'ms" if you meant milliseconds)'
    else '' end
$$`,

  /*
   * A UUIDv7 (RFC 9562; PostgreSQL 15 has no uuidv7()): 48-bit Unix milliseconds of `at`, version 7,
   * then `seq` in the 12 bits rand_a and random bits (gen_random_uuid's, its variant bits kept).
   * The caller counts `seq` up from a random start below 2048 across one call's tasks (at most
   * 1,000), so the ids of one call sort in input order, as src/ids.ts keeps one millisecond's ids.
   */
  String.raw`create or replace function dispatchr_enqueue_uuidv7(at timestamptz, seq integer) returns uuid
language sql volatile as $$
  select encode(
    substring(int8send(floor(extract(epoch from at) * 1000)::bigint) from 3)
      || int2send((28672 + (seq & 4095))::smallint)
      || substring(uuid_send(gen_random_uuid()) from 9),
    'hex')::uuid
$$`,
];

export const HELPER_FUNCTION_NAMES = [
  'dispatchr_enqueue_refuse(text, text)',
  'dispatchr_enqueue_given(json)',
  'dispatchr_enqueue_text(json, text)',
  'dispatchr_enqueue_integer(json, text, integer, integer, text)',
  'dispatchr_enqueue_bare_hint(json)',
  'dispatchr_enqueue_uuidv7(timestamptz, integer)',
];
