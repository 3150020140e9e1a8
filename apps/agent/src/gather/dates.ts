/**
 * A source's date as an ISO 8601 UTC timestamp, or null when absent or unreadable. Normalizing
 * matters: Helm writes nanoseconds and offsets (`2024-01-02T10:00:00.123456789+01:00`).
 */
export function toIsoOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  // Date reads at most milliseconds; drop further fraction digits first.
  const trimmed = value.trim().replace(/(\.\d{3})\d+/, '$1');
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
