/**
 * One task object → the dispatchr_task row dispatchr_enqueue() writes, or a refusal naming the
 * field (SQLSTATE 22023). Part of migration 0022: frozen with it.
 *
 * The checks are enqueueWithin's (client/task-rules.ts, key-rules.ts, src/rules/), the grammars
 * migration 0021's (dispatchr_check_*, dispatchr_parse_*, dispatchr_canonical_json); the row is
 * built as task-insert-row.ts toTaskInsertRow builds it. What needs the queue's config is left to
 * claim time, as for enqueueWithin: whether the queue exists, its taskLimits caps, the timeout
 * against the lease, retry options against the strategy.
 *
 * 31622400000 ms is 366 days (rules/task-limits.ts MAX_AHEAD_MS, key-rules MAX_KEY_MAX_WAIT_MS);
 * 604800000 ms is 7 days (MAX_KEY_RETENTION_MS). Times add milliseconds, never days: a day of
 * the session's time zone may be 23 or 25 hours.
 */
const FIELDS = [
  'path',
  'method',
  'headers',
  'body',
  'bodyBase64',
  'contentType',
  'runAt',
  'delay',
  'key',
  'keyMode',
  'keyMaxWait',
  'keyRetention',
  'priority',
  'maxAttempts',
  'timeout',
  'retry',
  'onComplete',
  'onFailure',
  'traceparent',
];
const FIELD_LIST = FIELDS.map((field) => `'${field}'`).join(', ');

export const TASK_ROW_FUNCTION = String.raw`create or replace function dispatchr_enqueue_row(p_queue text, p_task json, p_index integer, p_created_at timestamptz)
returns dispatchr_task language plpgsql stable as $$
declare
  f text := 'tasks.' || p_index || '.';
  r dispatchr_task;
  v_key text;
  v_value json;
  v_name text;
  v_seen text[] := '{}';
  v_text text;
  v_ms bigint;
  v_mode text;
begin
  if json_typeof(p_task) is distinct from 'object' then
    perform dispatchr_enqueue_refuse('tasks.' || p_index, 'expected a task object');
  end if;
  for v_key in select key from json_each(p_task) loop
    if v_key not in (${FIELD_LIST}) then
      perform dispatchr_enqueue_refuse(f || v_key, 'unknown field');
    end if;
  end loop;
  -- json keeps duplicate members (jsonb would keep the last): which one was meant is unknowable
  for v_key in select key from json_each(p_task) group by key having count(*) > 1 loop
    perform dispatchr_enqueue_refuse(f || v_key, 'field given twice');
  end loop;
  r.queue := p_queue;
  r.created_at := p_created_at;
  r.updated_at := p_created_at;

  r.method := 'POST';
  if dispatchr_enqueue_given(p_task->'method') then
    r.method := dispatchr_enqueue_text(p_task->'method', f || 'method');
    if r.method not in ('POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'HEAD', 'OPTIONS') then
      perform dispatchr_enqueue_refuse(f || 'method', 'expected one of POST, PUT, PATCH, DELETE, GET, HEAD, OPTIONS');
    end if;
  end if;

  r.path := '';
  if dispatchr_enqueue_given(p_task->'path') then
    r.path := dispatchr_check_path(dispatchr_enqueue_text(p_task->'path', f || 'path'), f || 'path');
  end if;

  r.headers := '{}'::jsonb;
  v_value := p_task->'headers';
  if dispatchr_enqueue_given(v_value) then
    if json_typeof(v_value) <> 'object' then
      perform dispatchr_enqueue_refuse(f || 'headers', 'expected an object of header names to strings');
    end if;
    if (select count(*) from json_each(v_value)) > 64 then
      perform dispatchr_enqueue_refuse(f || 'headers', 'expected at most 64 headers');
    end if;
    for v_key, v_value in select key, value from json_each(p_task->'headers') loop
      if json_typeof(v_value) <> 'string' then
        perform dispatchr_enqueue_refuse(f || 'headers.' || v_key, 'expected a string value');
      end if;
      v_text := dispatchr_enqueue_text(v_value, f || 'headers.' || v_key);
      v_name := dispatchr_check_header(v_key, v_text, f || 'headers.' || v_key);
      if replace(v_name, '_', '-') = any(v_seen) then
        perform dispatchr_enqueue_refuse(f || 'headers.' || v_key, 'header given twice (names are case-insensitive, and _ is read as -)');
      end if;
      v_seen := v_seen || replace(v_name, '_', '-');
      r.headers := r.headers || jsonb_build_object(v_name, v_text);
    end loop;
  end if;

  select b.body, b.body_json, b.content_type into r.body, r.body_json, r.content_type
    from dispatchr_enqueue_body(p_task, r.method, f) b;

  -- due: runAt, or delay from the creation time; due now (or in the past) is available now
  r.run_at := p_created_at;
  if dispatchr_enqueue_given(p_task->'runAt') and dispatchr_enqueue_given(p_task->'delay') then
    perform dispatchr_enqueue_refuse(f || 'delay', 'expected either runAt or delay, not both');
  end if;
  if dispatchr_enqueue_given(p_task->'runAt') then
    if json_typeof(p_task->'runAt') <> 'string' then
      perform dispatchr_enqueue_refuse(f || 'runAt', 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"');
    end if;
    r.run_at := dispatchr_parse_rfc3339(dispatchr_enqueue_text(p_task->'runAt', f || 'runAt'), f || 'runAt');
    if r.run_at > p_created_at + interval '31622400000 milliseconds' then
      perform dispatchr_enqueue_refuse(f || 'runAt', 'expected at most one year (366 days) ahead');
    end if;
  elsif dispatchr_enqueue_given(p_task->'delay') then
    v_ms := dispatchr_parse_duration(p_task->'delay', f || 'delay');
    if v_ms > 31622400000 then
      perform dispatchr_enqueue_refuse(f || 'delay',
        'expected at most one year (366 days) ahead' || dispatchr_enqueue_bare_hint(p_task->'delay'));
    end if;
    r.run_at := p_created_at + v_ms * interval '1 millisecond';
  end if;
  if r.run_at <= p_created_at then
    r.state := 'available';
    r.run_at := p_created_at;
  else
    r.state := 'scheduled';
  end if;

  -- the key and its options (docs/spec.md 11.2): keep is stored as null, the bulk insert's default
  if dispatchr_enqueue_given(p_task->'key') then
    r.dedup_key := dispatchr_check_key(dispatchr_enqueue_text(p_task->'key', f || 'key'), f || 'key');
  end if;
  foreach v_key in array array['keyMode', 'keyMaxWait', 'keyRetention'] loop
    if r.dedup_key is null and dispatchr_enqueue_given(p_task->v_key) then
      perform dispatchr_enqueue_refuse(f || v_key, v_key || ' needs a key');
    end if;
  end loop;
  if dispatchr_enqueue_given(p_task->'keyMode') then
    v_mode := dispatchr_enqueue_text(p_task->'keyMode', f || 'keyMode');
    if v_mode not in ('keep', 'replace', 'debounce') then
      perform dispatchr_enqueue_refuse(f || 'keyMode', 'expected one of keep, replace, debounce');
    end if;
    r.key_mode := nullif(v_mode, 'keep');
  end if;
  if dispatchr_enqueue_given(p_task->'keyMaxWait') then
    if r.key_mode is distinct from 'debounce' then
      perform dispatchr_enqueue_refuse(f || 'keyMaxWait', 'keyMaxWait bounds a debounce: use it with keyMode "debounce"');
    end if;
    v_ms := dispatchr_parse_duration(p_task->'keyMaxWait', f || 'keyMaxWait');
    if v_ms <= 0 then
      perform dispatchr_enqueue_refuse(f || 'keyMaxWait', 'expected a duration greater than 0');
    elsif v_ms > 31622400000 then
      perform dispatchr_enqueue_refuse(f || 'keyMaxWait',
        'expected at most one year (366 days)' || dispatchr_enqueue_bare_hint(p_task->'keyMaxWait'));
    end if;
    r.key_deadline := p_created_at + v_ms * interval '1 millisecond';
  end if;
  if dispatchr_enqueue_given(p_task->'keyRetention') then
    v_ms := dispatchr_parse_duration(p_task->'keyRetention', f || 'keyRetention');
    if v_ms <= 0 then
      perform dispatchr_enqueue_refuse(f || 'keyRetention', 'expected a duration greater than 0');
    elsif v_ms > 604800000 then
      perform dispatchr_enqueue_refuse(f || 'keyRetention',
        'expected at most 7 days' || dispatchr_enqueue_bare_hint(p_task->'keyRetention'));
    end if;
    r.key_retention_ms := v_ms;
  end if;

  -- no priority: the queue's stored default (spec 11.1), exactly as the client's insert resolves it
  if dispatchr_enqueue_given(p_task->'priority') then
    r.priority := dispatchr_enqueue_integer(p_task->'priority', f || 'priority', 0, 9, 'expected an integer from 0 to 9');
  else
    r.priority := coalesce((select s.default_priority from dispatchr_queue_state s where s.name = p_queue), 0);
  end if;
  if dispatchr_enqueue_given(p_task->'maxAttempts') then
    r.max_attempts := dispatchr_enqueue_integer(p_task->'maxAttempts', f || 'maxAttempts', 1, 1000,
      'expected an integer from 1 to 1000');
  end if;
  if dispatchr_enqueue_given(p_task->'timeout') then
    v_ms := dispatchr_parse_duration(p_task->'timeout', f || 'timeout');
    if v_ms <= 0 then
      perform dispatchr_enqueue_refuse(f || 'timeout', 'expected a timeout greater than 0');
    elsif v_ms > 2147483647 then
      -- the lease bounds it at claim time; this only keeps it in its column
      perform dispatchr_enqueue_refuse(f || 'timeout', 'expected at most 2147483647 ms');
    end if;
    r.timeout_ms := v_ms;
  end if;
  if dispatchr_enqueue_given(p_task->'retry') then
    r.retry := dispatchr_enqueue_retry(p_task->'retry', f);
  end if;
  if dispatchr_enqueue_given(p_task->'onComplete') then
    r.on_complete := dispatchr_enqueue_callback(p_task->'onComplete', f || 'onComplete');
  end if;
  if dispatchr_enqueue_given(p_task->'onFailure') then
    r.on_failure := dispatchr_enqueue_callback(p_task->'onFailure', f || 'onFailure');
  end if;
  if dispatchr_enqueue_given(p_task->'traceparent') then
    r.traceparent := dispatchr_enqueue_traceparent(p_task->'traceparent', f || 'traceparent');
  end if;
  return r;
end $$`;
