/**
 * The id of an organization, the tenant every row belongs to. Branded, so that a plain string (a
 * resource id, say) is not one: every tenant query takes an OrganizationId, and passing a job's or
 * an alert's id where the organization belongs does not compile.
 *
 * An OrganizationId comes from where the organization is known for sure: the row of an
 * authenticated API key, any row read from the database (its `organization_id`), or a queue
 * payload our own services sent (see {@link trustedOrganizationId}). Never from a request's path
 * or body.
 */
export type OrganizationId = string & { readonly __brand: 'OrganizationId' };

/**
 * Marks an id read from a trusted source as an organization's: a payload one of our services sent
 * (queue jobs carry the organization they were made for) or a row just created. Not for ids that
 * come from a request: the organization of a request is its key's.
 */
export function trustedOrganizationId(id: string): OrganizationId {
  return id as OrganizationId;
}
