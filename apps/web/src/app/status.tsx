import { useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError } from '../api/client.ts';

/** Re-renders every `ms` (relative times, countdowns). */
export function useNow(ms = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function isOutage(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/** The latest failed refresh caused by the api being down or failing, while it lasts. */
function useOutage(): ApiError | null {
  const cache = useQueryClient().getQueryCache();
  const subscribe = (listener: () => void) => cache.subscribe(listener);
  const snapshot = () => {
    let found: ApiError | null = null;
    for (const query of cache.getAll()) {
      if (query.getObserversCount() > 0 && isOutage(query.state.error)) found = query.state.error as ApiError;
    }
    return found;
  };
  return useSyncExternalStore(subscribe, snapshot);
}

/** A banner while the api cannot be reached or fails (5xx): what stays on screen is the last data. */
export function ApiBanner() {
  const outage = useOutage();
  if (!outage) return null;
  return (
    <div className="banner" role="alert">
      {outage.status === 0 ? 'The Planekeeper api cannot be reached: showing the last data, retrying every 15 s.' : `The api failed (${outage.status}): showing the last data, retrying every 15 s.`}
      {outage.requestId && <> Request id: <code>{outage.requestId}</code></>}
    </div>
  );
}

/** "updated 20 s ago" beside a list (stale data stays, labelled). */
export function Updated({ query }: { query: Pick<UseQueryResult, 'dataUpdatedAt' | 'isFetching'> }) {
  const now = useNow(5_000);
  if (!query.dataUpdatedAt) return null;
  const seconds = Math.max(0, Math.round((now - query.dataUpdatedAt) / 1000));
  return (
    <span className="updated">
      updated <time dateTime={new Date(query.dataUpdatedAt).toISOString()}>{seconds < 5 ? 'just now' : `${seconds} s ago`}</time>
    </span>
  );
}

/** Counts down a rate limit's Retry-After. */
function RetryAfter({ seconds }: { seconds: number }) {
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft(left - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return <>{left > 0 ? ` Try again in ${left} s.` : ' You can try again now.'}</>;
}

/** An error explained by its code (UI.md "Errors by error.code"); validation errors go inline instead. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) return <p className="error" role="alert">{String(error)}</p>;
  if (error.code === 'rate_limited') return <p className="error" role="alert">Too many requests.{error.retryAfterSeconds ? <RetryAfter seconds={error.retryAfterSeconds} /> : null}</p>;
  if (error.status === 0 || error.status >= 500) {
    return <p className="error" role="alert">{error.message}{error.requestId && <> (request id <code>{error.requestId}</code>)</>}</p>;
  }
  return <p className="error" role="alert">{error.message}</p>;
}

/** The message of a validation error at `path`, for a field's aria-describedby. */
export function fieldError(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return undefined;
  return error.details.find((d) => d.path === path)?.message;
}
