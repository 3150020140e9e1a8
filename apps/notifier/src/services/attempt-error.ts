import { STATUS_CODES } from 'node:http';
import type { DeliveryStep } from '@planekeeper/domain';
import type { SendOutcome } from '../http/send-notification.ts';

const SNIPPET_CHARS = 300;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function redirectTarget(location: string | undefined): string {
  if (!location) return 'no Location';
  try {
    // Only the host: the rest of a URL may carry a token.
    return `to ${new URL(location, 'http://relative.invalid').host}`;
  } catch {
    return 'to an invalid Location';
  }
}

/**
 * What went wrong with an attempt, for `last_error` and the attempt history, or null when it
 * succeeded: the HTTP status with a piece of the receiver's answer, or the network error. Never
 * the target URL.
 */
export function attemptError(outcome: SendOutcome, step: DeliveryStep, budgetAttempts: number): string | null {
  if (step.status === 'succeeded') return null;
  let text: string;
  if (outcome.kind === 'response') {
    const status = `HTTP ${outcome.statusCode}${STATUS_CODES[outcome.statusCode] ? ` ${STATUS_CODES[outcome.statusCode]}` : ''}`;
    const snippet = outcome.body.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
    if (outcome.statusCode >= 300 && outcome.statusCode < 400) {
      text = `${status}: redirect ${redirectTarget(header(outcome.headers, 'location'))} not followed (redirects are refused); use the final URL`;
    } else if (step.outcome === 'gone') {
      text = `${status}: the target no longer exists; the channel was disabled${snippet ? ` (${snippet})` : ''}`;
    } else {
      text = snippet ? `${status}: ${snippet}` : status;
    }
  } else if (outcome.kind === 'refused') {
    text = `refused: ${outcome.error}`;
  } else {
    text = outcome.error;
  }
  return step.status === 'dead' ? `gave up after ${budgetAttempts} attempts: ${text}` : text;
}
