import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDispatchrError } from '../errors.js';
import { isSignatureError } from './errors.js';
import { bodyWasRead, DEFAULT_MAX_BODY_BYTES, parsedBody, readRawBody } from './raw-body.js';
import { sendProblem, type KoaContextLike } from './responses.js';
import { checkSignedHeaders, decodeSecrets, verifyWithKeys, type Secrets, type VerifiedDispatch } from './verify.js';

/**
 * `verifyDispatchr({ secret })`: one middleware for Koa (`(ctx, next)`) and Express
 * (`(req, res, next)`), told apart by how it is called. A request that does not verify is answered
 * 401 with a small problem body and goes no further; a genuine one reaches the handler with the
 * verified task at `ctx.state.dispatchr` (Koa) or `req.dispatchr` (Express).
 *
 * The signature covers the raw body, so the middleware needs the bytes as they arrived:
 * - Koa: `ctx.request.rawBody` when a body parser kept it (@koa/bodyparser does), else it reads
 *   the body itself and sets `ctx.request.body` (parsed JSON, or the bytes) and `rawBody`.
 * - Express: a Buffer `req.body` (from `express.raw()`) or `req.rawBody`, else it reads the body
 *   itself and sets `req.body` (parsed JSON, or the bytes).
 * A body already consumed by a parser that kept no raw copy cannot be verified: that is a setup
 * mistake, reported as an error (500), never accepted.
 * The headers are checked before any body is read: a request with no signature, or a timestamp
 * outside the window, is answered 401 with `Connection: close` without buffering its body (up to
 * `maxBodyBytes`), so unsigned senders cannot make the app hold their bodies.
 * For plain `node:http` see `withDispatchr` and `verifyRequest`.
 */
export interface VerifyDispatchrOptions {
  /** The queue's signingSecret; during rotation, every secret that may sign ([new, old]). */
  secret: Secrets;
  /** Default 300 (five minutes), in both directions. */
  toleranceSeconds?: number;
  /** Larger bodies are answered 413 unread (default 10 MB). */
  maxBodyBytes?: number;
}

export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;
export type ExpressRequestLike = IncomingMessage & { body?: unknown; rawBody?: unknown; dispatchr?: VerifiedDispatch };
export type ExpressMiddleware = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;
/** Usable as either; which one is decided per call. */
export type DispatchrMiddleware = KoaMiddleware & ExpressMiddleware;

declare global {
  // Express's own extension point: lets `req.dispatchr` type-check in Express handlers.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      dispatchr?: VerifiedDispatch;
    }
  }
}

export function verifyDispatchr(options: VerifyDispatchrOptions): DispatchrMiddleware {
  const verifier = createVerifier(options); // a missing secret fails here, at startup
  const middleware = (first: unknown, second: unknown, third?: unknown): Promise<void> | void => {
    if (typeof third === 'function') {
      void expressVerify(
        verifier,
        first as ExpressRequestLike,
        second as ServerResponse,
        third as (error?: unknown) => void,
      );
      return;
    }
    return koaVerify(verifier, first as KoaContextLike, second as () => Promise<unknown>);
  };
  return middleware as DispatchrMiddleware;
}

async function koaVerify(verifier: Verifier, ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> {
  const request = ctx.request as { rawBody?: unknown; body?: unknown };
  let raw: string | Buffer;
  if (typeof request.rawBody === 'string' || Buffer.isBuffer(request.rawBody)) {
    raw = request.rawBody;
  } else {
    const refused = verifier.precheck(ctx.req.headers);
    if (refused) return sendProblem(ctx, refused, CLOSE);
    try {
      raw = await readRawBody(ctx.req, verifier.maxBodyBytes);
    } catch (error) {
      if (isDispatchrError(error) && error.expose) return sendProblem(ctx, problemOf(error), CLOSE);
      throw error;
    }
    request.rawBody = raw.toString('utf8');
    request.body = parsedBody(raw, ctx.req.headers['content-type']);
    // Body parsers that run later skip a request carrying this flag instead of waiting for a body.
    (ctx as KoaContextLike & { disableBodyParser?: boolean }).disableBodyParser = true;
  }
  const verified = verifier.check(raw, ctx.req.headers);
  if (!('taskId' in verified)) return sendProblem(ctx, verified);
  ctx.state.dispatchr = verified;
  await next();
}

async function expressVerify(
  verifier: Verifier,
  req: ExpressRequestLike,
  res: ServerResponse,
  next: (error?: unknown) => void,
): Promise<void> {
  try {
    let raw: string | Buffer;
    if (Buffer.isBuffer(req.body)) raw = req.body;
    else if (typeof req.rawBody === 'string' || Buffer.isBuffer(req.rawBody)) raw = req.rawBody;
    else if (req.body !== undefined && bodyWasRead(req))
      throw new Error(
        'the request body was already parsed: use express.raw() on Dispatchr routes, or mount verifyDispatchr before express.json()',
      );
    else {
      const refused = verifier.precheck(req.headers);
      if (refused) return sendProblem(res, refused, CLOSE);
      raw = await readRawBody(req, verifier.maxBodyBytes);
      req.body = parsedBody(raw, req.headers['content-type']);
    }
    const verified = verifier.check(raw, req.headers);
    if (!('taskId' in verified)) return sendProblem(res, verified);
    req.dispatchr = verified;
    next();
  } catch (error) {
    if (isDispatchrError(error) && error.expose) return sendProblem(res, problemOf(error), CLOSE);
    next(error);
  }
}

export interface VerifiedRequest {
  dispatch: VerifiedDispatch;
  /** The body's exact bytes. */
  body: Buffer;
}

/**
 * For plain node:http: reads the body, verifies it, and returns both; throws DispatchrSignatureError,
 * before reading the body when the headers alone fail (answer it with `Connection: close`).
 */
export async function verifyRequest(req: IncomingMessage, options: VerifyDispatchrOptions): Promise<VerifiedRequest> {
  const verifier = createVerifier(options);
  checkSignedHeaders(req.headers, { toleranceSeconds: options.toleranceSeconds });
  const body = await readRawBody(req, verifier.maxBodyBytes);
  return { dispatch: verifier.verify(body, req.headers), body };
}

/**
 * A node:http request listener that answers 401 to anything Dispatchr did not sign and calls
 * `handler` with the verified task and the body's bytes otherwise. An error thrown by the handler
 * is answered 500, which Dispatchr retries.
 */
export function withDispatchr(
  options: VerifyDispatchrOptions,
  handler: (req: IncomingMessage, res: ServerResponse, verified: VerifiedRequest) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  const verifier = createVerifier(options);
  return (req, res) => {
    void (async () => {
      let verified: VerifiedRequest;
      try {
        const refused = verifier.precheck(req.headers);
        if (refused) return sendProblem(res, refused, CLOSE);
        const body = await readRawBody(req, verifier.maxBodyBytes);
        const outcome = verifier.check(body, req.headers);
        if (!('taskId' in outcome)) return sendProblem(res, outcome);
        verified = { dispatch: outcome, body };
      } catch (error) {
        return sendProblem(res, isDispatchrError(error) && error.expose ? problemOf(error) : internalError(), CLOSE);
      }
      try {
        await handler(req, res, verified);
      } catch {
        sendProblem(res, internalError()); // no-op when the handler already answered
      }
    })();
  };
}

/** For answers sent before the body was read: Node would otherwise read and discard the rest to reuse the connection. */
const CLOSE = { connection: 'close' };

interface Verifier {
  maxBodyBytes: number;
  /** The 401 problem when the headers alone fail, else null: checked before reading the body. */
  precheck(headers: IncomingMessage['headers']): ReturnType<typeof problemOf> | null;
  verify(raw: string | Buffer, headers: IncomingMessage['headers']): VerifiedDispatch;
  /** The verified task, or the 401 problem to answer. */
  check(raw: string | Buffer, headers: IncomingMessage['headers']): VerifiedDispatch | ReturnType<typeof problemOf>;
}

function createVerifier(options: VerifyDispatchrOptions): Verifier {
  const keys = decodeSecrets(options.secret);
  const verify = (raw: string | Buffer, headers: IncomingMessage['headers']) =>
    verifyWithKeys(raw, headers, keys, { toleranceSeconds: options.toleranceSeconds });
  return {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    verify,
    precheck(headers) {
      try {
        checkSignedHeaders(headers, { toleranceSeconds: options.toleranceSeconds });
        return null;
      } catch (error) {
        if (isSignatureError(error)) return problemOf(error);
        throw error;
      }
    },
    check(raw, headers) {
      try {
        return verify(raw, headers);
      } catch (error) {
        if (isSignatureError(error)) return problemOf(error);
        throw error;
      }
    },
  };
}

function problemOf(error: { code: string; status: number; message: string }) {
  const title =
    error.status === 401
      ? 'The request is not signed by Dispatchr'
      : error.status === 413
        ? 'The body is too large'
        : 'Bad request';
  return { code: error.code, title, status: error.status, detail: error.message, errors: [] };
}

function internalError() {
  return {
    code: 'internal_error',
    title: 'Internal error',
    status: 500,
    detail: 'the task handler failed',
    errors: [],
  };
}
