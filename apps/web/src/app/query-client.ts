import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';

/** Lists refresh every 15 s while the tab is visible (UI.md); data stays on screen when a refresh fails. */
export const POLL_MS = 15_000;

export function createQueryClient(): QueryClient {
  // A session that ended (logout elsewhere, key revoked, expiry) sends the person to the login
  // form, on the same URL: once logged in again they are back where they were.
  const toLogin = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: ['me'] });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: toLogin }),
    mutationCache: new MutationCache({ onError: toLogin }),
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
