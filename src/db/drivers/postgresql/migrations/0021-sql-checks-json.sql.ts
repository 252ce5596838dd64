/**
 * 0021's canonical JSON (see 0021-sql-checks.migration.ts): the RFC 8785 text of a `json` value
 * with the refusals of src/rules/json-safety.ts and json-text.ts, as src/rules/json-canonical.ts
 * writes it.
 *
 * `json` (not jsonb) keeps what the refusals need: the numbers as written and duplicate members.
 * Each container is one `json_each` / `json_array_elements` whose members are joined by
 * `string_agg`: no text grows a piece at a time, and a container's text is copied once per level
 * above it (at most 64). Scalars are written inline; only a number with an exponent or more than 15
 * digits and a nested container cost a function call. (1 MB of small nested objects, 30,000
 * containers, takes 1.5 to 3 seconds on a busy two-core machine: the plpgsql call per container.) The json input already refused malformed
 * text; decoding an escape raises 22P05 for `\u0000` and 22P02 for an unpaired surrogate, which
 * dispatchr_canonical_json turns into the rules' messages.
 *
 * Member names sort by UTF-16 code units: code point order (collate "C" on UTF-8) except that
 * characters above U+FFFF (surrogate pairs, D800 to DFFF) come before U+E000 to U+FFFF. The sort
 * key moves U+E000 to U+FFFF above them by a U+10FFFF prefix (and U+10FFFF itself to U+10FFFF
 * U+0001, below that), only for names holding such characters.
 *
 * Stable, not immutable: to_json is stable, and float8's text follows extra_float_digits (which
 * dispatchr_canonical_json sets for its own call).
 */
export const JSON_CHECKS_SQL: string[] = [
  // A number that is not a short integer: refused unless the double JSON.parse reads writes back as
  // the same decimal (json-text.ts isExact); written as ECMAScript's Number.prototype.toString.
  // A double's shortest decimal has at most 17 significant digits, so a literal with more is never
  // exact; the bounds are checked on the decimal before any cast, which would raise.
  String.raw`
create or replace function dispatchr_json_number(token text, field text) returns text
language plpgsql stable parallel safe as $$
declare
  m text[] := regexp_match(token, '^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$');
  digits text := m[2] || coalesce(m[3], '');
  significant text := ltrim(digits, '0');
  lead_zeros int := length(digits) - length(ltrim(digits, '0'));
  order_of int;
  exact numeric;
  as_double float8;
  written numeric;
  becomes text;
begin
  if significant = '' then return '0'; end if; -- zero, however written (-0 too)
  significant := rtrim(significant, '0');
  if length(ltrim(coalesce(m[4], '0'), '+-0')) > 6 then
    order_of := case when left(m[4], 1) = '-' then -10000000 else 10000000 end;
  else
    order_of := length(m[2]) - lead_zeros - 1 + coalesce(m[4], '0')::int; -- the first digit's power of ten
  end if;
  if length(significant) <= 17 and order_of between -324 and 308 then
    exact := (m[1] || significant || 'e' || (order_of - length(significant) + 1))::numeric;
    if abs(exact) >= 5e-324 and abs(exact) <= 1.7976931348623157e308 then
      as_double := exact::float8;
      written := as_double::text::numeric;
      if written = exact then
        if abs(written) >= 0.000001 and abs(written) < 1e21 then return written::text; end if;
        return regexp_replace(as_double::text, 'e([+-])0*([0-9])', 'e\1\2');
      end if;
    end if;
  end if;
  -- Refused: say what JSON.stringify(Number(token)) would have sent (from the first 40 digits).
  if order_of between -325 and 309 then
    exact := (m[1] || left(significant, 40) || 'e' || (order_of - least(length(significant), 40) + 1))::numeric;
  end if;
  if order_of > 309 or abs(exact) > 1.7976931348623158e308 then becomes := 'null';
  elsif order_of < -325 or abs(exact) <= 2.4703282292062328e-324 then becomes := '0';
  else becomes := dispatchr_json_number(exact::float8::text, field);
  end if;
  perform dispatchr_check_failed(field, 'the number '
    || case when length(token) > 40 then left(token, 37) || '...' else token end
    || ' cannot be sent exactly (it would become ' || becomes
    || '): send it as a string, or send the exact bytes in bodyBase64');
  return null;
end $$`,

  // One container at `level` (the value passed to dispatchr_canonical_json is level 1), `steps`
  // the member names and indexes that lead to it from the caller's field.
  String.raw`
create or replace function dispatchr_canonical_json_container(value json, field text, steps text[], level int)
returns text language plpgsql stable parallel safe as $$
declare
  result text;
  members int;
  names int;
  proto int;
  duplicate text;
begin
  if level > 64 then
    perform dispatchr_check_failed(field || '.' || array_to_string(steps[1:3], '.'),
      'expected JSON nested at most 64 levels deep');
  end if;
  if json_typeof(value) = 'array' then
    select string_agg(dispatchr_canonical_json_member(item, field, steps || (n - 1)::text, level + 1), ',' order by n)
      into result
      from json_array_elements(value) with ordinality as elements(item, n);
    return '[' || coalesce(result, '') || ']';
  end if;
  select string_agg(to_json(key)::text || ':' || dispatchr_canonical_json_member(member, field, steps || key, level + 1), ','
             order by case when key ~ '[\uE000-\U0010FFFF]'
                           then regexp_replace(regexp_replace(key, '\U0010FFFF', E'\U0010FFFF\u0001', 'g'),
                                               '([\uE000-\uFFFF])', E'\U0010FFFF\\1', 'g')
                           else key end collate "C"),
         count(*), count(distinct key), count(*) filter (where key = '__proto__')
    into result, members, names, proto
    from json_each(value) as each_member(key, member);
  if proto > 0 then
    perform dispatchr_check_failed(array_to_string(field || steps || '__proto__'::text, '.'),
      '"__proto__" is not allowed as a key');
  end if;
  if names < members then
    select key into duplicate from json_each(value) as each_member(key, member) group by key having count(*) > 1 limit 1;
    perform dispatchr_check_failed(array_to_string(field || steps || duplicate, '.'),
      'this key is given twice in one object: send each key once');
  end if;
  return '{' || coalesce(result, '') || '}';
end $$`,

  // One member's text, inlined into the container's query (a plain SQL expression, stable as
  // to_json is: an immutable one would not be inlined, and each call would be planned anew). Strings without
  // an escape and short numbers are already canonical as written. A decimal without an exponent of
  // at most 15 significant digits from 0.000001 up is exact, and written without its trailing zeros:
  // two such decimals never read as the same double, so the shortest text of its double is itself.
  String.raw`
create or replace function dispatchr_canonical_json_member(member json, field text, steps text[], level int)
returns text language sql stable parallel safe as $$
  select case json_typeof(member)
    when 'string' then case when strpos(member::text, '\') = 0 then member::text
                            else to_json(member #>> '{}')::text end
    when 'number' then case
        when member::text ~ '^-?[0-9]{1,15}$' and member::text <> '-0' then member::text
        when member::text ~ '^-?[0-9]{1,21}\.[0-9]+$' and member::text !~ '^-?0\.000000'
             and length(trim(both '0' from translate(member::text, '-.', ''))) between 1 and 15
          then rtrim(rtrim(member::text, '0'), '.')
        else dispatchr_json_number(member::text, field || '.' || array_to_string(steps, '.')) end
    when 'object' then dispatchr_canonical_json_container(member, field, steps, level)
    when 'array' then dispatchr_canonical_json_container(member, field, steps, level)
    else member::text end
$$`,

  // extra_float_digits = 1 (the default): float8 text is the shortest that reads back the same.
  String.raw`
create or replace function dispatchr_canonical_json(value json, field text) returns text
language plpgsql stable parallel safe set extra_float_digits = 1 as $$
begin
  if value is null then return null; end if;
  case json_typeof(value)
    when 'object', 'array' then return dispatchr_canonical_json_container(value, field, '{}', 1);
    when 'string' then return to_json(value #>> '{}')::text;
    when 'number' then return dispatchr_json_number(btrim(value::text, E' \t\n\r'), field);
    else return btrim(value::text, E' \t\n\r');
  end case;
exception
  when untranslatable_character then
    perform dispatchr_check_failed(field, 'NUL characters are not allowed');
  when invalid_text_representation then
    perform dispatchr_check_failed(field,
      'unpaired UTF-16 surrogates (\ud800 to \udfff without their pair) are not allowed');
end $$`,
];
