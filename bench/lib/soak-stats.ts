import { readFileSync } from 'node:fs';
import pg from 'pg';
import { percentile } from './common.js';
import { split, statTicks, type CpuSnapshot } from './cpu.js';

/**
 * What the soak samples at each window's end (process RSS, the task table's vacuum state, WAL
 * position, checkpoints) and how it turns lateness samples and those samples into windows.
 */

/** VmRSS of a process in MB (0 once it is gone). */
export function rssMB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU ticks of one cluster: its postmaster, its live children, and the children it has reaped
 * (cutime + cstime: backends and autovacuum workers that exited), so short-lived workers count.
 */
export function clusterTicks(postmasterPid: number): number {
  try {
    const stat = readFileSync(`/proc/${postmasterPid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    const children = readFileSync(`/proc/${postmasterPid}/task/${postmasterPid}/children`, 'utf8');
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) ticks += statTicks(`/proc/${pid}/stat`) ?? 0;
    return ticks;
  } catch {
    return NaN;
  }
}

export interface DbSample {
  /** pg_current_wal_lsn() in bytes: cluster-wide, so on a shared cluster it counts others' writes too. */
  wal: number;
  deadTuples: number;
  liveTuples: number;
  updates: number;
  hotUpdates: number;
  autovacuums: number;
  autoanalyzes: number;
  checkpoints: number;
  /** A vacuum of dispatchr_task in progress at the sample (pg_stat_progress_vacuum). */
  vacuuming: boolean;
  /** Backends connected to the soak's database (this process's stats connection included). */
  connections: number;
  /** dispatchr_task with its indexes and TOAST, in MB. */
  tableMB: number;
  /** Buffer cache hit share of dispatchr_task's heap and index reads since the table was created. */
  hitPct: number;
}

/** Reads the cluster's WAL position, checkpoint count and dispatchr_task's row in pg_stat_user_tables. */
export async function sampleDb(client: pg.Client, schema: string): Promise<DbSample> {
  const { rows } = await client.query<Record<string, string | null>>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal,
            (select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)::text as checkpoints,
            s.n_dead_tup::text as dead, s.n_live_tup::text as live, s.n_tup_upd::text as upd,
            s.n_tup_hot_upd::text as hot, s.autovacuum_count::text as av, s.autoanalyze_count::text as aa,
            (select count(*) from pg_stat_activity where datname = current_database())::text as conns,
            (select count(*) from pg_stat_progress_vacuum v where v.relid = s.relid)::text as vac,
            (pg_total_relation_size(s.relid) / 1048576.0)::text as mb,
            (100.0 * (io.heap_blks_hit + io.idx_blks_hit)
              / nullif(io.heap_blks_hit + io.idx_blks_hit + io.heap_blks_read + io.idx_blks_read, 0))::text as hit
       from (select 1) as one
       left join pg_stat_user_tables s on s.relname = 'dispatchr_task' and s.schemaname = $1
       left join pg_statio_user_tables io on io.relid = s.relid`,
    [schema],
  );
  const row = rows[0];
  const n = (key: string) => Number(row[key] ?? 0);
  return {
    wal: n('wal'),
    deadTuples: n('dead'),
    liveTuples: n('live'),
    updates: n('upd'),
    hotUpdates: n('hot'),
    autovacuums: n('av'),
    autoanalyzes: n('aa'),
    checkpoints: n('checkpoints'),
    connections: n('conns'),
    vacuuming: n('vac') > 0,
    tableMB: Math.round(n('mb')),
    hitPct: Math.round(n('hit') * 10) / 10,
  };
}

export interface WindowSample {
  /** Seconds since the first create, at the window's end. */
  endS: number;
  rss: { recorder: number; scheduler: number };
  /** Ticks of the recorder, the scheduler and every postgres process, and the machine's (cpu.ts). */
  cpu: CpuSnapshot | null;
  pids: { recorder: number; scheduler: number };
  /** clusterTicks() of the cluster the soak runs on. */
  pgTicks: number;
  db: DbSample;
  /** Tasks answered 201 by the end of the window. */
  created: number;
}

export interface SoakWindow {
  window: number;
  endS: number;
  arrivals: number;
  created: number;
  p50: number;
  p99: number;
  max: number;
  rssRecorderMB: number;
  rssSchedulerMB: number;
  deadTuples: number;
  hotUpdates: number;
  autovacuums: number;
  /** A vacuum was running at the window's end. */
  vacuuming: boolean;
  checkpoints: number;
  walBytesPerTask: number;
  /** Cores in use during the window: scheduler, recorder, every postgres process, and the rest of
   *  the box (other sessions, the target, this client). Shows whether a late window was starved. */
  cores: { scheduler: number; recorder: number; cluster: number; other: number };
}

/**
 * Bins lateness pairs (arrival epoch ms, lateness ms) by arrival time into the windows; arrivals
 * after the last window's end (the drain) count in the last window. `before` is the sample taken
 * when the first create went out; each window's deltas run from the previous sample.
 */
export function buildWindows(
  pairs: readonly number[],
  t0: number,
  windowMs: number,
  before: WindowSample,
  samples: readonly WindowSample[],
): SoakWindow[] {
  const bins: number[][] = samples.map(() => []);
  for (let i = 0; i < pairs.length; i += 2) {
    const index = Math.min(bins.length - 1, Math.max(0, Math.floor((pairs[i] - t0) / windowMs)));
    bins[index].push(pairs[i + 1]);
  }
  return samples.map((sample, i) => {
    const prev = i === 0 ? before : samples[i - 1];
    const late = bins[i];
    return {
      window: i + 1,
      endS: sample.endS,
      arrivals: late.length,
      created: sample.created - prev.created,
      p50: percentile(late, 50),
      p99: percentile(late, 99),
      max: percentile(late, 100),
      rssRecorderMB: sample.rss.recorder,
      rssSchedulerMB: sample.rss.scheduler,
      deadTuples: sample.db.deadTuples,
      hotUpdates: sample.db.hotUpdates - prev.db.hotUpdates,
      autovacuums: sample.db.autovacuums - prev.db.autovacuums,
      vacuuming: sample.db.vacuuming,
      checkpoints: sample.db.checkpoints - prev.db.checkpoints,
      walBytesPerTask: late.length ? Math.round((sample.db.wal - prev.db.wal) / late.length) : NaN,
      cores: cores(prev, sample),
    };
  });
}

function cores(prev: WindowSample, sample: WindowSample): SoakWindow['cores'] {
  const cpu = split(prev.cpu, sample.cpu, sample.pids);
  if (!cpu) return { scheduler: NaN, recorder: NaN, cluster: NaN, other: NaN };
  const scheduler = cpu.roles.scheduler ?? 0;
  const recorder = cpu.roles.recorder ?? 0;
  const cluster = Math.round((sample.pgTicks - prev.pgTicks) / cpu.seconds) / 100;
  const other = Math.round((cpu.ours + cpu.postgres + cpu.foreign - scheduler - recorder - cluster) * 100) / 100;
  return { scheduler, recorder, cluster, other };
}

/** Lateness second by second within one window (arrival time), to see whether a bad p99 is a spike. */
export function secondsOfWindow(
  pairs: readonly number[],
  t0: number,
  windowMs: number,
  window: number,
): { s: number; n: number; p50: number; p99: number; max: number }[] {
  const from = t0 + (window - 1) * windowMs;
  const bins: number[][] = Array.from({ length: Math.ceil(windowMs / 1000) }, () => []);
  for (let i = 0; i < pairs.length; i += 2) {
    const at = Math.floor((pairs[i] - from) / 1000);
    if (at >= 0 && at < bins.length) bins[at].push(pairs[i + 1]);
  }
  return bins.map((late, i) => ({
    s: Math.round((from - t0) / 1000) + i,
    n: late.length,
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: percentile(late, 100),
  }));
}

/** RSS is flat when the last window's is within `mb` of the 2nd window's (the 1st, with one window). */
export function rssFlat(windows: readonly SoakWindow[], mb = 20): boolean {
  if (windows.length === 0) return false;
  const base = windows[Math.min(1, windows.length - 1)];
  const last = windows[windows.length - 1];
  return (
    Math.abs(last.rssRecorderMB - base.rssRecorderMB) <= mb && Math.abs(last.rssSchedulerMB - base.rssSchedulerMB) <= mb
  );
}

/** The windows as a small table for the bench's output, headed by the cluster they ran on. */
export function formatSoakWindows(result: {
  cluster?: { name: string; settings: Record<string, string> };
  windows?: SoakWindow[];
  walBytesPerTask?: number;
  deadTuplesEnd?: number;
  hotUpdates?: number;
  updates?: number;
  autovacuums?: number;
  checkpoints?: number;
  rate?: number;
  drainMs?: number;
  worstWindowBySecond?: { s: number; p99: number }[];
  warmup?: { seconds: number; p50: number; p99: number; max: number };
  end?: DbSample;
  clusterUsPerTask?: number;
}): string {
  const windows = result.windows ?? [];
  const settings = Object.entries(result.cluster?.settings ?? {})
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const header = ['window', 'end s', 'arrivals', 'p50 ms', 'p99 ms', 'max ms', 'RSS rec MB', 'RSS sch MB'];
  header.push('dead tup', 'HOT upd', 'autovac', 'ckpt', 'WAL B/task', 'cores sch/rec/pg/other');
  // pg: the soak's cluster (all of it: on the machine's cluster, other sessions' queries too)
  const rows = windows.map((w) =>
    [w.window, w.endS, w.arrivals, w.p50, w.p99, w.max, w.rssRecorderMB, w.rssSchedulerMB, w.deadTuples]
      .concat([w.hotUpdates, w.autovacuums, w.checkpoints, w.walBytesPerTask])
      .map((v) => (Number.isFinite(v) ? v.toLocaleString('en') : '–'))
      .map((cell, i) => (i === 10 && w.vacuuming ? `${cell} +1 running` : cell))
      .concat([`${w.cores.scheduler} / ${w.cores.recorder} / ${w.cores.cluster} / ${w.cores.other}`]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  return [
    `soak.pg on cluster ${result.cluster?.name ?? '?'} (${settings})`,
    `${(result.rate ?? 0).toLocaleString('en')} tasks/s; whole run: ${result.walBytesPerTask} WAL bytes per task, ` +
      `${result.hotUpdates} of ${result.updates} updates HOT, ${result.deadTuplesEnd} dead tuples at the end, ` +
      `${result.autovacuums} autovacuums, ${result.checkpoints} checkpoints, drained ${result.drainMs} ms after the last create; ` +
      `dispatchr_task ${result.end?.tableMB} MB with indexes, ${result.end?.hitPct} % of its block reads from shared_buffers, ` +
      `${result.end?.connections} connections to the database; the cluster's CPU ${result.clusterUsPerTask} µs per task`,
    `warm-up (${result.warmup?.seconds} s at the rate, before window 1, not in the target): lateness p50 ${result.warmup?.p50} / p99 ${result.warmup?.p99} / max ${result.warmup?.max} ms`,
    line(header),
    `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`,
    ...rows.map(line),
    `worst window, p99 ms second by second: ${(result.worstWindowBySecond ?? []).map((x) => `${x.s}s ${x.p99}`).join(' · ')}`,
  ].join('\n');
}
