import { sql, type Kysely } from 'kysely';

// Which revision of the version grammar (DESIGN.md section 4) stored evaluations and open alerts
// follow. A rules-engine whose code implements a newer one (VERSION_GRAMMAR_REVISION) re-evaluates
// every alert config once at its start and records it here, so an upgrade that changes answers
// changes the stored ones too, durably and once however many replicas start. Revision 1 is the
// grammar before issue 12. One row for the installation: it belongs to no organization.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE version_grammar (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      revision integer NOT NULL CHECK (revision >= 1),
      revised_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO version_grammar (revision) VALUES (1);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE version_grammar`.execute(db);
}
