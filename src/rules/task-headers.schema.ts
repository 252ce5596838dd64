import { z } from 'zod';
import { headerProblem, MAX_HEADERS } from './task-headers.js';

/**
 * A task's own headers as the API and the config read them (a task's `headers`, a cron entry's):
 * names to strings, each checked by task-headers.ts, a name given once whatever its case. Apart
 * from task-headers.ts so that the client, which checks headers without zod, need not load zod.
 */
export function taskHeadersSchema() {
  return z
    .record(z.string(), z.string({ error: 'expected a string value' }), {
      error: 'expected an object of header names to strings',
    })
    .superRefine((headers, ctx) => {
      const names = Object.keys(headers);
      if (names.length > MAX_HEADERS)
        ctx.addIssue({ code: 'custom', input: names.length, message: `expected at most ${MAX_HEADERS} headers` });
      const seen = new Set<string>();
      for (const name of names) {
        // input: this header's value alone, never the whole map (another header may hold a credential).
        const problem = headerProblem(name, headers[name]);
        if (problem) ctx.addIssue({ code: 'custom', path: [name], input: headers[name], message: problem });
        // `_` as `-` too: WSGI, CGI and Rack servers read X_Tenant as X-Tenant (spec 4.6), so the
        // two would reach the target as one header with a value chosen by the server.
        else if (seen.has(sameHeader(name)))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            input: headers[name],
            message: 'header given twice (names are case-insensitive, and _ is read as -)',
          });
        seen.add(sameHeader(name));
      }
    });
}

/** The form two header names that reach a target as one header share: lowercase, `_` as `-`. */
export function sameHeader(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}
