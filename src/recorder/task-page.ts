import { Readable } from 'node:stream';
import { encodeCursor } from '../db/cursor.js';
import type { ListedTask, TaskFilter, TaskRepository } from '../db/task.repository.js';
import type { LimitsConfig } from './effective.js';
import { parseJsonBody, renderTask } from './render.js';
import type { TaskView } from './schemas/resource.schema.js';

/**
 * A list or search answer, `{ tasks, nextCursor }`, within a byte budget (docs/spec.md 4.8). Tasks
 * are rendered one at a time and measured as they are added; the page ends before the first task
 * that would take it past `maxPageBytes`, with a cursor after the last task it holds. A page holds
 * at least one task, so paging always moves on, even past a task that alone is larger than the
 * budget.
 *
 * Memory stays near the budget whatever the tasks weigh: the list reads no bodies, and the full view
 * reads them about a megabyte at a time, only while the page has room. A JSON body is written as
 * its stored bytes (the JSON text the `body` value parses from), a base64 one is encoded slice by
 * slice as it is written. (A JSON-typed body is still decoded and parsed once, by parseJsonBody, to
 * decide between `body` and `bodyBase64`, as the single read does; that garbage is one body at a
 * time, never the page.)
 */
export interface PageLimits {
  maxPageBytes: number;
  maxScanRows: number;
  readTimeoutMs: number;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
  view: TaskView;
  /** For each task's `effective` (render.ts). */
  config?: LimitsConfig;
}

/** A piece of the page's JSON text: text, bytes written as they are, or bytes written as base64. */
export type PagePiece = string | Buffer | { base64: Buffer };

/** The page's JSON text in order (envelope, tasks and commas), and its exact size in bytes. */
export interface TaskPage {
  pieces: PagePiece[];
  bytes: number;
}

/** The envelope's bytes with the longest `nextCursor` there is (cursors have one length). */
const ENVELOPE_BYTES = envelopeBytes(encodeCursor('00000000-0000-7000-8000-000000000000'));
/** Bodies are read at most this many bytes (as stored) per query, one task at least. */
const BODY_BYTES_PER_READ = 1024 * 1024;
/** And at most this many per query (a page of tiny bodies). */
const MAX_BODIES_PER_READ = 250;

export async function buildTaskPage(
  tasks: TaskRepository,
  filter: TaskFilter,
  request: PageRequest,
  limits: PageLimits,
): Promise<TaskPage> {
  const listed = await tasks.listTasks({
    ...filter,
    limit: request.limit,
    cursor: request.cursor,
    maxScanRows: limits.maxScanRows,
    timeoutMs: limits.readTimeoutMs,
  });
  const shown: PagePiece[][] = [];
  let used = ENVELOPE_BYTES;
  let lastShownId: string | undefined;
  let index = 0;
  while (index < listed.tasks.length) {
    const full = request.view === 'full';
    const chunk = full
      ? chunkWithin(listed.tasks, index, Math.min(limits.maxPageBytes - used, BODY_BYTES_PER_READ))
      : listed.tasks.slice(index);
    const bodies = full ? await tasks.findBodies(chunk.map((task) => task.id)) : undefined;
    for (const task of chunk) {
      index++;
      if (bodies && !bodies.has(task.id)) continue; // deleted since the list was read
      const rendered = taskPieces(task, bodies?.get(task.id) ?? null, request);
      const bytes = rendered.bytes + (shown.length > 0 ? 1 : 0); // and its comma
      if (shown.length > 0 && used + bytes > limits.maxPageBytes) {
        // Full: the page ends after the last task it holds; this one comes first on the next page.
        return assemble(shown, used - ENVELOPE_BYTES, encodeCursor(lastShownId!));
      }
      shown.push(rendered.pieces);
      used += bytes;
      lastShownId = task.id;
    }
  }
  return assemble(shown, used - ENVELOPE_BYTES, listed.nextCursor);
}

/**
 * The listed tasks from `start` whose bodies, as stored, fit in `room` bytes, one at least: a body
 * renders about as large as it is stored (JSON text) or larger (base64), so the bodies of tasks
 * beyond the room would not fit the page and are not read.
 */
function chunkWithin(listed: readonly ListedTask[], start: number, room: number): ListedTask[] {
  let end = start + 1;
  let bytes = listed[start].bodyBytes ?? 0;
  while (end < listed.length && end - start < MAX_BODIES_PER_READ) {
    bytes += listed[end].bodyBytes ?? 0;
    if (bytes > room) break;
    end++;
  }
  return listed.slice(start, end);
}

/**
 * One task's JSON text. The full view's fields are rendered without the body, which is written
 * after them (key order carries no meaning in JSON) from its bytes.
 */
function taskPieces(
  task: ListedTask,
  body: Buffer | null,
  request: PageRequest,
): { pieces: PagePiece[]; bytes: number } {
  if (request.view === 'basic') {
    const text = JSON.stringify(renderTask(task, { view: 'basic', config: request.config }));
    return { pieces: [text], bytes: Buffer.byteLength(text) };
  }
  const { body: _none, ...fields } = renderTask({ ...task, body: null }, { view: 'full', config: request.config });
  const open = JSON.stringify(fields).slice(0, -1); // without its closing brace: the body comes last
  const pieces: PagePiece[] =
    body === null
      ? [`${open},"body":null}`]
      : parseJsonBody(body, task.contentType)
        ? [`${open},"body":`, body, '}']
        : [`${open},"bodyBase64":"`, { base64: body }, '"}'];
  let bytes = 0;
  for (const piece of pieces)
    bytes +=
      typeof piece === 'string'
        ? Buffer.byteLength(piece)
        : Buffer.isBuffer(piece)
          ? piece.length
          : 4 * Math.ceil(piece.base64.length / 3);
  return { pieces, bytes };
}

/** `shownBytes`: the tasks' bytes with their commas, as counted while they were added. */
function assemble(shown: readonly PagePiece[][], shownBytes: number, nextCursor: string | null): TaskPage {
  const pieces: PagePiece[] = ['{"tasks":['];
  for (const [i, task] of shown.entries()) {
    if (i > 0) pieces.push(',');
    pieces.push(...task);
  }
  pieces.push(`],"nextCursor":${JSON.stringify(nextCursor)}}`);
  return { pieces, bytes: envelopeBytes(nextCursor) + shownBytes };
}

function envelopeBytes(nextCursor: string | null): number {
  return Buffer.byteLength(`{"tasks":[],"nextCursor":${JSON.stringify(nextCursor)}}`);
}

/** Base64 is written in slices of this many bytes (a multiple of 3: no padding between slices). */
const BASE64_SLICE = 3 * 16 * 1024;

/** The page as a stream of its pieces, base64 encoded slice by slice as the response takes them. */
export function pageStream(page: TaskPage): Readable {
  return Readable.from(
    (function* text() {
      for (const piece of page.pieces) {
        if (typeof piece === 'string' || Buffer.isBuffer(piece)) {
          yield piece;
          continue;
        }
        for (let at = 0; at < piece.base64.length; at += BASE64_SLICE) {
          yield piece.base64.toString('base64', at, Math.min(at + BASE64_SLICE, piece.base64.length));
        }
      }
    })(),
  );
}
