import { pick, text } from '../app/filters.tsx';

/** The alert list's filters, kept in the URL. */
export interface AlertSearch {
  status?: 'open' | 'resolved' | 'all';
  severity?: 'moderate' | 'high' | 'critical';
  acknowledged?: 'yes' | 'no';
  q?: string;
}

/** Keeps only filters the list knows; anything else in the URL is dropped. */
export function validateAlertSearch(search: Record<string, unknown>): AlertSearch {
  return {
    status: pick(search.status, ['open', 'resolved', 'all'] as const),
    severity: pick(search.severity, ['moderate', 'high', 'critical'] as const),
    acknowledged: pick(search.acknowledged, ['yes', 'no'] as const),
    q: text(search.q),
  };
}

