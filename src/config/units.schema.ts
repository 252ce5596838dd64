import { z } from 'zod';
import { bareMillisecondsProblem, parseDuration } from '../duration.js';

/** The units a configuration is written in: durations, bounded integers and byte sizes. */

/** A duration in config: "500ms", "30s", "10m", "1h", "2d", or a bare number of milliseconds. */
export const durationMs = (description: string) =>
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const ms = parseDuration(value, 'ms');
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration like "500ms", "30s", "10m", "1h", "2d" or a number of milliseconds, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      const unitSlip = bareMillisecondsProblem(value);
      if (unitSlip) {
        ctx.addIssue({ code: 'custom', message: unitSlip });
        return z.NEVER;
      }
      return ms;
    })
    .describe(description);

/** An integer within bounds, with the message naming both the kind and the limit. */
export const integer = (min: number, max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? undefined : `expected an integer from ${min} to ${max}`) })
    .int({ error: `expected an integer >= ${min}` })
    .min(min, { error: `expected an integer >= ${min}` })
    .max(max, { error: `expected an integer <= ${max}` });

/** Byte sizes: "1mb", "512kb" or a number of bytes. */
export const byteSize = (description: string) =>
  z
    .union([z.number().int().positive(), z.string()])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
      if (!match) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a size like "1mb", "512kb" or a number of bytes, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      const unit = (match[2] ?? 'b').toLowerCase();
      return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
    })
    .describe(description);
