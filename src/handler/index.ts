/**
 * `dispatchr/handler`: the receiving app's side. `verifyDispatchr({ secret })` for Koa and Express,
 * `withDispatchr` / `verifyRequest` for plain node:http, `verify()` for anything else, and the
 * answers that steer a task (`retryAfter`, `doNotRetry`). Imports node:crypto and nothing of
 * Dispatchr's server side (test/unit/client/import-graph.test.ts checks it).
 */
export {
  verify,
  decodeSecrets,
  type HeadersInput,
  type Secrets,
  type VerifiedDispatch,
  type VerifyOptions,
} from './verify.js';
export {
  verifyDispatchr,
  verifyRequest,
  withDispatchr,
  type DispatchrMiddleware,
  type ExpressMiddleware,
  type ExpressRequestLike,
  type KoaMiddleware,
  type VerifiedRequest,
  type VerifyDispatchrOptions,
} from './middleware.js';
export { doNotRetry, retryAfter, type KoaContextLike, type ProblemBody, type ResponseTarget } from './responses.js';
export { DispatchrSignatureError, isSignatureError, SIGNATURE_ERROR_CODES, type SignatureErrorCode } from './errors.js';
export { readRawBody, DEFAULT_MAX_BODY_BYTES } from './raw-body.js';
export { DispatchrError, isDispatchrError } from '../errors.js';
