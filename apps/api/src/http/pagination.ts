import { validationFailed, type ListEnvelope } from '@planekeeper/domain';
import type { KeysetPosition, KeysetRow, PageRequest } from '../db/keyset.ts';

/**
 * `?cursor=` is the position after the last row of a page, opaque to clients: base64url of
 * `{ t: sort key, i: id }`. Queries take the decoded position (db/keyset.ts); this file turns
 * cursors into positions and rows into the `{ items, nextCursor }` answer.
 */
interface CursorJson {
  t: string;
  i: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * A timestamp as Postgres writes it (`2026-01-31 12:00:00.123456+00`): a four-digit year and an
 * offset within ±15:59, so a forged cursor can hold no value Postgres refuses (year 99999, an
 * offset of +99) and end in a 500.
 */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-](0\d|1[0-5])(:[0-5]\d){0,2}|Z)$/;

function isSortKey(value: string): boolean {
  return SORT_KEY.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')));
}

function encodeCursor(position: KeysetPosition): string {
  const json: CursorJson = { t: position.sortKey, i: position.id };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** Decodes `?cursor=`; a cursor we did not make is a 400, not a 500. */
function decodeCursor(cursor: string): KeysetPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorJson> | null;
    if (typeof value?.t === 'string' && isSortKey(value.t) && typeof value.i === 'string' && UUID.test(value.i)) {
      return { sortKey: value.t, id: value.i };
    }
  } catch {
    // fall through
  }
  throw validationFailed([{ path: 'query.cursor', message: 'not a cursor this API issued' }], 'cursor is not valid: pass back nextCursor from a previous page');
}

/** The page a list query (`?limit=&cursor=`) asks for. */
export function pageRequest(query: { limit: number; cursor?: string | undefined }): PageRequest {
  return { limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : null };
}

/** Cuts a `limit + 1` fetch down to one page of answers and names the cursor of the next. */
export function toPage<R, T>(rows: ReadonlyArray<R & KeysetRow>, limit: number, present: (row: R) => T): ListEnvelope<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor({ sortKey: last.sort_key, id: last.id }) : null,
  };
}

/** Answers a list request: decodes its cursor, reads the page with `read`, presents each row. */
export async function listPage<R, T>(
  query: { limit: number; cursor?: string | undefined },
  read: (page: PageRequest) => Promise<ReadonlyArray<R & KeysetRow>>,
  present: (row: R) => T,
): Promise<ListEnvelope<T>> {
  return toPage(await read(pageRequest(query)), query.limit, present);
}
