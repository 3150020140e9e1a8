import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, timestampSchema } from './common.ts';

/** admin: everything; member: everything but keys; viewer: read only; agent: the agent API only. */
export const API_KEY_ROLE_VALUES = ['admin', 'member', 'viewer', 'agent'] as const;
/** An API key role. */
export type ApiKeyRole = (typeof API_KEY_ROLE_VALUES)[number];
/** An API key role. */
export const apiKeyRoleSchema = z.enum(API_KEY_ROLE_VALUES);

/** Prefix of every API key. */
export const API_KEY_PREFIX = 'pk_';

/** `POST /api-keys`. */
export const apiKeyCreateSchema = z
  .strictObject({ name: nameSchema, role: apiKeyRoleSchema })
  .meta({ id: 'ApiKeyCreate' });
/** Body of `POST /api-keys`. */
export type ApiKeyCreate = z.infer<typeof apiKeyCreateSchema>;

/** `PATCH /api-keys/:id`: rename. */
export const apiKeyUpdateSchema = z.strictObject({ name: nameSchema.optional() }).meta({ id: 'ApiKeyUpdate' });
/** Body of `PATCH /api-keys/:id`. */
export type ApiKeyUpdate = z.infer<typeof apiKeyUpdateSchema>;

/** An API key as the API returns it: never the key or its hash. */
export const apiKeyResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    role: apiKeyRoleSchema,
    keyPrefix: z.string().describe('First characters of the key, to recognise it'),
    createdAt: timestampSchema,
    lastUsedAt: timestampSchema.nullable(),
    revokedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'ApiKey' });
/** An API key as the API returns it. */
export type ApiKeyResponse = z.infer<typeof apiKeyResponseSchema>;

/** The answer to `POST /api-keys`: the only time the key is shown. */
export const apiKeyCreatedResponseSchema = apiKeyResponseSchema
  .extend({ key: z.string().startsWith(API_KEY_PREFIX).describe('The key, pk_...; shown only here') })
  .meta({ id: 'ApiKeyCreated' });
/** The answer to `POST /api-keys`. */
export type ApiKeyCreatedResponse = z.infer<typeof apiKeyCreatedResponseSchema>;

/** `GET /api-keys` query. */
export const apiKeyListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema, role: apiKeyRoleSchema.optional() });
/** `GET /api-keys` query. */
export type ApiKeyListQuery = z.infer<typeof apiKeyListQuerySchema>;
