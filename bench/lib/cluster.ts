import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/**
 * A PostgreSQL 15 cluster of the bench's own, with Debian's defaults (`pg_createcluster`, so
 * autovacuum on and none of the machine cluster's conf.d overrides), created for one soak and
 * dropped after it. Needs root (or the postgres user) and Debian's postgresql-common. Its name
 * carries the creating process's pid, so a later soak can drop what a killed one left behind
 * without touching a cluster whose soak is still running.
 */
const VERSION = '15';
const PREFIX = 'dispatchr_soak_';

/** The settings that decide how a task table under steady churn behaves (recorded with the result). */
export const CLUSTER_SETTINGS = [
  'autovacuum',
  'autovacuum_naptime',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_vacuum_insert_scale_factor',
  'shared_buffers',
  'checkpoint_timeout',
  'max_wal_size',
  'synchronous_commit',
  'fsync',
  'max_connections',
] as const;

export interface BenchCluster {
  name: string;
  port: number;
  /** Superuser URL of the cluster's `postgres` database (trust on 127.0.0.1). */
  adminUrl: string;
  /** Stops and drops the cluster; resolves once `pg_lsclusters` no longer lists it. */
  drop(): Promise<void>;
  /** For signal handlers: starts the drop in a detached process that outlives this one. */
  dropDetached(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Cluster names `pg_lsclusters` lists for our version. */
export function listClusters(): string[] {
  const out = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === VERSION)
    .map((fields) => fields[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Drops soak clusters whose creating process is gone (a soak killed by SIGKILL). */
export function dropOrphans(): string[] {
  const dropped: string[] = [];
  for (const name of listClusters()) {
    const match = new RegExp(`^${PREFIX}(\\d+)_`).exec(name);
    if (!match || alive(Number(match[1]))) continue;
    execFileSync('pg_dropcluster', ['--stop', VERSION, name], { stdio: 'ignore' });
    dropped.push(name);
  }
  return dropped;
}

export async function createCluster(): Promise<BenchCluster> {
  const name = `${PREFIX}${process.pid}_${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  // `--auth=trust` goes to initdb: 127.0.0.1 connects without a password. Nothing else is set.
  execFileSync('pg_createcluster', [VERSION, name, '-p', String(port), '--start', '--', '--auth=trust'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let dropped = false;
  const cluster: BenchCluster = {
    name,
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async drop() {
      if (dropped) return;
      dropped = true;
      await new Promise<void>((resolve, reject) => {
        const child = spawn('pg_dropcluster', ['--stop', VERSION, name], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dropcluster ${name}: ${err}`))));
      });
      if (listClusters().includes(name)) throw new Error(`cluster ${name} still listed after pg_dropcluster`);
    },
    dropDetached() {
      if (dropped) return;
      dropped = true;
      spawn('pg_dropcluster', ['--stop', VERSION, name], { detached: true, stdio: 'ignore' }).unref();
    },
  };
  return cluster;
}

/** The cluster's settings as `current_setting` shows them (units included). */
export async function clusterSettings(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      'select name, current_setting(name) as setting from pg_settings where name = any($1)',
      [[...CLUSTER_SETTINGS]],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  } finally {
    await client.end();
  }
}
