import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, parseFlags, spawnProc, spread, type Child, type Message } from './lib/common.js';
import { busyShare, snapshot, split, type CpuSplit } from './lib/cpu.js';
import { BENCH_DB, createBenchDatabase, dropBenchDatabase } from './lib/db.js';
import { machineInfo, type MachineInfo } from './lib/machine.js';
import { formatSoakWindows } from './lib/soak-stats.js';
import { ensureDistCurrent } from './lib/build.js';
import { coldExtra, formatCold, type ColdExtra } from './lib/cold-report.js';

/**
 * `npm run bench [-- --runs=N] [--quick] [--only=REGEX] [--no-memory] [--warm=N] [--profile=scheduler|recorder|cold]`
 *
 * One invocation measures Dispatchr and its references side by side on this machine: every
 * measured run is a fresh process (and a fresh schema or SQLite file), passes are interleaved
 * (scenario A, B, C, then A, B, C again) so a noisy minute hurts every figure alike, figures are
 * medians of the runs, and a run that saw more than 10 % foreign CPU (other work on the box) is
 * repeated, keeping the least disturbed of up to three attempts. Prints one table and writes
 * bench/results.json.
 */
const flags = parseFlags(process.argv.slice(2));
const quick = flags.quick === true;
const runs = Number(flags.runs ?? (quick ? 1 : 3));
const only = typeof flags.only === 'string' ? new RegExp(flags.only) : null;
const withMemory = flags['no-memory'] !== true && (!quick || flags.memory === true);
const profile = typeof flags.profile === 'string' ? flags.profile : null;
// soak.pg: `--soak-seconds=N --soak-rate=N` for shorter dev runs, `--soak-cluster=main` for the
// machine's own cluster instead of one created with Debian's defaults, `--soak-warmup=N` seconds at the
// rate before the first window (default 10), `--no-soak` to skip it.
const soakSeconds = Number(flags['soak-seconds'] ?? (quick ? 60 : 300));
const soakRate = Number(flags['soak-rate'] ?? 2_000);
const soakCluster = flags['soak-cluster'] === 'main' ? 'main' : 'own';
const soakWarmup = Number(flags['soak-warmup'] ?? 10);
const FOREIGN_LIMIT = 0.1;
/** No repeats after this much of the run: a box busy all along would otherwise triple the run. */
const RETRY_BUDGET_MS = 6 * 60_000;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// .scratch/ is git-ignored: profiles never end up in a commit.
const profileDir = here('../.scratch/profiles');
const profArgs = (role: string) => (profile === role ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);

/** Sized so a full run (3 passes) stays under about ten minutes on the 2-core box. `--scale=X`
 *  multiplies the enqueue, dispatch and memory counts (longer profiles). */
const scale = Number(flags.scale ?? 1);
const N = quick
  ? {
      ceilingMs: 1_000,
      single: 2_000,
      batch: 5_000,
      dispatch: 5_000,
      warmDispatch: 1_000,
      samples: 50,
      latWarm: 10,
      gw: 5_000,
      memory: 50_000,
      apiTasks: 100_000,
      apiSamples: 10,
    }
  : {
      ceilingMs: 3_000,
      single: 10_000,
      batch: 30_000,
      dispatch: 20_000,
      warmDispatch: 10_000,
      samples: 200,
      latWarm: 50,
      gw: 20_000,
      memory: 200_000,
      apiTasks: 1_000_000,
      apiSamples: 20,
    };
for (const key of ['single', 'batch', 'dispatch', 'memory'] as const) N[key] = Math.round(N[key] * scale);
// The drains' warm-up (Dispatchr's scheduler and graphile-worker alike): `--warm=N` tasks first.
// 10,000 (about a second) so the measured window starts with the per-batch code compiled, as the
// ceiling's client starts after 0.5 s of requests; with 2,000, V8's compiler threads still spent
// 12-19 µs per task inside the window (bench/NOTES.md, "The warm-up").
if (flags.warm !== undefined) {
  if (typeof flags.warm !== 'string' || !/^\d+$/.test(flags.warm)) {
    console.error(
      `--warm: expected a whole number of tasks, 0 or more (--warm=10000), got ${flags.warm === true ? 'no value' : JSON.stringify(flags.warm)}`,
    );
    process.exit(2);
  }
  N.warmDispatch = Number(flags.warm);
}

/** The scheduler's setup in every Dispatchr scenario (reported with the table): the config's
 *  defaults (issue 23, "Fast by default") but the queue's maxConcurrent, as dispatch.pg.cold's
 *  config file. `BENCH_SCHEDULER='{"batchSize":250}'` overrides, to price a setting. */
const SCHEDULER: { maxConcurrent: number; batchSize?: number; workerThreads?: number } = {
  maxConcurrent: 500,
  ...(process.env.BENCH_SCHEDULER ? JSON.parse(process.env.BENCH_SCHEDULER) : {}),
};

type Kind = 'rate' | 'latency' | 'memory' | 'soak';
interface Scenario {
  id: string;
  what: string;
  kind: Kind;
  proc: string;
  options: Record<string, unknown>;
  once?: boolean;
  timeoutMs: number;
}

const scenarios: Scenario[] = [
  {
    id: 'http.ceiling',
    what: 'undici c50 → node:http target (separate process)',
    kind: 'rate',
    proc: 'ceiling',
    options: { warmupMs: 500, durationMs: N.ceilingMs, concurrency: 50 },
    timeoutMs: 60_000,
  },
  {
    id: 'http.ceiling.headers',
    what: 'the same, each POST with the six headers every dispatch request carries (docs/spec.md)',
    kind: 'rate',
    proc: 'ceiling',
    options: { warmupMs: 500, durationMs: N.ceilingMs, concurrency: 50, dispatchHeaders: true },
    timeoutMs: 60_000,
  },
  ...(['pg', 'sqlite'] as const).flatMap((dialect): Scenario[] => [
    {
      id: `enqueue.single.${dialect}`,
      what: `POST /tasks, one task each, concurrency 50 (${dialect === 'pg' ? 'PostgreSQL' : 'SQLite'})`,
      kind: 'rate',
      proc: 'enqueue',
      options: {
        dialect,
        mode: 'single',
        tasks: N.single,
        warmupTasks: 1_000,
        concurrency: 50,
        batchSize: 1,
        recorderExecArgv: profArgs('recorder'),
      },
      timeoutMs: 120_000,
    },
    {
      id: `enqueue.batch.${dialect}`,
      what: `POST /tasks/batch, 1,000 tasks each, concurrency 2 (${dialect === 'pg' ? 'PostgreSQL' : 'SQLite'})`,
      kind: 'rate',
      proc: 'enqueue',
      options: {
        dialect,
        mode: 'batch',
        tasks: N.batch,
        warmupTasks: 2_000,
        concurrency: 2,
        batchSize: 1_000,
        recorderExecArgv: profArgs('recorder'),
      },
      timeoutMs: 120_000,
    },
  ]),
  ...(['pg', 'sqlite'] as const).map((dialect): Scenario => ({
    id: `dispatch.${dialect}`,
    what: `${N.dispatch.toLocaleString('en')} due tasks drained by one scheduler (${dialect === 'pg' ? 'PostgreSQL' : 'SQLite'})`,
    kind: 'rate',
    proc: 'dispatch',
    options: { dialect, tasks: N.dispatch, warmupTasks: N.warmDispatch, ...SCHEDULER },
    timeoutMs: 180_000,
  })),
  {
    id: 'dispatch.pg.mc100',
    what: 'the same with the default queue maxConcurrent (100): one batch of 100 in flight at a time',
    kind: 'rate',
    proc: 'dispatch',
    once: true,
    options: { dialect: 'pg', tasks: N.dispatch, warmupTasks: N.warmDispatch, ...SCHEDULER, maxConcurrent: 100 },
    timeoutMs: 180_000,
  },
  {
    id: 'dispatch.pg.cold',
    what: `${N.dispatch.toLocaleString('en')} due tasks drained by a fresh \`dispatchr schedule\` process, default config + maxConcurrent ${SCHEDULER.maxConcurrent}`,
    kind: 'rate',
    proc: 'cold',
    options: { tasks: N.dispatch, maxConcurrent: SCHEDULER.maxConcurrent, nodeArgs: profArgs('cold') },
    timeoutMs: 180_000,
  },
  {
    id: 'latency.pg',
    what: `create (HTTP) → target arrival, 1 every 20 ms, ${N.samples} samples (PostgreSQL)`,
    kind: 'latency',
    proc: 'latency',
    options: {
      dialect: 'pg',
      samples: N.samples,
      warmup: N.latWarm,
      intervalMs: 20,
      maxConcurrent: SCHEDULER.maxConcurrent,
      schedulerExecArgv: profArgs('scheduler-latency'),
      recorderExecArgv: profArgs('recorder-latency'),
    },
    timeoutMs: 120_000,
  },
  {
    id: 'api.reads.pg',
    what: `the dashboard's API calls on ${N.apiTasks.toLocaleString('en')} tasks (PostgreSQL): p50 of the slowest call`,
    kind: 'latency',
    proc: 'api-reads',
    once: true,
    options: { tasks: N.apiTasks, samples: N.apiSamples },
    timeoutMs: 600_000,
  },
  {
    id: 'gw.process.default',
    what: `graphile-worker 0.17.3, concurrency 10, defaults, ${N.gw.toLocaleString('en')} no-op jobs`,
    kind: 'rate',
    proc: 'gw',
    options: { mode: 'throughput', preset: 'default', jobs: N.gw, warmupJobs: N.warmDispatch },
    timeoutMs: 180_000,
  },
  {
    id: 'gw.process.fast',
    what: 'graphile-worker 0.17.3, concurrency 24, localQueue 500, batch delays 0',
    kind: 'rate',
    proc: 'gw',
    options: { mode: 'throughput', preset: 'fast', jobs: N.gw, warmupJobs: N.warmDispatch },
    timeoutMs: 180_000,
  },
  {
    id: 'gw.http.fast',
    what: 'the same, each job POSTing its payload to the target (undici, a connection per concurrent job)',
    kind: 'rate',
    proc: 'gw',
    options: { mode: 'throughput', preset: 'fast', push: true, jobs: N.gw, warmupJobs: N.warmDispatch },
    timeoutMs: 180_000,
  },
  {
    id: 'gw.latency',
    what: 'graphile-worker addJob → handler start, in-process, concurrency 10',
    kind: 'latency',
    proc: 'gw',
    options: { mode: 'latency', preset: 'default', samples: N.samples, warmup: N.latWarm, intervalMs: 20 },
    timeoutMs: 120_000,
  },
  {
    id: 'memory.pg',
    what: `scheduler RSS over ${N.memory.toLocaleString('en')} tasks (PostgreSQL)`,
    kind: 'memory',
    proc: 'dispatch',
    once: true,
    options: { dialect: 'pg', tasks: N.memory, warmupTasks: N.warmDispatch, memory: true, ...SCHEDULER },
    timeoutMs: 300_000,
  },
  {
    id: 'soak.pg',
    what: `${soakSeconds} s at ${soakRate.toLocaleString('en')} tasks/s through batch creates, ${soakCluster === 'main' ? "the machine's cluster" : 'a new cluster with Debian defaults'}: worst 15 s window's lateness p99`,
    kind: 'soak',
    proc: 'soak',
    once: true,
    options: {
      cluster: soakCluster,
      seconds: soakSeconds,
      rate: soakRate,
      windowS: 15,
      warmupS: soakWarmup,
      intervalMs: 100,
      batchSize: SCHEDULER.batchSize,
      workerThreads: SCHEDULER.workerThreads,
      maxConcurrent: SCHEDULER.maxConcurrent,
    },
    timeoutMs: (soakWarmup + soakSeconds + 240) * 1000,
  },
];

for (const s of scenarios) {
  if (s.proc === 'dispatch') s.options.execArgv = profArgs('scheduler');
}

const ROLE_NAMES: Record<string, string> = {
  dispatch: 'scheduler',
  enqueue: 'client',
  ceiling: 'client',
  gw: 'worker',
  cold: 'client',
};

interface RunRecord {
  scenario: string;
  pass: number;
  attempt: number;
  result: Message;
  cpu: CpuSplit | null;
}

async function runScenario(
  s: Scenario,
  targetPort: number,
  targetPid: number,
): Promise<{ result: Message; cpu: CpuSplit | null }> {
  const execArgv = (s.options.execArgv as string[] | undefined) ?? [];
  const child: Child = spawnProc(s.proc, { ...s.options, targetPort }, execArgv);
  const timer = setTimeout(() => void child.kill(), s.timeoutMs);
  try {
    const start = await child.next<{ type: 'window'; pids?: Record<string, number> }>('window', s.timeoutMs);
    const roles: Record<string, number> = { [s.proc]: child.pid, target: targetPid, ...(start.pids ?? {}) };
    const pids = Object.values(roles);
    const before = snapshot(pids);
    await child.next('window', s.timeoutMs);
    const after = snapshot(pids);
    const result = await child.next('result', s.timeoutMs);
    await child.exited;
    const cpu = split(before, after, roles);
    // CPU per task (µs) by role: steadier than a rate on a shared box
    const items = Number(result.tasks ?? result.jobs ?? result.requests ?? 0);
    if (cpu && items > 0) {
      const per = (cores: number) => Math.round((cores * cpu.seconds * 1e6) / items);
      result.cpuUsPerItem = {
        ...Object.fromEntries(Object.entries(cpu.roles).map(([role, cores]) => [role, per(cores)])),
        postgres: per(cpu.postgres),
      };
    }
    return { result, cpu };
  } finally {
    clearTimeout(timer);
    await child.kill();
  }
}

const fmt = (n: number, unit: string) =>
  !Number.isFinite(n)
    ? '–'
    : unit === 'ms'
      ? `${n.toFixed(2)}`
      : n >= 100
        ? Math.round(n).toLocaleString('en')
        : n.toFixed(2);

async function main(): Promise<void> {
  const started = Date.now();
  const selected = scenarios.filter(
    (s) =>
      (!only || only.test(s.id)) &&
      (s.kind !== 'memory' || withMemory) &&
      (s.kind !== 'soak' || flags['no-soak'] !== true),
  );
  const info = await machineInfo();
  const idle = await busyShare(1_000);
  console.log(
    `dispatchr bench: ${runs} run${runs > 1 ? 's' : ''} per figure${quick ? ' (quick)' : ''}; ${info.cpus}, ${info.memory}, Node ${info.node}, PostgreSQL ${info.postgres}`,
  );
  console.log(
    `machine busy before the start: ${idle === null ? 'n/a' : `${Math.round(idle * 100)} %`} (load ${info.loadAverage.join(', ')})`,
  );
  if (profile) mkdirSync(profileDir, { recursive: true });
  if (selected.some((s) => s.proc === 'cold')) ensureDistCurrent();
  await createBenchDatabase();
  const target = spawnProc('target', {});
  const records: RunRecord[] = [];
  try {
    const { port } = await target.next<{ type: 'ready'; port: number }>('ready', 30_000);
    for (let pass = 1; pass <= runs; pass++) {
      for (const s of selected) {
        if (s.once && pass > 1) continue;
        let best: RunRecord | null = null;
        for (let attempt = 1; attempt <= 3; attempt++) {
          const t = Date.now();
          const { result, cpu } = await runScenario(s, port, target.pid);
          const record = { scenario: s.id, pass, attempt, result, cpu };
          const share = cpu?.foreignShare ?? 0;
          console.log(
            `  [${pass}/${runs}] ${s.id.padEnd(22)} ${fmt(Number(result.value), String(result.unit)).padStart(9)} ${String(result.unit).padEnd(7)}` +
              ` ${cpu ? `cpu ours ${cpu.ours} pg ${cpu.postgres} foreign ${cpu.foreign}` : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`,
          );
          if (!best || share < (best.cpu?.foreignShare ?? 0)) best = record;
          // A soak is not repeated: its windows show when the box was disturbed.
          if (share <= FOREIGN_LIMIT || s.kind === 'soak') break;
          if (Date.now() - started > RETRY_BUDGET_MS) {
            console.log(`    foreign CPU ${Math.round(share * 100)} %, kept: past the retry budget`);
            break;
          }
          console.log(`    foreign CPU ${Math.round(share * 100)} % > ${FOREIGN_LIMIT * 100} %: repeating`);
        }
        records.push(best!);
      }
    }
  } finally {
    await target.kill();
    await dropBenchDatabase().catch((error: unknown) => console.error(`could not drop ${BENCH_DB}: ${String(error)}`));
  }
  report(selected, records, info, started);
}

interface Figure {
  id: string;
  what: string;
  unit: string;
  median: number;
  runs: number[];
  spread: number;
  ratioToCeiling?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  extra?: Record<string, unknown>;
  /** Median CPU per task (or request, or job) in µs, by process. */
  cpuUsPerItem?: Record<string, number>;
  target?: string;
  met?: boolean;
}

function report(selected: Scenario[], records: RunRecord[], info: MachineInfo, started: number): void {
  const figures = new Map<string, Figure>();
  for (const s of selected) {
    const mine = records.filter((r) => r.scenario === s.id);
    if (mine.length === 0) continue;
    const values = mine.map((r) => Number(r.result.value));
    const figure: Figure = {
      id: s.id,
      what: s.what,
      unit: String(mine[0].result.unit),
      median: median(values),
      runs: values,
      spread: spread(values),
    };
    if (s.kind === 'latency') {
      figure.p50 = median(mine.map((r) => Number(r.result.p50)));
      figure.p95 = median(mine.map((r) => Number(r.result.p95)));
      figure.p99 = median(mine.map((r) => Number(r.result.p99)));
      const sub = (key: string) => {
        const parts = mine
          .map((r) => r.result[key] as { p50: number; p95: number; p99: number } | undefined)
          .filter(Boolean) as { p50: number; p95: number; p99: number }[];
        return parts.length
          ? {
              p50: median(parts.map((p) => p.p50)),
              p95: median(parts.map((p) => p.p95)),
              p99: median(parts.map((p) => p.p99)),
            }
          : undefined;
      };
      figure.extra = {
        createRtt: sub('createRtt'),
        afterAnswer: sub('afterAnswer'),
        fromAddReturn: sub('fromAddReturn'),
        ...(s.proc === 'api-reads' ? { calls: mine[0].result.calls, seedMs: mine[0].result.seedMs } : {}),
      };
    }
    const perItem = mine
      .map((r) => r.result.cpuUsPerItem as Record<string, number> | undefined)
      .filter(Boolean) as Record<string, number>[];
    if (perItem.length && (s.kind === 'rate' || s.kind === 'soak')) {
      const roles = Object.keys(perItem[0]);
      figure.cpuUsPerItem = Object.fromEntries(
        roles.map((role) => [ROLE_NAMES[role] ?? role, median(perItem.map((p) => p[role] ?? NaN))]),
      );
    }
    if (s.kind === 'memory') {
      const r = mine[0].result;
      figure.median = Number(r.rssGrowthMB);
      figure.runs = [figure.median];
      figure.unit = 'MB';
      figure.extra = { ...r, type: undefined };
    } else if (s.kind === 'soak') {
      figure.extra = { ...mine[0].result, type: undefined };
    } else if (s.proc === 'cold') {
      figure.extra = { ...coldExtra(mine.map((r) => r.result)) };
    } else if (s.kind === 'rate' && s.proc === 'dispatch') {
      const roles = [
        ...new Set(mine.flatMap((r) => Object.keys((r.result.threadsUsPerTask ?? {}) as Record<string, number>))),
      ];
      const threads = Object.fromEntries(
        roles.map((role) => [
          role,
          median(
            mine.map((r) => Number((r.result.threadsUsPerTask as Record<string, number> | undefined)?.[role] ?? 0)),
          ),
        ]),
      );
      figure.extra = {
        avgBatch: median(mine.map((r) => Number(r.result.avgBatch))),
        startLagMs: median(mine.map((r) => Number(r.result.startLagMs))),
        threads,
      };
    }
    figures.set(s.id, figure);
  }
  const ceiling = figures.get('http.ceiling')?.median;
  const gwHttp = figures.get('gw.http.fast')?.median;
  for (const figure of figures.values()) {
    if (ceiling && /^(dispatch|gw\.(process|http)|http\.ceiling\.)/.test(figure.id))
      figure.ratioToCeiling = figure.median / ceiling;
  }
  const check = (id: string, target: string, met: (f: Figure) => boolean) => {
    const f = figures.get(id);
    if (!f) return;
    f.target = target;
    f.met = met(f);
  };
  check('dispatch.pg.cold', '≥ 0.35× ceiling', (f) => (f.ratioToCeiling ?? 0) >= 0.35);
  check(
    'dispatch.pg',
    '≥ 0.5× ceiling, ≥ 1.5× gw.http.fast',
    (f) => (f.ratioToCeiling ?? 0) >= 0.5 && (!gwHttp || f.median >= 1.5 * gwHttp),
  );
  check('dispatch.sqlite', '≥ 15,000/s', (f) => f.median >= 15_000);
  check('enqueue.single.pg', '≥ 5,000/s', (f) => f.median >= 5_000);
  check('enqueue.batch.pg', '≥ 50,000/s', (f) => f.median >= 50_000);
  check('latency.pg', 'p50 ≤ 5, p99 ≤ 25 ms', (f) => (f.p50 ?? Infinity) <= 5 && (f.p99 ?? Infinity) <= 25);
  check('memory.pg', '< 50 MB growth', (f) => f.median < 50);
  // Flat: the last window's RSS within 20 MB of the 2nd window's, recorder and scheduler alike.
  check('soak.pg', 'every window p99 ≤ 250 ms, RSS flat', (f) => f.median <= 250 && f.extra?.rssFlat === true);

  const rows = [...figures.values()].map((f) => {
    const value =
      f.p50 !== undefined ? `${fmt(f.p50, 'ms')} / ${fmt(f.p95!, 'ms')} / ${fmt(f.p99!, 'ms')}` : fmt(f.median, f.unit);
    const unit = f.p50 !== undefined ? 'ms p50/p95/p99' : f.unit === 'MB' ? 'MB RSS growth' : f.unit;
    const cpu = f.cpuUsPerItem
      ? Object.entries(f.cpuUsPerItem)
          .filter(([, us]) => us > 0)
          .map(([role, us]) => `${role} ${Math.round(us)}`)
          .join(' · ')
      : '';
    return [
      f.id,
      value,
      unit,
      f.runs.length > 1 ? `${Math.round(f.spread * 100)} %` : '–',
      f.ratioToCeiling !== undefined ? `${f.ratioToCeiling.toFixed(2)}×` : '',
      cpu,
      f.target ? `${f.met ? 'yes' : 'NO'} (${f.target})` : '',
    ];
  });
  const header = ['figure', 'median', 'unit', 'spread', '× ceiling', 'CPU µs per item', 'target met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 1 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of rows) console.log(line(row));
  const lat = figures.get('latency.pg')?.extra as
    { createRtt?: { p50: number; p99: number }; afterAnswer?: { p50: number; p99: number } } | undefined;
  if (lat?.createRtt)
    console.log(
      `\nlatency.pg: the create's own round trip p50 ${lat.createRtt.p50} ms / p99 ${lat.createRtt.p99} ms; target arrival after the create's answer p50 ${lat.afterAnswer?.p50} ms`,
    );
  const api = figures.get('api.reads.pg')?.extra as
    { calls?: Record<string, { p50: number; p95: number }>; seedMs?: number } | undefined;
  if (api?.calls)
    console.log(
      `\napi.reads.pg (p50 / p95 ms): ${Object.entries(api.calls)
        .map(([name, t]) => `${name} ${t.p50} / ${t.p95}`)
        .join(' · ')}`,
    );
  const disp = figures.get('dispatch.pg')?.extra as
    { avgBatch?: number; startLagMs?: number; threads?: Record<string, number> } | undefined;
  if (disp) {
    const threads = Object.entries(disp.threads ?? {})
      .map(([role, us]) => `${role} ${us}`)
      .join(' · ');
    console.log(
      `dispatch.pg: ${disp.avgBatch} tasks per settled batch on average; first push ${disp.startLagMs} ms after T0; scheduler CPU µs per task by thread: ${threads}`,
    );
    const withHeaders = figures.get('http.ceiling.headers')?.median;
    const dispatchPg = figures.get('dispatch.pg')?.median;
    if (withHeaders && dispatchPg)
      console.log(
        `dispatch.pg against the ceiling whose requests carry the dispatch's headers: ${(dispatchPg / withHeaders).toFixed(2)}×`,
      );
  }
  const cold = figures.get('dispatch.pg.cold')?.extra;
  if (cold) console.log(formatCold(cold as unknown as ColdExtra));
  const mem = figures.get('memory.pg')?.extra as Record<string, number> | undefined;
  if (mem)
    console.log(
      `memory.pg: RSS ${mem.rssStartMB} MB at start, max ${mem.rssMaxMB} MB (+${mem.rssMaxGrowthMB} during the run), ${mem.rssEndMB} MB at the end after 5 s idle; heap ${mem.heapStartMB} → ${mem.heapEndMB} MB used, ${mem.heapPagesStartMB} → ${mem.heapPagesEndMB} MB in memory (the main thread's); ${fmt(mem.value, 'tasks/s')} tasks/s`,
    );
  const soak = figures.get('soak.pg')?.extra;
  if (soak) console.log(`\n${formatSoakWindows(soak as Parameters<typeof formatSoakWindows>[0])}`);
  const minutes = (Date.now() - started) / 60_000;
  console.log(
    `\nscheduler: batchSize ${SCHEDULER.batchSize ?? 'default'}, workerThreads ${SCHEDULER.workerThreads ?? 'default'}, log level default, queue maxConcurrent ${SCHEDULER.maxConcurrent}; drains warmed with ${N.warmDispatch.toLocaleString('en')} tasks (jobs); ${runs} pass${runs > 1 ? 'es' : ''} in ${minutes.toFixed(1)} min`,
  );

  const out = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    runsPerFigure: runs,
    quick,
    machine: info,
    scheduler: SCHEDULER,
    warmupTasks: N.warmDispatch,
    figures: Object.fromEntries([...figures].map(([id, f]) => [id, f])),
    runs: records,
  };
  writeFileSync(here('./results.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
