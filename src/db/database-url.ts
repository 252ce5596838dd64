import path from 'node:path';
import { DispatchrError } from '../errors.js';

export type Dialect = 'postgresql' | 'sqlite';

export type DatabaseTarget =
  { dialect: 'sqlite'; filename: string } | { dialect: 'postgresql'; url: string; schema: string | null };

/**
 * `sqlite:./file.db` (relative to the config file's folder), `sqlite::memory:`, or
 * `postgres://user:pw@host:port/db[?schema=name]`.
 */
export function parseDatabaseUrl(url: string, baseDir: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === ':memory:' || rest === '') return { dialect: 'sqlite', filename: ':memory:' };
    return { dialect: 'sqlite', filename: path.resolve(baseDir, rest) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new DispatchrError('config_invalid', 'database.url: schema must be a plain identifier', {
        status: 2,
        details: [{ path: 'database.url', message: 'expected ?schema= to be a plain identifier (letters, digits, _)' }],
      });
    }
    return { dialect: 'postgresql', url: parsed.toString(), schema };
  }
  throw new DispatchrError('config_invalid', 'database.url: unsupported database', {
    status: 2,
    details: [{ path: 'database.url', message: 'expected sqlite:<file>, sqlite::memory: or postgres://...' }],
  });
}
