import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorMessage, Updated } from './status.tsx';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A cursor-paged list: every loaded page refreshes together while polling. */
export function useCursorList<T>(key: readonly unknown[], fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { query, items };
}

/** A list's table, its empty state, its "Load more", its freshness and its errors. */
export function ListView<T>({ list, caption, empty, head, row }: {
  list: ReturnType<typeof useCursorList<T>>;
  caption: string;
  empty: ReactNode;
  head: ReactNode;
  row: (item: T) => ReactNode;
}) {
  const { query, items } = list;
  return (
    <section className="list">
      <div className="list-meta">
        <Updated query={query} />
        {query.isFetching && <span className="visually-hidden">refreshing</span>}
      </div>
      {query.isError && !query.data && <ErrorMessage error={query.error} />}
      {query.isPending ? <p role="status">Loading…</p> : items.length === 0 ? <div className="empty">{empty}</div> : (
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>{head}</thead>
          <tbody>{items.map(row)}</tbody>
        </table>
      )}
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
