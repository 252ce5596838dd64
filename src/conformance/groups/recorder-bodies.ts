/**
 * Spec 4.4, 4.11 and 5.2: the bytes a task sends. A JSON `body` is sent as its RFC 8785 (JCS)
 * canonical text whatever spacing and member order it was written with; `bodyBase64` is sent as
 * exactly those bytes (non-UTF-8 included). Checked where it matters, at the kit's target, so
 * these cases need the implementation's scheduler running.
 */
import { expectEqual, expectStatus, expectTrue } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask, waitForTask } from '../wait.js';
import { later, recorderCase, taskPath, tasksPath } from './recorder-support.js';

/** Spaces, unsorted members, numbers in long forms, escapes JCS writes differently. */
const WRITTEN =
  '{ "b" : 1, "a" : [1.0, 2E1, "x", -0, 1e21, 0.000001, 1E-7], "\\u20ac":"\\u00e9", "\\r": true, ' +
  '"1": {"z":null, "y":"\\u001f"}, "\\ufb33": 3, "\\ud83d\\ude00": 2 }';
/** RFC 8785: members sorted by UTF-16 code units (so U+1F600, written D83D DE00, before U+FB33). */
const CANONICAL =
  '{"\\r":true,"1":{"y":"\\u001f","z":null},"a":[1,20,"x",0,1e+21,0.000001,1e-7],"b":1,"\u20ac":"\u00e9",' +
  '"\u{1F600}":2,"\ufb33":3}';

async function dispatched(kit: KitContext, marker: string) {
  const [request] = await kit.target.waitFor(marker, 1);
  return request;
}

export const bodyCases = [
  recorderCase('5.2 a JSON body is sent as its RFC 8785 canonical bytes', 'MUST', async (kit) => {
    const marker = kit.unique('jcs');
    const res = await kit.api.request('POST', tasksPath(kit.names.queue), {
      rawBody: `{"path":"/${marker}","body":${WRITTEN}}`,
      token: kit.tokens.enqueue,
    });
    expectStatus(res, 201, 'create with a spaced, unsorted body');
    const request = await dispatched(kit, marker);
    expectEqual(request.body.toString('utf8'), CANONICAL, 'the body bytes at the target');
    expectTrue(
      /^application\/json\b/i.test(request.headers['content-type'] ?? ''),
      `Content-Type at the target: expected application/json, got ${request.headers['content-type'] ?? 'none'}`,
    );
    expectEqual(res.json.bodyBytes, Buffer.byteLength(CANONICAL), 'bodyBytes: the size of the canonical bytes');
    expectEqual(res.json.body, JSON.parse(CANONICAL), 'the body shown in the resource');
    expectEqual(res.json.contentType, 'application/json', 'contentType defaults to application/json');
  }),

  recorderCase('5.2 bodyBase64 bytes are sent exactly, non-UTF-8 included', 'MUST', async (kit) => {
    const marker = kit.unique('b64');
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x7b, 0x0a, 0xc3]);
    const task = await createTask(kit, kit.names.queue, { path: `/${marker}`, bodyBase64: bytes.toString('base64') });
    expectEqual(task.contentType, 'application/octet-stream', 'contentType defaults to application/octet-stream');
    expectEqual(task.bodyBase64, bytes.toString('base64'), 'the bodyBase64 shown');
    expectEqual(task.bodyBytes, bytes.length, 'bodyBytes');
    const request = await dispatched(kit, marker);
    expectEqual(request.body.toString('base64'), bytes.toString('base64'), 'the body bytes at the target (base64)');
    expectEqual(request.headers['content-type'], 'application/octet-stream', 'Content-Type at the target');
  }),

  recorderCase('5.2 a given contentType is sent as the Content-Type', 'MUST', async (kit) => {
    const marker = kit.unique('ctype');
    const text = 'a,b\n1,2\n';
    await createTask(kit, kit.names.queue, {
      path: `/${marker}`,
      bodyBase64: Buffer.from(text).toString('base64'),
      contentType: 'text/csv; charset=utf-8',
    });
    const request = await dispatched(kit, marker);
    expectEqual(request.headers['content-type'], 'text/csv; charset=utf-8', 'Content-Type at the target');
    expectEqual(request.body.toString('utf8'), text, 'the body at the target');
  }),

  recorderCase('4.11 a task without a body shows body null and bodyBytes null', 'MUST', async (kit) => {
    const marker = kit.unique('nobody');
    for (const task of [{ path: `/${marker}` }, { path: `/${marker}`, body: null }]) {
      const created = await createTask(kit, kit.names.queue, { ...later, ...task });
      expectEqual(created.body, null, `body of ${JSON.stringify(task)}`);
      expectEqual(created.bodyBytes, null, `bodyBytes of ${JSON.stringify(task)}`);
    }
    const sent = await createTask(kit, kit.names.queue, { path: `/${marker}-sent` });
    const request = await dispatched(kit, `${marker}-sent`);
    expectEqual(request.body.length, 0, 'the body bytes sent for a task without a body');
    await waitForTask(kit, sent.id, (t) => t.state === 'completed', 'the bodiless task completes');
  }),

  recorderCase('4.11 JSON-typed bytes that are not UTF-8 JSON are shown as bodyBase64', 'MUST', async (kit) => {
    const bytes = Buffer.from([0xff, 0xfe]);
    const task = await createTask(kit, kit.names.queue, {
      ...later,
      bodyBase64: bytes.toString('base64'),
      contentType: 'application/json',
    });
    const read = await kit.api.request('GET', taskPath(task.id));
    expectEqual(read.json?.bodyBase64, bytes.toString('base64'), 'bodyBase64 of non-UTF-8 bytes typed JSON');
    expectTrue(read.json?.body === undefined || read.json?.body === null, 'no parsed body for them');
    expectEqual(read.json?.bodyBytes, 2, 'bodyBytes');
  }),

  recorderCase('4.11 the basic view leaves out headers and body but keeps their sizes', 'MUST', async (kit) => {
    const task = await createTask(kit, kit.names.queue, { ...later, headers: { 'x-a': 'b' }, body: { a: 1 } });
    const basic = await kit.api.request('GET', `${taskPath(task.id)}?view=basic`);
    expectStatus(basic, 200, 'GET ?view=basic');
    for (const field of ['headers', 'body', 'bodyBase64'])
      expectTrue(!(field in basic.json), `the basic view has no "${field}"`);
    expectEqual(basic.json.bodyBytes, 7, 'bodyBytes in the basic view');
    expectEqual(basic.json.contentType, 'application/json', 'contentType in the basic view');
    const bad = await kit.api.request('GET', `${taskPath(task.id)}?view=everything`);
    expectStatus(bad, 400, 'GET ?view=everything');
  }),
];
