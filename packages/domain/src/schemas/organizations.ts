import { z } from 'zod';
import { apiKeyCreatedResponseSchema } from './api-keys.ts';
import { idSchema, nameSchema, timestampSchema } from './common.ts';

/** `POST /organizations` (bootstrap key only). */
export const organizationCreateSchema = z.strictObject({ name: nameSchema }).meta({ id: 'OrganizationCreate' });
/** Body of `POST /organizations`. */
export type OrganizationCreate = z.infer<typeof organizationCreateSchema>;

/** `PATCH /organizations/:id`: rename. */
export const organizationUpdateSchema = z.strictObject({ name: nameSchema.optional() }).meta({ id: 'OrganizationUpdate' });
/** Body of `PATCH /organizations/:id`. */
export type OrganizationUpdate = z.infer<typeof organizationUpdateSchema>;

/** An organization as the API returns it. */
export const organizationResponseSchema = z
  .object({ id: idSchema, name: z.string(), createdAt: timestampSchema })
  .meta({ id: 'Organization' });
/** An organization as the API returns it. */
export type OrganizationResponse = z.infer<typeof organizationResponseSchema>;

/** The answer to `POST /organizations`: the organization and its first admin key. */
export const organizationCreatedResponseSchema = z
  .object({ organization: organizationResponseSchema, adminKey: apiKeyCreatedResponseSchema })
  .meta({ id: 'OrganizationCreated' });
/** The answer to `POST /organizations`. */
export type OrganizationCreatedResponse = z.infer<typeof organizationCreatedResponseSchema>;
