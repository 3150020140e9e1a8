import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Outcome label of {@link NotifierMetrics.deliveries}. */
export type DeliveryMetricOutcome = 'succeeded' | 'retry' | 'failed' | 'gone' | 'dead' | 'refused';

/** The notifier's own metrics. */
export interface NotifierMetrics {
  /** Attempts by channel type and what came of them (the delivery's fate after each attempt). */
  deliveries: Counter<'channel_type' | 'outcome'>;
  attemptDuration: Histogram<'channel_type'>;
  alertEvents: Counter<'outcome'>;
}

/**
 * Registers the notifier's metrics on `registry`. `countDead` feeds the dead-letter depth gauge,
 * read from the database on each scrape so every replica reports the same truth.
 */
export function createNotifierMetrics(registry: Registry, countDead: () => Promise<number>): NotifierMetrics {
  new Gauge({
    name: 'planekeeper_deliveries_dead',
    help: 'Deliveries in the dead-letter queue (status dead): retries used up, waiting for a replay',
    registers: [registry],
    async collect() {
      this.set(await countDead());
    },
  });
  return {
    deliveries: new Counter({
      name: 'planekeeper_deliveries_total',
      help: 'Delivery attempts by channel type and outcome (succeeded | retry | failed | gone | dead | refused)',
      labelNames: ['channel_type', 'outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'planekeeper_delivery_attempt_duration_seconds',
      help: 'Time from sending a notification to its answer (or error), by channel type',
      labelNames: ['channel_type'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    alertEvents: new Counter({
      name: 'planekeeper_notifier_alert_events_total',
      help: 'alert.event jobs handled, by outcome (matched | unmatched | missing)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
