/**
 * The parts of a task dispatchr_enqueue() checks and stores in several columns at once, or as
 * JSON text: body, retry settings, callback targets, traceparent. Part of migration 0022: frozen
 * with it. Each mirrors the JS rule named beside it, word for word where it words a refusal, so
 * SQL and the client refuse the same input the same way.
 *
 * `f` is the task's field prefix (`tasks.3.`).
 */
const BACKTICK = '`';

/** src/rules/task-fields.ts MEDIA_TYPE, as a PostgreSQL ARE. */
const MEDIA_TYPE = String.raw`^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[!#$%&'*+.^_${BACKTICK}|~0-9A-Za-z-]+=("[^"\r\n]*"|[!#$%&'*+.^_${BACKTICK}|~0-9A-Za-z-]+))*$`;

export const TASK_PART_FUNCTIONS = [
  // $fn$, not $$: the media type pattern ends in "$", which "$$" would then close.
  /*
   * body | bodyBase64 | contentType (client/task-rules.ts checkBody, rules/task-fields.ts): a body
   * is stored as its RFC 8785 canonical text (dispatchr_canonical_json, migration 0021), the bytes
   * every writer stores for the same value; bodyBase64 as its decoded bytes. body_json is the
   * searchable jsonb copy, kept when the content type is JSON and the bytes are JSON jsonb takes
   * (task-insert-row.ts toTaskInsertRow).
   */
  String.raw`create or replace function dispatchr_enqueue_body(task json, method text, f text,
  out body bytea, out body_json jsonb, out content_type text)
language plpgsql stable as $fn$
declare
  v_type text;
  v_text text;
begin
  if dispatchr_enqueue_given(task->'contentType') then
    v_type := dispatchr_enqueue_text(task->'contentType', f || 'contentType');
    if length(v_type) > 255 or v_type !~ $re$${MEDIA_TYPE}$re$ then
      perform dispatchr_enqueue_refuse(f || 'contentType',
        'expected a media type like "application/json" (at most 255 characters)');
    end if;
  end if;
  if dispatchr_enqueue_given(task->'body') and dispatchr_enqueue_given(task->'bodyBase64') then
    perform dispatchr_enqueue_refuse(f || 'bodyBase64', 'expected either body or bodyBase64, not both');
  end if;
  if dispatchr_enqueue_given(task->'body') then
    if v_type is not null and v_type !~* '^application/([a-z0-9.+-]*\+)?json(\s*;.*)?$' then
      perform dispatchr_enqueue_refuse(f || 'contentType',
        'body is sent as JSON: use a JSON content type, or bytes for other types');
    end if;
    v_text := dispatchr_canonical_json(task->'body', f || 'body');
    body := convert_to(v_text, 'UTF8');
    content_type := coalesce(v_type, 'application/json');
  elsif dispatchr_enqueue_given(task->'bodyBase64') then
    v_text := dispatchr_enqueue_text(task->'bodyBase64', f || 'bodyBase64');
    if v_text !~ '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$' then
      perform dispatchr_enqueue_refuse(f || 'bodyBase64', 'expected standard base64');
    end if;
    body := decode(v_text, 'base64');
    v_text := null;
    content_type := coalesce(v_type, 'application/octet-stream');
  else
    content_type := v_type;
  end if;
  if body is not null and method in ('GET', 'HEAD') then
    perform dispatchr_enqueue_refuse(f || 'method', 'a ' || method || ' request cannot carry a body');
  end if;
  if body is not null and content_type ~* '^application/([a-z0-9.+-]*\+)?json\y' then
    if v_text is not null then
      -- canonical text: dispatchr_canonical_json refused NUL and unpaired surrogates already
      body_json := v_text::jsonb;
    else
      begin
        body_json := convert_from(body, 'UTF8')::jsonb;
      exception when others then
        body_json := null; -- not UTF-8, not JSON, or JSON jsonb refuses: stored, not searchable
      end;
    end if;
  end if;
end $fn$`,

  /*
   * retry (rules/task-retry.ts checkTaskRetry, taskRetryText): the column's text is what
   * JSON.stringify writes for { maxRetryDurationMs, options }: options' members in the order sent,
   * each value in canonical form (the same text as JSON.stringify for the scalars strategy options
   * are). The scheduler parses the column, so only its meaning matters to dispatch.
   */
  String.raw`create or replace function dispatchr_enqueue_retry(retry json, f text) returns text
language plpgsql stable as $$
declare
  v_key text;
  v_ms bigint;
  v_options text;
begin
  if json_typeof(retry) <> 'object' then
    perform dispatchr_enqueue_refuse(f || 'retry', 'expected an object with maxRetryDuration and/or options');
  end if;
  for v_key in select key from json_each(retry) loop
    if v_key = 'maxAttempts' then
      perform dispatchr_enqueue_refuse(f || 'retry.maxAttempts',
        'set attempts with the task''s top-level maxAttempts, not retry.maxAttempts');
    elsif v_key = 'strategy' then
      perform dispatchr_enqueue_refuse(f || 'retry.strategy',
        'the strategy is the queue''s (retry.strategy in its config); a task sets only retry.options');
    elsif v_key not in ('maxRetryDuration', 'options') then
      perform dispatchr_enqueue_refuse(f || 'retry.' || v_key, 'unknown field; expected maxRetryDuration or options');
    end if;
  end loop;
  if (select count(*) from json_each(retry)) <> (select count(distinct key) from json_each(retry)) then
    perform dispatchr_enqueue_refuse(f || 'retry', 'a field is given twice');
  end if;
  if dispatchr_enqueue_given(retry->'maxRetryDuration') then
    v_ms := dispatchr_parse_duration(retry->'maxRetryDuration', f || 'retry.maxRetryDuration');
    if v_ms <= 0 then
      perform dispatchr_enqueue_refuse(f || 'retry.maxRetryDuration', 'expected a duration greater than 0');
    elsif v_ms > 31536000000 then
      perform dispatchr_enqueue_refuse(f || 'retry.maxRetryDuration',
        'expected a duration of at most 365d' || dispatchr_enqueue_bare_hint(retry->'maxRetryDuration'));
    end if;
  end if;
  if dispatchr_enqueue_given(retry->'options') then
    if json_typeof(retry->'options') <> 'object' then
      perform dispatchr_enqueue_refuse(f || 'retry.options',
        'expected an object of the queue strategy''s options, e.g. { "initialDelay": "100ms" }');
    end if;
    -- the JSON rules (duplicates, NUL, surrogates, numbers, depth, __proto__), naming the field
    perform dispatchr_canonical_json(retry->'options', f || 'retry.options');
    select '{' || coalesce(string_agg(to_json(e.key)::text || ':'
        || dispatchr_canonical_json(e.value, f || 'retry.options.' || e.key), ',' order by e.n), '') || '}'
      into v_options from json_each(retry->'options') with ordinality as e(key, value, n);
    if octet_length(v_options) > 2048 then
      perform dispatchr_enqueue_refuse(f || 'retry.options',
        'expected at most 2048 bytes of JSON, got ' || octet_length(v_options));
    end if;
  end if;
  if v_ms is null and v_options is null then
    return null;
  end if;
  return '{"maxRetryDurationMs":' || coalesce(v_ms::text, 'null') || ',"options":' || coalesce(v_options, 'null') || '}';
end $$`,

  /*
   * onComplete | onFailure (rules/callback-target.ts without a target): { queue, path }, the path
   * relative. The column's text is JSON.stringify({ queue, path }) (task-insert-row.ts).
   */
  String.raw`create or replace function dispatchr_enqueue_callback(target json, field text) returns text
language plpgsql stable as $$
declare
  v_key text;
  v_queue text;
  v_path text := '';
begin
  if json_typeof(target) <> 'object' then
    perform dispatchr_enqueue_refuse(field, 'expected an object { queue, path }');
  end if;
  for v_key in select key from json_each(target) loop
    if v_key not in ('queue', 'path') then
      perform dispatchr_enqueue_refuse(field || '.' || v_key, 'unknown field: expected queue and path');
    end if;
  end loop;
  if (select count(*) from json_each(target)) <> (select count(distinct key) from json_each(target)) then
    perform dispatchr_enqueue_refuse(field, 'a field is given twice');
  end if;
  if json_typeof(target->'queue') is distinct from 'string' then
    perform dispatchr_enqueue_refuse(field || '.queue',
      'expected a queue name of letters, digits, "_", "." or "-" (at most 64)');
  end if;
  v_queue := dispatchr_check_queue_name(dispatchr_enqueue_text(target->'queue', field || '.queue'), field || '.queue');
  if dispatchr_enqueue_given(target->'path') then
    v_path := dispatchr_check_path(dispatchr_enqueue_text(target->'path', field || '.path'), field || '.path');
  end if;
  return '{"queue":' || to_json(v_queue)::text || ',"path":' || to_json(v_path)::text || '}';
end $$`,

  /*
   * traceparent: the API takes it as a header and ignores an invalid one (recorder/new-task.ts
   * validTraceparent); here it is a field the caller wrote on purpose, so an invalid one is refused.
   * Stored as the recorder stores it: the four fields, a later version's extra fields dropped.
   */
  String.raw`create or replace function dispatchr_enqueue_traceparent(value json, field text) returns text
language plpgsql immutable as $$
declare
  m text[];
begin
  m := regexp_match(btrim(dispatchr_enqueue_text(value, field)),
    '^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$');
  if m is null or m[1] = 'ff' or m[2] ~ '^0+$' or m[3] ~ '^0+$' or (m[1] = '00' and m[5] is not null) then
    perform dispatchr_enqueue_refuse(field,
      'expected a W3C traceparent like "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"');
  end if;
  return m[1] || '-' || m[2] || '-' || m[3] || '-' || m[4];
end $$`,
];

export const TASK_PART_FUNCTION_NAMES = [
  'dispatchr_enqueue_body(json, text, text)',
  'dispatchr_enqueue_retry(json, text)',
  'dispatchr_enqueue_callback(json, text)',
  'dispatchr_enqueue_traceparent(json, text)',
];
