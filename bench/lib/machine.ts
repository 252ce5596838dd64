import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ADMIN_URL } from './db.js';

/** The machine, Node, PostgreSQL and the packages the bench ran with (printed and kept in results.json). */
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function machineInfo() {
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(here(`../../node_modules/${name}/package.json`), 'utf8')) as { version: string })
        .version;
    } catch {
      return 'n/a';
    }
  };
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  const version = String((await client.query('show server_version')).rows[0].server_version);
  const settings = (
    await client.query(
      `select name, current_setting(name) as setting from pg_settings where name in ('shared_buffers','synchronous_commit','fsync','max_connections')`,
    )
  ).rows as { name: string; setting: string }[];
  await client.end();
  return {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: version,
    postgresSettings: Object.fromEntries(settings.map((row) => [row.name, row.setting])),
    packages: Object.fromEntries(
      [
        'graphile-worker',
        'undici',
        'pg',
        'piscina',
        'bottleneck',
        '@mikro-orm/core',
        'better-sqlite3',
        'koa',
        'xstate',
      ].map((name) => [name, pkg(name)]),
    ),
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export type MachineInfo = Awaited<ReturnType<typeof machineInfo>>;
