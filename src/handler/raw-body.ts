import type { IncomingMessage } from 'node:http';
import { DispatchrError } from '../errors.js';

/**
 * The request body's exact bytes, which is what the signature covers: a parsed-and-re-serialized
 * body would not verify. Refuses (413) a body above `limitBytes` without buffering it, by the
 * Content-Length when there is one and while streaming otherwise.
 */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export function bodyWasRead(req: IncomingMessage): boolean {
  return req.readableEnded || req.readableDidRead;
}

export function readRawBody(req: IncomingMessage, limitBytes: number = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  if (bodyWasRead(req)) {
    return Promise.reject(
      new Error(
        'the request body was already read by an earlier middleware: run verifyDispatchr before any body parser, or keep the raw bytes (see docs/client.md)',
      ),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.resume(); // drain and drop the rest; the answer closes the connection
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('the request was aborted while its body was read'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limitBytes: number): DispatchrError {
  return new DispatchrError('payload_too_large', `the body is larger than ${limitBytes} bytes`, {
    status: 413,
    expose: true,
  });
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/** What a body parser would have produced: parsed JSON for JSON types, else the bytes; none when empty. */
export function parsedBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType && JSON_TYPE.test(contentType)) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      // Signed by Dispatchr but not JSON: hand over the bytes rather than fail a genuine request.
    }
  }
  return raw;
}
