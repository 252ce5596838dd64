/**
 * The one error base. Guards check `code`, never `instanceof`, so errors survive
 * module duplication and worker boundaries. `expose` says whether `message` may reach a client.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class DispatchrError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly details: ErrorDetail[];

  constructor(
    code: string,
    message: string,
    options: { status?: number; expose?: boolean; details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DispatchrError';
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details ?? [];
  }
}

export function isDispatchrError(error: unknown, code?: string): error is DispatchrError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; status?: unknown; expose?: unknown };
  if (typeof candidate.code !== 'string' || typeof candidate.status !== 'number') return false;
  if (typeof candidate.expose !== 'boolean') return false;
  return code === undefined || candidate.code === code;
}
