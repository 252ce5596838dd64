import type { Context } from 'koa';
import { DispatchrError } from '../errors.js';
import { findJsonTextProblem } from '../rules/json-text.js';
import { findJsonProblem } from '../rules/json-safety.js';
import { validationError } from './errors.js';

/**
 * Reads a JSON request body ourselves rather than through a body parser, for three reasons: an
 * oversized body is refused from Content-Length before a byte is read, and while streaming as soon
 * as the count passes the limit (the rest is never read or buffered; the answer closes the
 * connection); the exact bytes are kept for the Idempotency-Key fingerprint; and the parsed value
 * is checked (depth, `__proto__`, NUL, unpaired surrogates, numbers that would not survive) before
 * any code walks it.
 */
export interface JsonBody {
  value: unknown;
  raw: Buffer;
}

const JSON_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody(ctx: Context, maxBytes: number): Promise<JsonBody> {
  requireJsonContentType(ctx.get('Content-Type'));
  const declared = ctx.get('Content-Length');
  if (declared !== '' && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const raw = await readRaw(ctx, maxBytes);
  // An empty body is not a JSON document (spec 4.12): invalid_json, like any other unparsable body.
  if (raw.length === 0)
    throw new DispatchrError('invalid_json', 'the body is empty: expected a JSON object', { status: 400 });
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new DispatchrError('invalid_json', 'the body is not valid UTF-8', { status: 400 });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message names the position ("Unexpected token } in JSON at position 12"), nothing internal.
    throw new DispatchrError('invalid_json', `the body is not valid JSON: ${(error as Error).message}`, {
      status: 400,
    });
  }
  // The value's rules first (depth bounds what the number scan keeps), then the text's: numbers
  // that JSON.parse already rounded are visible only there.
  const problem = findJsonProblem(value) ?? findJsonTextProblem(text);
  if (problem) throw validationError([problem]);
  return { value, raw };
}

/** Also the router's cross-site rule for every POST, bodiless ones included (browser-guards.ts). */
export function requireJsonContentType(header: string): void {
  const [type, ...params] = header.split(';').map((part) => part.trim());
  const charset = params.find((param) => /^charset=/i.test(param));
  const charsetOk = charset === undefined || /^charset="?utf-8"?$/i.test(charset);
  if (!JSON_TYPE.test(type ?? '') || !charsetOk) {
    const got = header === '' ? 'none' : JSON.stringify(header.slice(0, 100));
    throw new DispatchrError('unsupported_media_type', `expected Content-Type: application/json (UTF-8), got ${got}`, {
      status: 415,
      details: [
        { path: 'Content-Type', message: `expected application/json or application/*+json (UTF-8), got ${got}` },
      ],
    });
  }
}

function tooLarge(maxBytes: number): DispatchrError {
  return new DispatchrError('payload_too_large', `the body is larger than recorder.maxBodySize (${maxBytes} bytes)`, {
    status: 413,
  });
}

function readRaw(ctx: Context, maxBytes: number): Promise<Buffer> {
  // A host app that mounts the recorder behind its own body parser has consumed the stream already.
  const parsedRaw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof parsedRaw === 'string') {
    const bytes = Buffer.from(parsedRaw, 'utf8');
    return bytes.length > maxBytes ? Promise.reject(tooLarge(maxBytes)) : Promise.resolve(bytes);
  }
  const req = ctx.req;
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        // Stop here: pause, never buffer the rest. The 413 answer carries Connection: close.
        cleanup();
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error?: unknown) => {
      cleanup();
      reject(
        new DispatchrError('request_aborted', 'the request body was not received completely', {
          status: 400,
          cause: error,
        }),
      );
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}
