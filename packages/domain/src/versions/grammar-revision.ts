/**
 * The revision of the version grammar (DESIGN.md section 4) this code implements. Raise it with
 * any change that can change an answer: parsing, families, aliases, the latest, the three rules.
 * The database records the revision its stored evaluations follow (migration 0011); a
 * rules-engine whose revision is newer re-evaluates every alert config once at its start, so
 * stored evaluations and open alerts follow the new answers, with events as for a rule change.
 *
 * 1. The grammar before issue 12.
 * 2. Prefix families, build numbers, prerelease keywords anywhere in the suffix, floating
 *    two-part and build-less tags, Java's GA naming, date-like majors, and the earliest date of
 *    a release carried by several tags.
 */
export const VERSION_GRAMMAR_REVISION = 2;
