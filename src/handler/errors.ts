import { DispatchrError, isDispatchrError } from '../errors.js';

/**
 * Why a request was not accepted as Dispatchr's. The message says what was wrong with the request,
 * never a secret or a signature, so it can be answered to the caller and logged as it is.
 */
export const SIGNATURE_ERROR_CODES = [
  'missing_header',
  'invalid_header',
  'invalid_timestamp',
  'timestamp_too_old',
  'timestamp_in_future',
  'invalid_signature',
] as const;
export type SignatureErrorCode = (typeof SIGNATURE_ERROR_CODES)[number];

export class DispatchrSignatureError extends DispatchrError {
  declare readonly code: SignatureErrorCode;

  constructor(code: SignatureErrorCode, message: string) {
    super(code, message, { status: 401, expose: true });
    this.name = 'DispatchrSignatureError';
  }
}

/** By code, like every Dispatchr error guard: survives duplicated copies of this module. */
export function isSignatureError(error: unknown): error is DispatchrSignatureError {
  return (
    isDispatchrError(error) && error.status === 401 && (SIGNATURE_ERROR_CODES as readonly string[]).includes(error.code)
  );
}
