import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';

/** Lists refresh every 15 s while the tab is visible (UI.md); data stays on screen when a refresh fails. */
export const POLL_MS = 15_000;

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A session that ended (logout elsewhere, key revoked, expiry) sends the person to login.
      onError: (error) => {
        if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: ['me'] });
      },
    }),
    defaultOptions: {
      queries: {
        refetchInterval: POLL_MS,
        refetchIntervalInBackground: false,
        staleTime: 5_000,
        retry: (count, error) => error instanceof ApiError && (error.status === 0 || error.status >= 500) && count < 1,
        retryDelay: 1_000,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
