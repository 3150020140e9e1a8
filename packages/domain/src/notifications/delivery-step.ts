import { classifyDeliveryResponse, retryDelaySeconds, type DeliveryResponseClass } from './backoff.ts';

/** What one attempt to deliver a notification came to, before it is judged. */
export type DeliveryAttemptResult =
  /** The receiver answered (any status); `retryAfterSeconds` as {@link retryAfterSeconds} read it. */
  | { kind: 'response'; statusCode: number; retryAfterSeconds: number | null }
  /** No answer: DNS failure, refused or reset connection, TLS error, timeout. */
  | { kind: 'network_error' }
  /** Never sent: the target is an address the notifier may not call (private, loopback, ...). */
  | { kind: 'refused' };

/** The delivery's next state after an attempt, and the attempt's recorded outcome. */
export type DeliveryStep =
  | { status: 'succeeded'; outcome: 'succeeded' }
  /** Permanent: not retried. `gone` (410) also disables the channel. */
  | { status: 'failed'; outcome: 'permanent' | 'gone' }
  /** Retry number `retry` (1 = the first) in `delaySeconds`. */
  | { status: 'pending'; outcome: 'retry'; retry: number; delaySeconds: number }
  /** Transient failure with the retry budget used up: the dead-letter queue. */
  | { status: 'dead'; outcome: 'retry' };

/** Inputs of {@link decideDeliveryStep}. */
export interface DeliveryStepInput {
  result: DeliveryAttemptResult;
  /** Attempts against the current retry budget, this one included (1 = the first attempt). */
  budgetAttempts: number;
  /** Retries allowed after the first attempt (NOTIFIER_RETRY_LIMIT). */
  retryLimit: number;
  /** First retry delay (NOTIFIER_RETRY_BASE_SECONDS). */
  baseSeconds: number;
  /** A uniform random number in [0, 1). */
  jitter: () => number;
}

/**
 * Decides what an attempt means for its delivery (DESIGN section 6): 2xx succeeded; 408, 425,
 * 429, 5xx and network errors are retried with exponential backoff and jitter (a receiver's
 * Retry-After wins when longer) until `retryLimit` retries are used, then the delivery is dead;
 * other 4xx and 3xx (redirects are not followed) fail at once; 410 fails and disables the
 * channel; a refused target fails at once.
 */
export function decideDeliveryStep(input: DeliveryStepInput): DeliveryStep {
  const { result } = input;
  if (!Number.isInteger(input.budgetAttempts) || input.budgetAttempts < 1) {
    throw new RangeError(`budgetAttempts must be an integer >= 1, got ${input.budgetAttempts}`);
  }
  if (result.kind === 'refused') return { status: 'failed', outcome: 'permanent' };
  const judged: DeliveryResponseClass = classifyDeliveryResponse(result.kind === 'response' ? result.statusCode : 'network_error');
  switch (judged) {
    case 'succeeded':
      return { status: 'succeeded', outcome: 'succeeded' };
    case 'permanent':
    case 'gone':
      return { status: 'failed', outcome: judged };
    case 'retry': {
      const retry = input.budgetAttempts;
      if (retry > input.retryLimit) return { status: 'dead', outcome: 'retry' };
      const delaySeconds = retryDelaySeconds(retry, {
        baseSeconds: input.baseSeconds,
        jitter: input.jitter,
        retryAfterSeconds: result.kind === 'response' ? result.retryAfterSeconds : null,
      });
      return { status: 'pending', outcome: 'retry', retry, delaySeconds };
    }
  }
}
