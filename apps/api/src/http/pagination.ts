import { validationFailed } from '@planekeeper/domain';
import { sql, type RawBuilder } from 'kysely';

/**
 * Cursors point after the last row of a page, ordered newest first by (created_at, id). The
 * timestamp is carried as Postgres text so microseconds survive the trip through JavaScript.
 */
interface CursorPosition {
  t: string;
  i: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes `?cursor=`; a cursor we did not make is a 400, not a 500. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof value === 'object' && value !== null &&
      typeof (value as CursorPosition).t === 'string' && !Number.isNaN(Date.parse((value as CursorPosition).t)) &&
      typeof (value as CursorPosition).i === 'string' && UUID.test((value as CursorPosition).i)
    ) {
      return value as CursorPosition;
    }
  } catch {
    // fall through
  }
  throw validationFailed([{ path: 'query.cursor', message: 'not a cursor this API issued' }], 'cursor is not valid: pass back nextCursor from a previous page');
}

/** `created_at::text` of `table`, selected as `cursor_ts` so the page can name its next cursor. */
export function cursorColumn(table: string): RawBuilder<string> {
  return sql<string>`${sql.ref(`${table}.created_at`)}::text`;
}

/** The keyset condition "older than the cursor" on `table`. */
export function afterCursor(table: string, cursor: string): RawBuilder<boolean> {
  const { t, i } = decodeCursor(cursor);
  return sql<boolean>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) < (${t}::timestamptz, ${i}::uuid)`;
}

/** Cuts a `limit + 1` fetch down to one page and names the cursor of the next. */
export function toPage<R extends { id: string; cursor_ts: string }, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.cursor_ts, i: last.id }) : null,
  };
}
