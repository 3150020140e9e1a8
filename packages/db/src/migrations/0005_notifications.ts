import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notification_channels (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      type text NOT NULL CHECK (type IN ('slack', 'discord', 'teams', 'webhook')),
      -- Secrets: written by the API, read by the notifier, never returned after creation.
      url text NOT NULL,
      secret text,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notification_channels_org_created ON notification_channels (organization_id, created_at, id);

    CREATE TABLE notification_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
      events text[] NOT NULL CHECK (cardinality(events) > 0),
      severities text[] NOT NULL CHECK (cardinality(severities) > 0),
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notification_rules_org_created ON notification_rules (organization_id, created_at, id);
    CREATE INDEX notification_rules_channel ON notification_rules (channel_id);

    CREATE TABLE deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      kind text NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'test')),
      alert_event_id uuid REFERENCES alert_events (id) ON DELETE CASCADE,
      channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      next_attempt_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'event') = (alert_event_id IS NOT NULL))
    );
    -- One delivery per event and channel: a redelivered event makes no second delivery.
    CREATE UNIQUE INDEX deliveries_event_channel ON deliveries (alert_event_id, channel_id);
    CREATE INDEX deliveries_org_created ON deliveries (organization_id, created_at DESC, id DESC);
    CREATE INDEX deliveries_org_status ON deliveries (organization_id, status, created_at DESC, id DESC);
    CREATE INDEX deliveries_channel ON deliveries (channel_id);

    CREATE TABLE delivery_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
      attempted_at timestamptz NOT NULL DEFAULT now(),
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'permanent', 'gone')),
      status_code integer,
      error text,
      latency_ms integer NOT NULL
    );
    CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempted_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE delivery_attempts; DROP TABLE deliveries; DROP TABLE notification_rules; DROP TABLE notification_channels;`.execute(db);
}
