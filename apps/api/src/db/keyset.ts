import { sql, type RawBuilder } from 'kysely';

/**
 * Keyset pages: rows in a fixed order (a timestamp, newest first unless said otherwise, ties
 * broken by id) read `limit + 1` at a time after the last row of the previous page, so a page
 * costs the same however deep it is. The sort key travels as Postgres's text of the timestamp,
 * so microseconds survive the trip through JavaScript.
 */

/** The last row of the previous page: its sort key (Postgres text) and id. */
export interface KeysetPosition {
  sortKey: string;
  id: string;
}

/** One page to read: `limit` rows (the query reads one more, to know whether more follow). */
export interface PageRequest {
  limit: number;
  after: KeysetPosition | null;
}

/** A row of a page query: its id and its sort key as text (selected as `sort_key`). */
export interface KeysetRow {
  id: string;
  sort_key: string;
}

/** `created_at::text` of `table`, to select as `sort_key`. */
export function createdAtKey(table: string): RawBuilder<string> {
  return sql<string>`${sql.ref(`${table}.created_at`)}::text`;
}

/** The condition "after `position`" on `table` ordered by (created_at, id), newest first. */
export function afterCreatedAt(table: string, position: KeysetPosition): RawBuilder<boolean> {
  return afterSortKey(sql<Date>`${sql.ref(`${table}.created_at`)}`, `${table}.id`, position);
}

/** `key::text`, to select as `sort_key`, for pages ordered by another timestamp. */
export function sortKeyText(key: RawBuilder<Date>): RawBuilder<string> {
  return sql<string>`(${key})::text`;
}

/** The condition "after `position`" for rows ordered by (key, id), descending unless `ascending`. */
export function afterSortKey(key: RawBuilder<Date>, idColumn: string, position: KeysetPosition, ascending = false): RawBuilder<boolean> {
  const row = sql`(${key}, ${sql.ref(idColumn)})`;
  const bound = sql`(${position.sortKey}::timestamptz, ${position.id}::uuid)`;
  return ascending ? sql<boolean>`${row} > ${bound}` : sql<boolean>`${row} < ${bound}`;
}
