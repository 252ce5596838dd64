/**
 * dispatchr_enqueue()'s write of one checked row, by its key mode (docs/spec.md 11.2), and the
 * functions callers see. Part of migration 0022: frozen with it.
 *
 * The write restates, in one plpgsql loop, what the recorder and enqueueWithin did in several
 * round trips: the upsert of src/db/drivers/postgresql/task-key-upsert.sql.ts (keep: do nothing;
 * replace and debounce: rewrite a holder never delivered), then the holder it met, answered as
 * `kept`, or released when it is finished and past its keyRetention, and the insert tried again.
 * The predicates are word for word those of src/db/key-holder.sql.ts and migration 0018.
 */
const HOLDER = `dedup_key is not null and (state in ('scheduled','available','retryable','running') or (key_retention_ms is not null and not key_released))`;
const HOLDER_T = `t.dedup_key is not null and (t.state in ('scheduled','available','retryable','running') or (t.key_retention_ms is not null and not t.key_released))`;
const ELIGIBLE = `dispatchr_task.state in ('scheduled','available') and dispatchr_task.attempt = 0 and dispatchr_task.first_attempt_at is null
      and not exists (select 1 from dispatchr_attempt a where a.task_id = dispatchr_task.id)`;
const REPLACE = `path = excluded.path, method = excluded.method, headers = excluded.headers, body = excluded.body,
      body_json = excluded.body_json, content_type = excluded.content_type, run_at = excluded.run_at,
      state = excluded.state, updated_at = excluded.updated_at`;
const DEBOUNCED_RUN_AT = `greatest(dispatchr_task.run_at, least(excluded.run_at, dispatchr_task.key_deadline,
      dispatchr_task.created_at + (excluded.key_deadline - excluded.created_at)))`;
const DEBOUNCE = `run_at = ${DEBOUNCED_RUN_AT},
      state = case when ${DEBOUNCED_RUN_AT} <= excluded.created_at then 'available' else 'scheduled' end,
      updated_at = excluded.updated_at`;
const INSERT = `insert into dispatchr_task (id, queue, state, path, method, headers, body, body_json, content_type,
      run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at, on_complete, on_failure,
      callback_of, retry, priority, key_mode, key_deadline, key_retention_ms)
    values (r.id, r.queue, r.state, r.path, r.method, r.headers, r.body, r.body_json, r.content_type,
      r.run_at, r.max_attempts, r.timeout_ms, r.dedup_key, r.traceparent, r.created_at, r.updated_at, r.on_complete,
      r.on_failure, r.callback_of, r.retry, r.priority, r.key_mode, r.key_deadline, r.key_retention_ms)`;

export const WRITE_FUNCTION = `create or replace function dispatchr_enqueue_write(r dispatchr_task, field text,
  out written_id uuid, out deduplicated text)
language plpgsql volatile as $$
declare
  v_holder record;
begin
  if r.dedup_key is null then
    ${INSERT};
    written_id := r.id;
    return;
  end if;
  -- each round loses only to another transaction's create or finish of the same key
  for round in 1..4 loop
    if r.key_mode = 'replace' then
      ${INSERT}
      on conflict (queue, dedup_key) where ${HOLDER}
      do update set ${REPLACE} where ${ELIGIBLE}
      returning dispatchr_task.id into written_id;
    elsif r.key_mode = 'debounce' then
      ${INSERT}
      on conflict (queue, dedup_key) where ${HOLDER}
      do update set ${DEBOUNCE} where ${ELIGIBLE}
      returning dispatchr_task.id into written_id;
    else
      ${INSERT}
      on conflict do nothing
      returning dispatchr_task.id into written_id;
    end if;
    if written_id is not null then
      deduplicated := case when written_id = r.id then null
        when r.key_mode = 'debounce' then 'debounced' else 'replaced' end;
      return;
    end if;
    select t.id, t.state, t.finalized_at, t.key_retention_ms into v_holder from dispatchr_task t
      where t.queue = r.queue and t.dedup_key = r.dedup_key and ${HOLDER_T};
    if found then
      if v_holder.state in ('scheduled','available','retryable','running') or v_holder.finalized_at is null
        or v_holder.finalized_at + coalesce(v_holder.key_retention_ms, 0) * interval '1 millisecond' > r.created_at then
        written_id := v_holder.id;
        deduplicated := 'kept';
        return;
      end if;
      update dispatchr_task set key_released = true where id = v_holder.id and not key_released;
    end if;
  end loop;
  -- 40001: the caller's usual answer to a lost race is to run its transaction again
  raise exception using errcode = '40001',
    message = field || ': the task was neither inserted nor answered by its key holder (it changed meanwhile); retry';
end $$`;

/**
 * The functions callers see. dispatchr_enqueue takes the transaction's time (now()) as the
 * creation time; dispatchr_enqueue_at takes it from its caller, for enqueueWithin's `now` option
 * (tests, replays): Dispatchr's own, not part of the v1 contract other languages call.
 */
export const ENQUEUE_FUNCTIONS = [
  String.raw`create or replace function dispatchr_enqueue_at(p_queue text, p_tasks json, p_created_at timestamptz)
returns table (index integer, id uuid, deduplicated text) language plpgsql volatile as $$
declare
  v_task json;
  v_i integer := -1;
  v_count integer;
  v_seq integer := floor(random() * 2048)::integer;
  v_row dispatchr_task;
  v_written record;
begin
  perform dispatchr_check_queue_name(p_queue, 'queue');
  if json_typeof(p_tasks) is distinct from 'array' then
    perform dispatchr_enqueue_refuse('tasks', 'expected an array of 1 to 1000 tasks');
  end if;
  v_count := json_array_length(p_tasks);
  if v_count < 1 or v_count > 1000 then
    perform dispatchr_enqueue_refuse('tasks', 'expected an array of 1 to 1000 tasks, got ' || v_count);
  end if;
  if p_created_at is null then
    perform dispatchr_enqueue_refuse('created_at', 'expected a time');
  end if;
  -- One pass: a refusal of task i aborts the statement, and with it the rows of tasks before i.
  -- PostgreSQL unescapes every string of an object it reads a member of, and refuses "\u0000" and
  -- an unpaired surrogate escape (22P05, 22P02) before any check can name the field: the block
  -- turns that into the task's 22023. Every other error passes through.
  begin
    for v_task in select value from json_array_elements(p_tasks) loop
      v_i := v_i + 1;
      v_row := dispatchr_enqueue_row(p_queue, v_task, v_i, p_created_at);
      v_row.id := dispatchr_enqueue_uuidv7(p_created_at, v_seq + v_i);
      select w.written_id, w.deduplicated into v_written
        from dispatchr_enqueue_write(v_row, 'tasks.' || v_i || '.key') w;
      index := v_i;
      id := v_written.written_id;
      deduplicated := v_written.deduplicated;
      return next;
    end loop;
  exception when untranslatable_character or invalid_text_representation then
    perform dispatchr_enqueue_refuse('tasks.' || greatest(v_i, 0),
      'NUL characters (\u0000) and unpaired UTF-16 surrogates (\ud800 to \udfff without their pair) are not allowed');
  end;
end $$`,
  `create or replace function dispatchr_enqueue(queue text, tasks json)
returns table (index integer, id uuid, deduplicated text) language sql volatile as $$
  select * from dispatchr_enqueue_at(queue, tasks, now())
$$`,
  `create or replace function dispatchr_enqueue_version() returns integer language sql immutable as $$ select 1 $$`,
];

export const WRITE_FUNCTION_NAMES = [
  'dispatchr_enqueue_version()',
  'dispatchr_enqueue(text, json)',
  'dispatchr_enqueue_at(text, json, timestamptz)',
  'dispatchr_enqueue_write(dispatchr_task, text)',
];
