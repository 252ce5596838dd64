import { DispatchrError } from '../errors.js';
import { UUID_PATTERN } from '../ids.js';

/**
 * Opaque keyset cursors: the last id of a page (UUIDv7 ids sort newest-last). Base64url so clients
 * treat them as opaque; anything that does not decode to our shape is refused, never guessed at.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^v1:(.+)$/.exec(decoded);
  if (!match || !UUID_PATTERN.test(match[1])) {
    throw new DispatchrError('invalid_cursor', 'the cursor is not one this API issued', {
      status: 400,
      details: [{ path: 'cursor', message: 'expected a cursor from a previous page (nextCursor)' }],
    });
  }
  return match[1];
}
