/**
 * 0021's field checks (see 0021-sql-checks.migration.ts): queue name, key, header, path,
 * RFC 3339 time and duration, each the SQL twin of a rule in src/rules or src/duration.ts, with
 * the same messages. Frozen once shipped, like every migration: the rules' own lists are copied
 * here rather than imported, and test/integration/sql-checks holds the two in agreement.
 *
 * Strings in JavaScript are UTF-16: `.length` counts a character above U+FFFF twice, so the
 * length limits count it twice here too (dispatchr_utf16_length).
 */
/** A backtick inside these String.raw templates. */
const BACKTICK = '`';

export const FIELD_CHECKS_SQL: string[] = [
  String.raw`
create or replace function dispatchr_check_failed(field text, rule text) returns void
language plpgsql immutable as $$
begin
  raise exception using errcode = '22023', message = field || ': ' || rule;
end $$`,

  String.raw`
create or replace function dispatchr_utf16_length(value text) returns int
language sql immutable strict parallel safe as $$
  select char_length(value) + regexp_count(value, '[\U00010000-\U0010FFFF]')
$$`,

  String.raw`
create or replace function dispatchr_check_queue_name(value text, field text) returns text
language plpgsql immutable parallel safe as $$
begin
  if value is null or value !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' then
    perform dispatchr_check_failed(field, 'expected a queue name of letters, digits, "_", "." or "-" (at most 64)');
  end if;
  return value;
end $$`,

  // NUL and unpaired surrogates, the key's other refusals in JavaScript, cannot be held by text.
  String.raw`
create or replace function dispatchr_check_key(value text, field text) returns text
language plpgsql immutable parallel safe as $$
begin
  if value is null then return null; end if;
  if value = '' or dispatchr_utf16_length(value) > 255 then
    perform dispatchr_check_failed(field, 'expected a string of 1 to 255 characters');
  end if;
  return value;
end $$`,

  // The order of src/rules/task-headers.ts headerProblem; no message holds the value.
  String.raw`
create or replace function dispatchr_check_header(name text, value text, field text) returns text
language plpgsql immutable parallel safe as $$
declare
  lower_name text := lower(name);
  canonical text := replace(lower(name), '_', '-');
begin
  if name is null then perform dispatchr_check_failed(field, 'expected a header name'); end if;
  if value is null then perform dispatchr_check_failed(field, 'expected a string value'); end if;
  if name ~ '[\r\n]' or value ~ '[\r\n]' then
    perform dispatchr_check_failed(field, 'header names and values may not contain CR or LF');
  end if;
  if name !~ '^[-!#$%&''*+.^_${BACKTICK}|~0-9A-Za-z]+$' then
    perform dispatchr_check_failed(field, 'expected a header name made of letters, digits and !#$%&''*+.^_${BACKTICK}|~-');
  end if;
  if canonical in ('connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade') then
    perform dispatchr_check_failed(field, lower_name || ' is a hop-by-hop header and cannot be set');
  elsif canonical in ('host', 'content-length', 'expect') then
    perform dispatchr_check_failed(field, lower_name || ' is set by the transport and cannot be set');
  elsif canonical = 'content-type' then
    perform dispatchr_check_failed(field, 'set contentType instead of a content-type header');
  elsif canonical like 'dispatchr-%' or canonical like 'webhook-%' then
    perform dispatchr_check_failed(field, lower_name || ' is reserved for Dispatchr''s own headers');
  elsif canonical like 'x-forwarded-%' or canonical in ('forwarded', 'x-http-method-override', 'x-http-method',
      'x-method-override', 'x-original-url', 'x-original-uri', 'x-rewrite-url', 'x-host', 'x-original-host',
      'x-real-ip', 'x-client-ip', 'client-ip', 'true-client-ip', 'cf-connecting-ip', 'fastly-client-ip',
      'x-cluster-client-ip', 'x-remote-ip', 'x-remote-addr', 'x-originating-ip', 'x-original-forwarded-for') then
    perform dispatchr_check_failed(field,
      lower_name || ' overrides the client, host, URL or method a target sees, and cannot be set');
  end if;
  if dispatchr_utf16_length(value) > 8192 then
    perform dispatchr_check_failed(field, 'expected a value of at most 8192 characters');
  end if;
  if value !~ '^[\t\u0020-\u007e\u0080-\u00ff]*$' then
    perform dispatchr_check_failed(field,
      'expected a value of visible ASCII characters (control characters are not allowed)');
  end if;
  return lower_name;
end $$`,

  // src/rules/target-path.ts without a target: see the migration's comment for the one difference.
  String.raw`
create or replace function dispatchr_check_path(value text, field text) returns text
language plpgsql immutable parallel safe as $$
declare
  path text;
  pathname text;
  decoded bytea;
  segments_text text;
begin
  if value is null or value = '' then return ''; end if;
  if dispatchr_utf16_length(value) > 2048 then
    perform dispatchr_check_failed(field, 'expected at most 2048 characters');
  end if;
  if value ~ '[\u0001-\u0020\u007f]' then
    perform dispatchr_check_failed(field, 'spaces and control characters must be percent-encoded');
  end if;
  if strpos(value, '\') > 0 then perform dispatchr_check_failed(field, 'backslashes are not allowed'); end if;
  if strpos(value, '#') > 0 then
    perform dispatchr_check_failed(field, 'fragments (#) are not sent to the target and are not allowed');
  end if;
  if value ~* '^[a-z][a-z0-9+.-]*:' then
    perform dispatchr_check_failed(field, 'dispatchr_enqueue takes a path relative to the queue''s target');
  end if;
  if left(value, 2) = '//' then
    perform dispatchr_check_failed(field, 'expected a path, got a protocol-relative URL');
  end if;
  path := case when left(value, 1) in ('/', '?') then value else '/' || value end;
  pathname := split_part(path, '?', 1);
  -- decodeURIComponent: every "%" takes two hex digits, and the bytes must be UTF-8. A decoded NUL
  -- (valid there) becomes 0x01 here, which text can hold and which no later check looks at.
  if pathname ~ '%(?![0-9A-Fa-f]{2})' then
    perform dispatchr_check_failed(field, 'expected a path with valid percent-encoding');
  end if;
  select string_agg(case when n = 1 then convert_to(part, 'UTF8')
                         else decode(case when left(part, 2) = '00' then '01' else left(part, 2) end, 'hex')
                              || convert_to(substr(part, 3), 'UTF8') end, ''::bytea order by n)
    into decoded
    from unnest(string_to_array(pathname, '%')) with ordinality as parts(part, n);
  begin
    segments_text := convert_from(decoded, 'UTF8');
  exception when character_not_in_repertoire or untranslatable_character then
    perform dispatchr_check_failed(field, 'expected a path with valid percent-encoding');
  end;
  -- A segment's ";parameters" are dropped first (Tomcat and Spring read "..;" as ".."); JavaScript's
  -- "." stops at line terminators, so the parameters do too.
  if exists (select 1 from regexp_split_to_table(segments_text, '[/\\]') as segment
             where regexp_replace(segment, ';[^\n\r\u2028\u2029]*$', '') in ('.', '..')) then
    perform dispatchr_check_failed(field, 'expected a path without "." or ".." segments');
  end if;
  if path = '/' then return ''; end if;
  if left(path, 2) = '/?' then return substr(path, 2); end if;
  return path;
end $$`,

  // src/rules/rfc3339.ts: the calendar by integer arithmetic (PostgreSQL's own has no year 0), a
  // fraction truncated to milliseconds as Date.parse does, a leap second read as the next second,
  // and the time in UTC within years 0000 to 9999 (what RFC 3339 can write back).
  String.raw`
create or replace function dispatchr_parse_rfc3339(value text, field text) returns timestamptz
language plpgsql immutable parallel safe as $$
declare
  m text[];
  y int; mo int; d int; h int; mi int; s int;
  days_in_month int;
  shifted int; era int; yoe int; doy int; days int;
  ms bigint;
  offset_minutes int := 0;
begin
  if value is null then return null; end if;
  m := regexp_match(value,
    '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|([+-])([0-9]{2}):([0-9]{2}))$');
  if m is null then perform dispatchr_check_failed(field, 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"'); end if;
  y := m[1]::int; mo := m[2]::int; d := m[3]::int; h := m[4]::int; mi := m[5]::int; s := m[6]::int;
  days_in_month := case when mo = 2 then
                     case when y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0) then 29 else 28 end
                   when mo in (4, 6, 9, 11) then 30 else 31 end;
  if mo < 1 or mo > 12 or d < 1 or d > days_in_month or h > 23 or mi > 59 or s > 60
     or (m[9] is not null and (m[10]::int > 23 or m[11]::int > 59)) then
    perform dispatchr_check_failed(field, 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"');
  end if;
  -- days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
  shifted := y - case when mo <= 2 then 1 else 0 end;
  era := case when shifted >= 0 then shifted / 400 else -1 end;
  yoe := shifted - era * 400;
  doy := (153 * (mo + case when mo > 2 then -3 else 9 end) + 2) / 5 + d - 1;
  days := era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  if m[9] is not null then
    offset_minutes := (m[10]::int * 60 + m[11]::int) * case when m[9] = '-' then -1 else 1 end;
  end if;
  ms := h * 3600000::bigint + mi * 60000 + s * 1000 - offset_minutes * 60000::bigint
        + coalesce(rpad(substr(m[7], 2, 3), 3, '0')::int, 0);
  -- 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in days and milliseconds since the epoch
  if days < -719528 or (days = -719528 and ms < 0) or days > 2932896 or (days = 2932896 and ms >= 86400000) then
    perform dispatchr_check_failed(field, 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"');
  end if;
  return (timestamp '1970-01-01' + make_interval(days => days) + make_interval(secs => ms / 1000.0)) at time zone 'UTC';
end $$`,
  // src/duration.ts parseDuration(value, 's'), in exact decimals: the amount as written (a JSON
  // number: the double JSON.parse reads, as String() writes it) times the unit, rounded half up.
  String.raw`
create or replace function dispatchr_parse_duration(value json, field text) returns bigint
language plpgsql stable parallel safe as $$
declare
  kind text := json_typeof(value);
  m text[];
  amount numeric;
  ms numeric;
  rule constant text := 'expected a duration like "30s" or a number of seconds';
begin
  if value is null or kind = 'null' then return null; end if;
  if kind = 'number' then
    amount := dispatchr_canonical_json(value, field)::numeric;
    m := array[null, 's'];
  elsif kind = 'string' then
    -- around the parts, spaces and tabs only (spec 12.2)
    m := regexp_match(value #>> '{}',
      '^[ \t]*([0-9]+(?:\.[0-9]+)?)[ \t]*(ms|s|m|h|d)?[ \t]*$');
    if m is null then perform dispatchr_check_failed(field, rule); end if;
    -- More than 20 whole digits is beyond 2^53 ms in any unit; a fraction is kept to 1,000 digits
    -- (numeric holds 16,383), which changes a rounding only for a decimal that long.
    if length(ltrim(split_part(m[1], '.', 1), '0')) > 20 then perform dispatchr_check_failed(field, rule); end if;
    amount := ('0' || ltrim(split_part(m[1], '.', 1), '0') || '.' || left(split_part(m[1], '.', 2), 1000) || '0')::numeric;
    m[2] := coalesce(m[2], 's');
  else
    perform dispatchr_check_failed(field, rule);
  end if;
  if amount < 0 then perform dispatchr_check_failed(field, rule); end if;
  ms := round(amount * case m[2] when 'ms' then 1 when 's' then 1000 when 'm' then 60000
                                 when 'h' then 3600000 else 86400000 end);
  if ms > 9007199254740991 then perform dispatchr_check_failed(field, rule); end if;
  return ms::bigint;
end $$`,
];
