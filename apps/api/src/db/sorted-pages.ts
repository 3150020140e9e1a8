import { sql, type RawBuilder } from 'kysely';
import { decodeCursor } from '../http/pagination.ts';

/**
 * Keyset pages over a timestamp other than created_at (a release's date, a snapshot's found_at),
 * newest first, ties broken by id. The cursor has the shape `toPage` issues: the sort key as
 * Postgres text (microseconds survive) and the id.
 */

/** `key::text`, to select as `cursor_ts` so `toPage` can name the next cursor. */
export function sortKeyText(key: RawBuilder<Date>): RawBuilder<string> {
  return sql<string>`(${key})::text`;
}

/** The condition "after the cursor" for rows ordered by (key DESC, id DESC). */
export function afterSortKey(key: RawBuilder<Date>, idColumn: string, cursor: string): RawBuilder<boolean> {
  const { t, i } = decodeCursor(cursor);
  return sql<boolean>`(${key}, ${sql.ref(idColumn)}) < (${t}::timestamptz, ${i}::uuid)`;
}
