import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting around a measured window, as the peer bench did it: the machine's busy time split
 * into ours (the bench's processes), postgres (every `postgres` process) and foreign (the rest:
 * other sessions on this shared box). A run with much foreign CPU is repeated by the orchestrator.
 * Linux only; elsewhere every figure is null.
 */
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  ours: Map<number, number>;
  postgres: Map<number, number>;
}

export interface CpuSplit {
  /** Cores in use on average over the window. */
  ours: number;
  postgres: number;
  foreign: number;
  /** Foreign CPU as a share of the whole machine (0..1). */
  foreignShare: number;
  /** The window's length. */
  seconds: number;
  /** Per-pid cores for our processes, keyed by role. */
  roles: Record<string, number>;
}

function machine(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** CPU ticks (1/100 s, user + system) of a process; null once it is gone. */
export function pidTicks(pid: number): number | null {
  return statTicks(`/proc/${pid}/stat`);
}

/**
 * CPU ticks from a `stat` file of /proc: a process's (`/proc/<pid>/stat`, every thread together)
 * or one thread's (`/proc/<pid>/task/<tid>/stat`). Null once it is gone.
 */
export function statTicks(file: string): number | null {
  try {
    const stat = readFileSync(file, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the comm: state(0) ... utime(11) stime(12)
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

function postgresPids(): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

export function snapshot(ourPids: readonly number[]): CpuSnapshot | null {
  const m = machine();
  if (!m) return null;
  const ours = new Map<number, number>();
  for (const pid of ourPids) {
    const t = pidTicks(pid);
    if (t !== null) ours.set(pid, t);
  }
  const postgres = new Map<number, number>();
  for (const pid of postgresPids()) {
    const t = pidTicks(pid);
    if (t !== null) postgres.set(pid, t);
  }
  return { at: Date.now(), machineBusy: m.busy, machineTotal: m.total, ours, postgres };
}

export function split(
  start: CpuSnapshot | null,
  end: CpuSnapshot | null,
  roles: Record<string, number>,
): CpuSplit | null {
  if (!start || !end) return null;
  const seconds = (end.at - start.at) / 1000;
  if (seconds <= 0) return null;
  const delta = (a: Map<number, number>, b: Map<number, number>) => {
    let sum = 0;
    for (const [pid, ticks] of b) sum += ticks - (a.get(pid) ?? 0);
    return sum;
  };
  const ours = delta(start.ours, end.ours);
  const pg = delta(start.postgres, end.postgres);
  const busy = end.machineBusy - start.machineBusy;
  const total = end.machineTotal - start.machineTotal;
  const foreign = Math.max(0, busy - ours - pg);
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const roleCores: Record<string, number> = {};
  for (const [role, pid] of Object.entries(roles)) {
    const a = start.ours.get(pid);
    const b = end.ours.get(pid);
    if (a !== undefined && b !== undefined) roleCores[role] = round2(cores(b - a));
  }
  return {
    ours: round2(cores(ours)),
    postgres: round2(cores(pg)),
    foreign: round2(cores(foreign)),
    foreignShare: total > 0 ? round2(foreign / total) : 0,
    seconds,
    roles: roleCores,
  };
}

/** Machine busy share over `ms` (before a run: is the box quiet?). */
export async function busyShare(ms: number): Promise<number | null> {
  const a = machine();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machine();
  if (!a || !b || b.total === a.total) return null;
  return (b.busy - a.busy) / (b.total - a.total);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
