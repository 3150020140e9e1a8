import { useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap, type Schemas } from '../api/client.ts';

export type Me = Schemas['Me'];

/** The caller, or null when not logged in (401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET('/api/v1/me'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    refetchInterval: 60_000,
    retry: false,
  });
}

/** Whether the role may change things (admin, member). */
export const canWrite = (me: Me | null | undefined) => me?.role === 'admin' || me?.role === 'member';
export const isAdmin = (me: Me | null | undefined) => me?.role === 'admin';
