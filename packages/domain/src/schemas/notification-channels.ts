import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, timestampSchema } from './common.ts';
import { httpUrlSchema } from './fields.ts';

/** Where notifications go. `webhook` is the generic, Standard-Webhooks-signed JSON webhook. */
export const CHANNEL_TYPE_VALUES = ['slack', 'discord', 'teams', 'webhook'] as const;
/** A channel type. */
export type ChannelType = (typeof CHANNEL_TYPE_VALUES)[number];
/** A channel type. */
export const channelTypeSchema = z.enum(CHANNEL_TYPE_VALUES);

/** Prefix of Standard Webhooks signing secrets. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
// Standard Webhooks: secrets are 24..64 random bytes.
const SECRET_MIN_BYTES = 24;
const SECRET_MAX_BYTES = 64;

/** Why `secret` is not a Standard Webhooks secret (`whsec_` + base64 of 24..64 bytes), or null. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `secret must start with ${WEBHOOK_SECRET_PREFIX}`;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return `secret must be ${WEBHOOK_SECRET_PREFIX} followed by base64`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    return `secret must encode ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes, got ${bytes}`;
  }
  return null;
}

/** Formats random bytes (24..64 of them) as a signing secret; the caller supplies the randomness. */
export function formatWebhookSecret(bytes: Uint8Array): string {
  return `${WEBHOOK_SECRET_PREFIX}${Buffer.from(bytes).toString('base64')}`;
}

/** The host (with port) of a channel URL: all the API shows of it after creation. */
export function channelUrlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

const secretSchema = z
  .string()
  .superRefine((secret, ctx) => {
    const problem = webhookSecretProblem(secret);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Standard Webhooks signing secret, whsec_<base64>; generated when absent, returned once');

const fields = {
  name: nameSchema,
  type: channelTypeSchema,
  url: httpUrlSchema('url', { credentialsHint: 'must not contain credentials (user:password@ or token@): a generic webhook is authenticated by its signing secret (secret)' }).describe('Incoming webhook URL; never returned after creation'),
  secret: secretSchema.optional(),
  enabled: z.boolean().optional(),
};

const secretOnlyForWebhooks = (channel: { type?: ChannelType | undefined; secret?: string | undefined }, ctx: z.RefinementCtx) => {
  if (channel.secret !== undefined && channel.type !== undefined && channel.type !== 'webhook') {
    ctx.addIssue({ code: 'custom', path: ['secret'], message: 'secret applies only to channels of type webhook' });
  }
};

/** `POST /notification-channels`. */
export const notificationChannelCreateSchema = z
  .strictObject(fields)
  .superRefine(secretOnlyForWebhooks)
  .meta({ id: 'NotificationChannelCreate', description: 'A Slack, Discord, Teams or generic webhook target' });
/** Body of `POST /notification-channels`. */
export type NotificationChannelCreate = z.infer<typeof notificationChannelCreateSchema>;

/** `PATCH /notification-channels/:id`: any subset; `enabled: true` re-enables a channel disabled by a 410. */
export const notificationChannelUpdateSchema = z
  .strictObject({
    name: fields.name.optional(),
    type: fields.type.optional(),
    url: fields.url.optional(),
    secret: fields.secret,
    enabled: fields.enabled,
  })
  .superRefine(secretOnlyForWebhooks)
  .meta({ id: 'NotificationChannelUpdate' });
/** Body of `PATCH /notification-channels/:id`. */
export type NotificationChannelUpdate = z.infer<typeof notificationChannelUpdateSchema>;

/** A channel as the API returns it: never its URL or secret, only the URL's host. */
export const notificationChannelResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    type: channelTypeSchema,
    urlHost: z.string().describe('Host of the URL; the URL itself is a secret'),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().describe('Why delivery stopped, e.g. the target answered 410 Gone'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'NotificationChannel' });
/** A channel as the API returns it. */
export type NotificationChannelResponse = z.infer<typeof notificationChannelResponseSchema>;

/** The answer to `POST /notification-channels`: the one time the signing secret is shown. */
export const notificationChannelCreatedResponseSchema = notificationChannelResponseSchema
  .extend({ secret: z.string().nullable().describe('Signing secret of webhook channels, shown only here') })
  .meta({ id: 'NotificationChannelCreated' });
/** The answer to `POST /notification-channels`. */
export type NotificationChannelCreatedResponse = z.infer<typeof notificationChannelCreatedResponseSchema>;

/** `GET /notification-channels` query. */
export const notificationChannelListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema, type: channelTypeSchema.optional() });
/** `GET /notification-channels` query. */
export type NotificationChannelListQuery = z.infer<typeof notificationChannelListQuerySchema>;
